"""On PostgreSQL a prepared query is also prepared on the server, once per database session, so
PostgreSQL plans it once; a new session prepares it again, a rollback does not undo it, and
Django's PgBouncer switch (DISABLE_SERVER_SIDE_CURSORS) turns it off."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from academy_portal.core.prepared import PreparedQuery, _numbered
from forums.models import Invitation
from tests.forums.invitation_factories import sent_invitation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def by_pk() -> PreparedQuery:
    return PreparedQuery(
        lambda pk: Invitation.objects.select_related("edition__forum", "expert").filter(pk=pk),
        sentinel=-555_000_111,
    )


def prepared_on_server(query: PreparedQuery) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE name = %s", [query.statement_name]
        )
        return [row[0] for row in cursor.fetchall()]


def test_django_placeholders_become_numbered_ones():
    assert _numbered("a = %s AND b LIKE '50%%' AND c = %s") == "a = $1 AND b LIKE '50%' AND c = $2"


def test_the_statement_is_prepared_once_per_session_and_again_in_a_new_one(require_postgres):
    invitation, _token = sent_invitation()
    other, _token = sent_invitation()
    query = by_pk()
    assert prepared_on_server(query) == []
    with CaptureQueriesContext(connection) as reads:
        assert query.first(invitation.pk) == invitation
        assert query.first(other.pk) == other
        assert query.first(-1) is None
    # One query each (PREPARE is session set-up, not counted), all of the one statement.
    assert [r["sql"].split()[:2] for r in reads] == [["EXECUTE", query.statement_name]] * 3
    [statement] = prepared_on_server(query)
    assert "forums_invitation" in statement and "$1" in statement

    connection.close()  # a new database session knows no statement
    assert prepared_on_server(query) == []
    found = query.first(invitation.pk)
    assert found == invitation and found.edition.forum.name == invitation.edition.forum.name
    assert len(prepared_on_server(query)) == 1


def test_a_rolled_back_transaction_keeps_the_statement(require_postgres):
    invitation, _token = sent_invitation()
    query = by_pk()
    connection.close()
    with transaction.atomic():
        assert query.first(invitation.pk) == invitation  # prepared in this transaction
        transaction.set_rollback(True)
    assert len(prepared_on_server(query)) == 1
    assert query.first(invitation.pk) == invitation


def test_a_locking_statement_still_locks(require_postgres):
    invitation, _token = sent_invitation()
    locking = PreparedQuery(
        lambda pk: Invitation.objects.select_for_update().filter(pk=pk), sentinel=-555_000_222
    )
    with transaction.atomic():
        assert locking.first(invitation.pk) == invitation
        [statement] = prepared_on_server(locking)
    assert "FOR UPDATE" in statement


def test_pgbouncer_transaction_pooling_gets_plain_queries(require_postgres, monkeypatch):
    invitation, _token = sent_invitation()
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    query = by_pk()
    with CaptureQueriesContext(connection) as reads:
        assert query.first(invitation.pk) == invitation
        assert query.first(invitation.pk) == invitation
    assert [r["sql"].split()[0] for r in reads] == ["SELECT", "SELECT"]
    assert prepared_on_server(query) == []
