import datetime as dt
import hashlib
import io
import operator
from functools import reduce

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import roles
from academy_portal.demo.build import COUNTED_MODELS, DEFAULT_DEMO_PASSWORD, build_demo
from academy_portal.demo.context import DemoContext
from academy_portal.demo.dashboards import HISTORY, VISA_PENDING
from academy_portal.demo.data import PAST_EDITION_AREAS, UPCOMING_SESSIONS
from academy_portal.demo.delegations import NAMED as DELEGATES
from academy_portal.demo.invitations import DEMO_INVITATIONS
from academy_portal.demo.users import build_users
from academy_portal.mail.models import OutboxMessage
from experts.models import Expert, ExpertiseArea
from forums.models import (
    AttributionRule,
    Edition,
    Forum,
    Invitation,
    ReminderRule,
    Session,
    SessionRole,
)
from forums.programme import programme_warnings
from partners.models import MOU, Contact, DelegationRequest, Institution
from tests.factories import ForumFactory

# Measured: 419 with the programme, attendance and visa letter steps (357 before them; about
# 1,000 before bulk matching).
QUERY_BOUND_FOR_RERUN = 460

DEMO_MODELS = [
    Forum,
    Edition,
    Session,
    SessionRole,
    ExpertiseArea,
    Expert,
    Institution,
    Contact,
    MOU,
]


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> tuple[dict, str]:
    """Row counts and a checksum over every field value (timestamps included) of the demo rows."""
    counts, digest = {}, hashlib.sha256()
    user_model = get_user_model()
    for model in [*DEMO_MODELS, user_model]:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = list(model.objects.order_by("pk").values_list(*fields))
        counts[model._meta.label] = len(rows)
        digest.update(repr(rows).encode())
    digest.update(
        repr(list(Expert.expertise_areas.through.objects.order_by("pk").values_list())).encode()
    )
    digest.update(
        repr(list(user_model.groups.through.objects.order_by("pk").values_list())).encode()
    )
    return counts, digest.hexdigest()


@pytest.fixture
def demo(db):
    return build_demo()


def test_running_load_demo_twice_changes_nothing(db):
    first_output = load_demo()
    before = snapshot()
    second_output = load_demo()
    assert snapshot() == before
    assert "none (already loaded)" in second_output
    assert "created" in first_output


def test_load_demo_prints_summary_and_logins(db, monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    output = load_demo()
    assert "200 experts" in output
    assert "4 forums" in output
    for username in ("admin", "viewer", "coordinator", "partnerships"):
        assert username in output
    assert DEFAULT_DEMO_PASSWORD in output
    assert "The 15th International Conference on the South China Sea" in output
    assert f"{django_settings.SITE_URL}/forums/east-sea-conference/15/" in output
    assert f"{django_settings.SITE_URL}/forums/calendar.ics" in output


def _listed(output: str, prefix: str) -> dict[str, int]:
    """{"forums": 4, ...} from a summary line "  <prefix>4 forums, 35 editions, ..."."""
    (line,) = [line for line in output.splitlines() if line.strip().startswith(prefix)]
    items = line.strip().removeprefix(prefix).split(", ")
    return {label: int(n) for n, label in (item.split(" ", 1) for item in items)}


def _db_counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in COUNTED_MODELS}


