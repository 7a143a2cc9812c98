"""Every staff list page answers in the same number of queries with 1 row as with 30: each
admin changelist of the portal's models (default view, a search, each filter's first choice),
the change pages of an edition and an expert, the staff home, the partner history page and the
invitation exports. A page whose queries grow with its rows would be slow at scale
(bench/scale.py measures the same pages over 200,000 invitations)."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from forums.models import ErasureRequest, Invitation
from partners.models import PartnerImport
from tests.factories import (
    ContactFactory,
    EditionFactory,
    ExpertFactory,
    ExpertiseAreaFactory,
    InstitutionFactory,
    MOUFactory,
    SessionFactory,
    SessionRoleFactory,
    UserFactory,
)
from tests.forums.invitation_factories import EmailTemplateFactory, sent_invitation
from tests.mail.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

PORTAL_APPS = {"core", "mail", "experts", "forums", "partners"}
SEARCH = "nguyen"
# Lists whose pages differ for a coordinator (personal details, actions).
COORDINATOR_LISTS = {"forums.invitation", "forums.edition", "experts.expert"}


def add_rows(n: int, *, staff, partner, edition) -> None:
    """n more of everything the staff lists show; the experts work at `partner` and are
    invited to `edition`, so its pages (and the partner's history) grow too."""
    for _ in range(n):
        institution = InstitutionFactory()
        MOUFactory(institution=institution)
        MOUFactory(institution=partner)
        ContactFactory(institution=institution)
        expert = ExpertFactory(family_name="Nguyễn", affiliation=partner)
        expert.expertise_areas.add(ExpertiseAreaFactory())
        own_edition = EditionFactory()
        EmailTemplateFactory(edition=own_edition)
        SessionRoleFactory(session=SessionFactory(edition=edition), expert=expert)
        sent_invitation(staff, edition=edition, expert=expert)
        ErasureRequest.objects.create(expert=expert)
        AccessLog.objects.create(
            user=staff, action="view", model_label="experts.expert", what="list", record_count=1
        )
        PartnerImport.objects.create(file_name="partners.csv", file_format="csv", status="imported")
        OutboxMessageFactory()


def changelist_urls(client) -> list[tuple[str, str]]:
    """(model label, url) of every portal changelist: its default view, a search and the
    first choice of each filter in its sidebar."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label not in PORTAL_APPS:
            continue
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url)
        if response.status_code == 302:
            # A one-row settings model (the visa letters' LetterSettings) sends its list to the
            # one row's page: there is no list to grow.
            assert model._meta.label == "forums.LetterSettings", (model, response["Location"])
            continue
        urls.append((meta.label_lower, url))
        if model_admin.search_fields:
            urls.append((meta.label_lower, f"{url}?q={SEARCH}"))
        changelist = response.context["cl"]
        for spec in changelist.filter_specs:
            choice = next(
                (c for c in spec.choices(changelist) if not c["selected"]),
                None,
            )
            if choice is not None:
                urls.append((meta.label_lower, url + choice["query_string"]))
    return urls


def queries_of(client, method: str, url: str, data=None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data) if method == "POST" else client.get(url)
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(captured), response.status_code


def test_staff_pages_run_as_many_queries_with_30_rows_as_with_1(db):
    admin_user = get_user_model().objects.create_superuser("boss", "boss@academy.test", "x")
    coordinator = UserFactory(username="coord", groups=[roles.FORUM_COORDINATORS])
    clients = {}
    for role, user in (("admin", admin_user), ("coordinator", coordinator)):
        clients[role] = Client()
        clients[role].force_login(user)
    partner, edition = InstitutionFactory(), EditionFactory()
    add_rows(1, staff=admin_user, partner=partner, edition=edition)
    expert = Invitation.objects.filter(edition=edition).first().expert
    invitation_list = reverse("admin:forums_invitation_changelist")
    one = Invitation.objects.filter(edition=edition).first()

    pages = [("admin", "GET", reverse("admin:index"), None)]
    for label, url in changelist_urls(clients["admin"]):
        pages.append(("admin", "GET", url, None))
        if label in COORDINATOR_LISTS and "?" not in url:
            pages.append(("coordinator", "GET", url, None))
    for role in ("admin", "coordinator"):
        pages += [
            (role, "GET", reverse("admin:forums_edition_change", args=[edition.pk]), None),
            (role, "GET", reverse("admin:experts_expert_change", args=[expert.pk]), None),
        ]
        for file_format in ("csv", "xlsx"):
            export = {
                "action": f"export_{file_format}",
                "select_across": "1",
                "index": "0",
                "_selected_action": [str(one.pk)],
            }
            url = f"{invitation_list}?edition__id__exact={edition.pk}"
            pages.append((role, "POST", url, export))
    history = reverse("partners:institution_history", args=[partner.pk])
    pages.append(("admin", "GET", history, None))

    def measure():
        return {
            (role, method, url): queries_of(clients[role], method, url, data)
            for role, method, url, data in pages
        }

    measure()  # warm-up: per-process caches (content types, permissions) are filled once
    with_one = measure()
    add_rows(29, staff=admin_user, partner=partner, edition=edition)
    with_thirty = measure()

    assert {key: status for key, (_, status) in with_thirty.items() if status != 200} == {}
    grew = {
        key: (with_one[key][0], queries)
        for key, (queries, _) in with_thirty.items()
        if queries != with_one[key][0]
    }
    assert grew == {}
    assert len(pages) > 80  # every list, its search and filters, not a few
