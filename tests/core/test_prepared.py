"""A prepared query gives what the ORM gives, select_related objects included, and compiles
its SQL once: later calls cost one query and no compiling."""

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from academy_portal.core.prepared import PreparedQuery
from forums.models import Invitation
from tests.factories import EditionFactory, SessionFactory
from tests.forums.invitation_factories import sent_invitation

pytestmark = pytest.mark.django_db

BY_PK = PreparedQuery(
    lambda pk: Invitation.objects.select_related(
        "edition__forum", "expert", "offered_session"
    ).filter(pk=pk),
    sentinel=-123_456_789,
)


def test_the_objects_are_the_orms_with_their_related_objects(monkeypatch):
    session = SessionFactory(edition=EditionFactory())
    invitation, _token = sent_invitation(
        edition=session.edition, offered_session=session, offered_role="speaker"
    )
    other, _ = sent_invitation()  # no offered session: a NULL join
    for wanted in (invitation, other):
        orm = Invitation.objects.select_related("edition__forum", "expert", "offered_session").get(
            pk=wanted.pk
        )
        [prepared] = BY_PK.fetch(wanted.pk)
        with CaptureQueriesContext(connection) as reads:
            assert prepared.edition.forum.name == orm.edition.forum.name
            assert prepared.expert.email == orm.expert.email
            assert prepared.offered_session == orm.offered_session
        assert len(reads) == 0  # all in the one query
        fields = [f.attname for f in Invitation._meta.concrete_fields]
        assert [getattr(prepared, f) for f in fields] == [getattr(orm, f) for f in fields]
        assert prepared._state.db == "default" and not prepared._state.adding

    compiled = []
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda *a, **k: compiled.append(1))
    with CaptureQueriesContext(connection) as reads:
        assert BY_PK.first(invitation.pk).pk == invitation.pk
        assert BY_PK.first(-1) is None
    assert len(reads) == 2 and compiled == []  # no compiling any more


def test_a_locking_query_locks_in_the_callers_transaction():
    locking = PreparedQuery(
        lambda pk: Invitation.objects.select_for_update().filter(pk=pk), sentinel=-987_654_321
    )
    invitation, _token = sent_invitation()
    with transaction.atomic(), CaptureQueriesContext(connection) as reads:
        assert locking.first(invitation.pk) == invitation
    if connection.features.has_select_for_update:
        # PostgreSQL executes the statement prepared on the server (test_prepared_postgres).
        sent = locking._local.compiled["default"].prepare_sql or reads[0]["sql"]
        assert "FOR UPDATE" in sent


def test_the_sentinel_must_mark_one_parameter():
    ambiguous = PreparedQuery(
        lambda pk: Invitation.objects.filter(Q(pk=pk) | Q(expert_id=pk)), sentinel=987_654_321
    )
    with pytest.raises(ValueError, match="sentinel"):
        ambiguous.fetch(1)


def test_a_prepared_count_is_the_orms_count_zero_included():
    from forums.services.waitlist import accepted_count  # noqa: PLC0415 - the count it pins

    edition = EditionFactory(capacity=5)
    assert accepted_count(edition) == 0  # no row at all: GROUP BY gives none
    for _ in range(3):
        invitation, _token = sent_invitation(edition=edition)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ACCEPTED)
    other, _token = sent_invitation(edition=edition)
    Invitation.objects.filter(pk=other.pk).update(status=Invitation.Status.ACCEPTED)
    sent_invitation()  # another edition's
    expected = Invitation.objects.filter(edition=edition, status="accepted").count()
    assert accepted_count(edition) == expected == 2
