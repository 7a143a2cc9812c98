"""On PostgreSQL the staff lists' default orders and the daily MOU check read an index: the
first page of 200,000 invitations is not a sort of all of them (bench/scale.py measures it)."""

import pytest
from django.db import connection

from academy_portal.mail.models import FAILED_FIRST, OutboxMessage
from forums.models import Invitation
from partners.models import MOU

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan_of(queryset) -> str:
    """The plan with scans and sorts made the last resort: an index the query can use shows
    up even on an empty table."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("queryset", "index", "in_its_order"),
    [
        (
            lambda: Invitation.objects.order_by("-created_at", "-id")[:100],
            "forums_inv_newest",
            True,
        ),
        (
            lambda: OutboxMessage.objects.order_by(FAILED_FIRST.asc(), "-created_at", "-id")[:50],
            "mail_outbox_list_idx",
            True,
        ),
        # The due MOUs only, then sorted: a handful of rows.
        (lambda: MOU.objects.past_expiry(), "partners_mou_status_expiry", False),
        (lambda: MOU.objects.expiring_within(90), "partners_mou_status_expiry", False),
    ],
)
def test_the_query_reads_its_index(require_postgres, queryset, index, in_its_order):
    plan = plan_of(queryset())
    assert index in plan
    if in_its_order:  # the first rows come straight from the index, nothing sorts them
        assert "Sort" not in plan.split(index)[0]