def test_the_summary_counts_agree_with_the_database_and_with_what_was_created(db):
    ForumFactory()  # a forum that is not the demo's: in the database, not created by the demo
    before = _db_counts()

    output = load_demo()

    in_db = _listed(output, "In the database: ")
    assert in_db == _db_counts()
    created = _listed(output.split("; updated")[0], "Changes this run: created ")
    # Rows made by services count too: the session roles of accepted offers (42, not the
    # programme's 40), each edition's default reminder rules, the emails queued.
    assert created == {"staff users": 5} | {
        label: n - before[label] for label, n in in_db.items() if n - before[label]
    }
    assert created["forums"] == 4 and in_db["forums"] == 5
    assert created["session roles"] == SessionRole.objects.count() > 40
    assert created["reminder rules"] == ReminderRule.objects.count() > 0
    # The two dozen of invitations.py, one for each role the programme planned, the held
    # edition's dozen (attendance.py), the delegates a partner named (delegations.py), the
    # dashboards' history: 24 who came to the 12th and 13th editions, 2 accepted experts waiting
    # for their visa letter (dashboards.py); and 10 to 16 invitees of each of the 28 other past
    # editions (history.py), 372 with the demo's seed.
    planned_roles = sum(speakers + moderated for *_, speakers, moderated in UPCOMING_SESSIONS)
    dashboards = sum(sum(came) for came in HISTORY.values()) + VISA_PENDING
    history = Invitation.objects.filter(
        reduce(
            operator.or_,
            (Q(edition__forum__slug=s, edition__number=n) for s, n in PAST_EDITION_AREAS),
        )
    )
    assert len(PAST_EDITION_AREAS) * 10 <= history.count() <= len(PAST_EDITION_AREAS) * 16
    expected = DEMO_INVITATIONS + planned_roles + 12 + DELEGATES + dashboards + history.count()
    assert created["invitations"] == expected == 104 + 372
    assert created["emails in the outbox"] == OutboxMessage.objects.count() > 0
    assert "updated" not in output.split("Changes this run:")[1].splitlines()[0]

    again = load_demo()

    assert _listed(again, "In the database: ") == in_db == _db_counts()
    assert "Changes this run: none (already loaded)" in again


def test_the_summary_counts_what_a_run_brings_back(demo):
    Edition.objects.filter(forum__slug="mekong-forum").update(title_vi="")
    Session.objects.filter(pk=Session.objects.first().pk).update(title_vi="")

    output = load_demo()

    assert "  Changes this run: updated 5 editions, 1 sessions\n" in output


def test_forums_upcoming_editions_and_their_programme_have_vietnamese_titles(demo):
    names = dict(Forum.objects.values_list("slug", "name_vi"))
    assert names == {
        "east-sea-conference": "Hội thảo Quốc tế về Biển Đông",
        "ocean-dialogue": "Đối thoại Biển",
        "mekong-forum": "Diễn đàn Mekong",
        "sinology-symposium": "Hội thảo Quốc tế Hán học",
    }
    assert all(Forum.objects.values_list("short_name_vi", flat=True))
    upcoming = demo["upcoming_edition"]
    assert upcoming.text_in("title", "vi") == "Hội thảo Quốc tế về Biển Đông lần thứ 15"
    assert upcoming.text_in("venue", "vi") == "Trung tâm Hội nghị Quốc tế Ba Đình"
    assert "Quý vị" in upcoming.text_in("practical_information", "vi")
    for edition in Edition.objects.upcoming():
        assert edition.title_vi and edition.theme_vi and edition.venue_vi, edition
    sessions = list(upcoming.sessions.all())
    assert all(s.title_vi and s.title_vi != s.title for s in sessions)


def test_rerunning_load_demo_makes_a_bounded_number_of_queries(db, django_assert_max_num_queries):
    # Speed is measured by bench scripts, not timed tests; what a test can pin is that a re-run
    # matches rows in bulk rather than querying once per expert or institution.
    load_demo()
    with django_assert_max_num_queries(QUERY_BOUND_FOR_RERUN):
        load_demo()


