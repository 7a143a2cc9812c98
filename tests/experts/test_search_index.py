"""The folded search on PostgreSQL: a trigram index answers it, and it finds experts by a name
typed without diacritics and by an expertise (bench/scale.py times it over 20,000 experts)."""

import re

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from academy_portal.core.text import fold_for_search
from experts.models import Expert
from forums.models import Invitation
from partners.models import Institution
from tests.factories import ExpertFactory, ExpertiseAreaFactory, InstitutionFactory
from tests.forums.invitation_factories import InvitationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EXPERTS_URL = reverse("admin:experts_expert_changelist")


def plan_of(queryset) -> str:
    """The plan PostgreSQL would use with sequential scans made the last resort: an index
    the query can use shows up even on a table this small."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("model", "index"),
    [(Expert, "experts_expert_search_trgm"), (Institution, "partners_institution_search_trgm")],
)
def test_the_folded_search_reads_the_trigram_index(require_postgres, model, index):
    words = fold_for_search("Nguyễn Hùng").split()
    # Unordered: on a table this small, an ORDER BY on the indexed name sort key would have the
    # planner walk that index and filter as it goes; the question here is the WHERE clause.
    queryset = model.objects.order_by()
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    assert index in plan_of(queryset)


def test_admin_finds_a_name_without_diacritics_and_an_expertise(require_postgres, admin_client):
    law = ExpertiseAreaFactory(name="Law of the sea", aliases="UNCLOS\nluật biển")
    lan = ExpertFactory(given_name="Thị Lan", family_name="Nguyễn", affiliation=None)
    jurist = ExpertFactory(given_name="Ana", family_name="Reyes")
    jurist.expertise_areas.add(law)
    ExpertFactory(given_name="Tom", family_name="Baker", affiliation=InstitutionFactory())

    def found(term):
        response = admin_client.get(EXPERTS_URL, {"q": term})
        assert response.status_code == 200
        return {e.pk for e in response.context["cl"].result_list}

    assert found("nguyen thi lan") == {lan.pk}
    assert found("NGUYEN lan") == {lan.pk}
    assert found("luat bien") == {jurist.pk}
    assert found("unclos") == {jurist.pk}


def test_the_invitation_search_reads_both_indexes_for_the_passport_name_or_the_expert(
    require_postgres, admin_client
):
    """The admin's invitation search (a coordinator may see passport names): the name on the
    passport OR the expert's folded name, each from its own index, not a scan of every
    invitation; and it finds by either."""
    by_expert = InvitationFactory(expert__family_name="Trần", expert__given_name="Thị Mai")
    by_passport = InvitationFactory(passport_name="TRAN THI MAI", expert__family_name="Smith")
    InvitationFactory(expert__family_name="Baker")
    model_admin = site._registry[Invitation]
    request = RequestFactory().get("/")
    request.user = admin_client.get(reverse("admin:index")).wsgi_request.user
    queryset, _duplicates = model_admin.get_search_results(
        request, Invitation.objects.order_by(), "tran thi"
    )
    assert set(queryset) == {by_expert, by_passport}
    plan = plan_of(queryset)
    assert "forums_invitation_passport_trgm" in plan
    assert "BitmapOr" in plan and "Seq Scan on forums_invitation" not in plan


@pytest.mark.parametrize("term", ["nguyen van", "UNCLOS", "nghien cuu vien"])
def test_the_expert_search_reads_indexes_not_every_expert(require_postgres, admin_client, term):
    """A name or position (one folded column) and an expertise (the primary key's index for the
    area's experts, ORed with the trigram index): no scan of the experts' table."""
    ExpertiseAreaFactory(name="Law of the sea", aliases="UNCLOS")
    ExpertFactory(given_name="Văn An", family_name="Nguyễn", position="Nghiên cứu viên")
    model_admin = site._registry[Expert]
    request = RequestFactory().get("/")
    request.user = admin_client.get(reverse("admin:index")).wsgi_request.user
    queryset, _duplicates = model_admin.get_search_results(request, Expert.objects.order_by(), term)
    plan = plan_of(queryset)
    assert "experts_expert_search_trgm" in plan
    assert not re.search(r"Seq Scan on experts_expert\b(?!_)", plan)