def test_demo_users_can_sign_in_to_the_admin_with_their_roles(demo, client):
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    expected_groups = {
        "viewer": roles.VIEWERS,
        "coordinator": roles.FORUM_COORDINATORS,
        "partnerships": roles.PARTNERSHIPS_OFFICERS,
    }
    for username, group in expected_groups.items():
        user = user_model.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(DEFAULT_DEMO_PASSWORD)
    assert client.login(username="viewer", password=DEFAULT_DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_admin_password_comes_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-local-secret-9431")
    output = load_demo()
    assert "a-local-secret-9431" in output
    assert get_user_model().objects.get(username="admin").check_password("a-local-secret-9431")


def test_rerun_never_resets_a_changed_password(db, monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    load_demo()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("my own password 2027")
    admin.save()

    output = load_demo()

    admin.refresh_from_db()
    assert admin.check_password("my own password 2027")
    admin_line = next(line for line in output.splitlines() if line.strip().startswith("admin"))
    assert DEFAULT_DEMO_PASSWORD not in admin_line
    assert "changed" in admin_line


def test_refuses_a_production_like_deployment_unless_forced(db):
    with override_settings(DEBUG=False, SECRET_KEY="p" * 50):
        with pytest.raises(CommandError, match="--force"):
            load_demo()
        assert not Expert.objects.exists()
        load_demo("--force")
    assert Expert.objects.count() == 200


def test_forums_and_editions_are_consistent_with_today(demo):
    today = timezone.localdate()
    editions = {
        slug: list(Edition.objects.filter(forum__slug=slug).order_by("number"))
        for slug in Forum.objects.values_list("slug", flat=True)
    }
    assert len(editions) == 4
    assert [e.number for e in editions["east-sea-conference"]] == list(range(1, 16))
    assert len(editions["ocean-dialogue"]) == 11
    assert len(editions["mekong-forum"]) >= 3
    assert len(editions["sinology-symposium"]) >= 3
    first_east_sea = editions["east-sea-conference"][0]
    assert first_east_sea.start_date.year == 2009
    assert [e.start_date.year for e in editions["east-sea-conference"][:14]] == list(
        range(2009, 2023)
    )

    for edition in Edition.objects.all():
        if edition.end_date < today:
            assert edition.status in (Edition.Status.HELD, Edition.Status.ARCHIVED), edition
        else:
            assert edition.status not in (Edition.Status.HELD, Edition.Status.ARCHIVED), edition
        if edition.rsvp_deadline:
            assert edition.rsvp_deadline <= edition.start_date
        if edition.status == Edition.Status.INVITATIONS_OPEN:
            assert edition.rsvp_deadline >= today
        if edition.status == Edition.Status.CLOSED:
            assert edition.rsvp_deadline < today <= edition.end_date
    statuses = set(Edition.objects.values_list("status", flat=True))
    assert statuses == set(Edition.Status.values)

    upcoming = editions["east-sea-conference"][14]
    assert upcoming == demo["upcoming_edition"]
    assert upcoming.status == Edition.Status.INVITATIONS_OPEN
    assert upcoming in Edition.objects.upcoming()
    assert today + dt.timedelta(days=14) <= upcoming.rsvp_deadline < upcoming.start_date
    assert upcoming.capacity and upcoming.capacity > 100
    assert upcoming.practical_information
    assert {e.city for e in Edition.objects.all()} >= {"Hà Nội", "Đà Nẵng", "Hồ Chí Minh City"}


def test_upcoming_edition_has_a_full_programme(demo):
    sessions = list(demo["upcoming_edition"].sessions.prefetch_related("roles"))
    kinds = [s.kind for s in sessions]
    assert kinds.count(Session.Kind.OPENING) == 1
    assert kinds.count(Session.Kind.PLENARY) == 1
    assert 5 <= kinds.count(Session.Kind.PANEL) <= 7
    roundtable = next(s for s in sessions if s.kind == Session.Kind.ROUNDTABLE)
    assert roundtable.effective_attribution == AttributionRule.CHATHAM_HOUSE
    assert "Closed-door" in roundtable.description
    for session in sessions:
        assert session.starts_at < session.ends_at
        assert session.starts_at.date() >= demo["upcoming_edition"].start_date
        role_kinds = [r.role for r in session.roles.all()]
        assert SessionRole.Role.SPEAKER in role_kinds
        if session.kind in (Session.Kind.PANEL, Session.Kind.ROUNDTABLE):
            assert role_kinds.count(SessionRole.Role.MODERATOR) == 1
    # Nobody is booked twice on the same programme.
    experts = [r.expert_id for s in sessions for r in s.roles.all()]
    assert len(experts) == len(set(experts))


def test_partners_and_mous_cover_every_status(demo):
    today = timezone.localdate()
    assert 35 <= Institution.objects.count() <= 45
    assert Institution.objects.values("country").distinct().count() >= 15
    assert set(Institution.objects.values_list("kind", flat=True)) == set(Institution.Kind.values)
    native_names = " ".join(Institution.objects.values_list("native_name", flat=True))
    for sample in (
        "Viện",
        "研究",
        "연구",
        "études",
    ):  # Vietnamese, Chinese/Japanese, Korean, French
        assert sample in native_names
    assert not Institution.objects.filter(contacts__isnull=True).exists()

    stored = set(MOU.objects.values_list("status", flat=True))
    assert stored == set(MOU.Status.values)
    assert MOU.objects.expiring().count() >= 3
    assert MOU.objects.expiring_within(30).exists()
    assert not MOU.objects.past_expiry().exists()  # stored statuses agree with the dates
    assert MOU.objects.filter(status=MOU.Status.ACTIVE, expires_on__isnull=True).exists()
    assert MOU.objects.filter(status=MOU.Status.EXPIRED, expires_on__lt=today).exists()
    assert not MOU.objects.filter(status=MOU.Status.DRAFT, signed_on__isnull=False).exists()
    renewal = MOU.objects.filter(supersedes__isnull=False).select_related("supersedes").first()
    assert renewal is not None
    assert renewal.institution_id == renewal.supersedes.institution_id
    assert renewal.supersedes.status == MOU.Status.EXPIRED
    assert renewal.effective_from > renewal.supersedes.expires_on
    assert {m.display_status for m in MOU.objects.all()} >= {MOU.EXPIRING}


def test_experts_are_varied_and_fictional(demo):
    experts = list(Expert.objects.select_related("affiliation").prefetch_related("expertise_areas"))
    assert len(experts) == 200
    assert 10 <= ExpertiseArea.objects.count() <= 14
    vietnamese = [e for e in experts if e.nationality == "VN"]
    assert len(vietnamese) >= 60
    assert all(e.name_order == Expert.NameOrder.FAMILY_FIRST for e in vietnamese)
    assert any("Nguyễn" in e.full_name for e in vietnamese)
    assert any(e.full_name.startswith("Đ") or "ễ" in e.full_name for e in vietnamese)
    assert "Nguyễn Hùng Sơn" not in {e.full_name for e in experts}  # a real person's name
    assert {e.nationality.code for e in experts} >= {"VN", "CN", "JP", "KR", "US", "FR", "AU"}
    assert any(e.name_order == Expert.NameOrder.GIVEN_FIRST for e in experts)
    assert {e.preferred_language for e in experts} == {"en", "vi"}
    assert len({e.capacity for e in experts}) == len(Expert.Capacity.values)
    assert all(e.email.endswith(".example") for e in experts)
    assert all(e.affiliation_name for e in experts)
    assert all(e.expertise_areas.all() for e in experts)
    assert len({e.full_name for e in experts}) == 200


def test_demo_experts_have_a_vietnamese_form_of_address_fitting_their_title(demo):
    experts = list(Expert.objects.all())
    by_title = {(e.honorific, e.honorific_vi) for e in experts}
    titled = {pair for pair in by_title if pair[0]}
    assert titled == {
        ("Prof.", "GS.TS."),
        ("Assoc. Prof.", "PGS.TS."),
        ("Dr.", "TS."),
        ("Amb.", "Đại sứ"),
    }
    untitled = [e for e in experts if not e.honorific]
    assert {e.honorific_vi for e in untitled} == {"Ông", "Bà"}
    # A Vietnamese woman's middle name is "Thị" in the demo's pools; her letters say "Bà".
    assert {e.honorific_vi for e in untitled if e.given_name.startswith("Thị ")} <= {"Bà"}
    assert {e.honorific_vi for e in untitled if e.given_name.startswith("Văn ")} <= {"Ông"}
    # So no Vietnamese letter falls back to the neutral "Ông/Bà".
    assert all(e.formal_name_for("vi").split(" ")[0] != "Ông/Bà" for e in experts)
    assert any(e.formal_name_for("vi").startswith("GS.TS. ") for e in experts)


def test_every_demo_row_passes_model_validation(demo):
    for model in DEMO_MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_a_later_day_moves_dates_without_duplicating(demo):
    counts, _ = snapshot()
    later = timezone.localdate() + dt.timedelta(days=400)

    summary = build_demo(today=later)

    assert snapshot()[0] == counts
    upcoming = summary["upcoming_edition"]
    assert upcoming.start_date > later
    assert upcoming.rsvp_deadline >= later
    assert MOU.objects.expiring(today=later).exists()
    assert not MOU.objects.past_expiry(today=later).exists()


@pytest.mark.parametrize(("required", "said"), [(False, "OFF for this demo"), (True, "required")])
def test_the_demo_summary_says_how_staff_sign_in(db, settings, required, said):
    settings.STAFF_MFA_REQUIRED = required
    ctx = DemoContext(today=dt.date.today(), password="academy-demo-2026")
    build_users(ctx)
    assert said in "\n".join(ctx.notes)


@pytest.mark.parametrize("term", ["UNCLOS", "luật biển", "law of the sea"])
def test_demo_search_by_expertise_alias_finds_the_law_of_the_sea_experts(client, demo, term):
    """Every demo area has English and Vietnamese aliases; searching the expert list as a
    coordinator for one of the Law of the sea area's finds exactly that area's experts."""
    assert not ExpertiseArea.objects.filter(aliases="").exists()
    law = ExpertiseArea.objects.get(name="Law of the sea (UNCLOS)")
    expected = set(law.experts.values_list("pk", flat=True))
    assert expected
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    client.force_login(coordinator)
    response = client.get(reverse("admin:experts_expert_changelist"), {"q": term, "all": "1"})
    assert {e.pk for e in response.context["cl"].result_list} == expected


def test_the_upcoming_programme_is_published_and_names_only_who_accepted_and_agreed(demo, client):
    edition = demo["upcoming_edition"]
    assert edition.is_published
    assert not programme_warnings(edition=edition)  # every name on it has an accepted invitation
    roles = SessionRole.objects.filter(session__edition=edition).select_related("expert")
    invitations = {
        i.expert_id: i for i in Invitation.objects.filter(edition=edition, offered_role__gt="")
    }
    listed = [
        r
        for r in roles
        if not r.session.is_closed_door and invitations[r.expert_id].listing_consent
    ]
    unlisted = [r for r in roles if r not in listed]
    assert listed and unlisted
    assert Session.objects.filter(edition=edition, closed_door=True).count() == 1

    page = client.get(reverse("forums:programme", args=[edition.forum.slug, edition.number]))

    text = page.content.decode()
    assert page.status_code == 200
    assert all(r.expert.full_name in text for r in listed)
    assert not any(r.expert.full_name in text for r in unlisted)
    assert client.get(reverse("forums:calendar")).status_code == 200


def test_the_demo_has_a_delegation_sent_under_an_mou_with_delegates_invited(demo):
    request = DelegationRequest.objects.get()
    assert request.status == DelegationRequest.Status.SENT and request.mou is not None
    assert request.mou.institution == request.institution
    nominations = list(request.nominations.active().select_related("invitation"))
    assert len(nominations) == DELEGATES < request.max_delegates
    assert {n.invitation.status for n in nominations} == {Invitation.Status.SENT}
