import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from forums.models import AttributionRule, Edition
from tests.factories import EditionFactory, SessionFactory, SessionRoleFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_edition_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        EditionFactory(start_date=days(10), end_date=days(9), rsvp_deadline=None)


def test_edition_end_before_start_gives_a_readable_validation_message():
    edition = EditionFactory()
    edition.end_date = edition.start_date - dt.timedelta(days=1)
    edition.rsvp_deadline = None
    with pytest.raises(ValidationError) as excinfo:
        edition.full_clean()
    assert "The end date cannot be before the start date." in str(excinfo.value)


def test_rsvp_deadline_cannot_be_after_the_edition_ends():
    with pytest.raises(IntegrityError), transaction.atomic():
        EditionFactory(start_date=days(10), end_date=days(11), rsvp_deadline=days(12))


def test_edition_number_is_unique_per_forum():
    edition = EditionFactory(number=15)
    with pytest.raises(IntegrityError), transaction.atomic():
        EditionFactory(forum=edition.forum, number=15)
    EditionFactory(number=15)  # another forum's 15th edition is fine


def test_session_cannot_end_before_it_starts():
    session = SessionFactory.build()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            edition=EditionFactory(),
            starts_at=session.starts_at,
            ends_at=session.starts_at - dt.timedelta(minutes=1),
        )


def test_an_expert_holds_a_role_in_a_session_once():
    role = SessionRoleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRoleFactory(session=role.session, expert=role.expert, role=role.role)
    SessionRoleFactory(session=role.session, expert=role.expert, role="moderator")


def test_session_attribution_defaults_to_the_editions():
    session = SessionFactory(
        edition=EditionFactory(default_attribution=AttributionRule.ON_THE_RECORD), attribution=""
    )
    assert session.effective_attribution == AttributionRule.ON_THE_RECORD
    assert session.effective_attribution_label == "On the record"
    session.attribution = AttributionRule.CLOSED_DOOR
    assert session.effective_attribution_label == "Closed-door"


def test_upcoming_excludes_past_and_archived_editions():
    coming = EditionFactory(start_date=days(30))
    ending_today = EditionFactory(start_date=days(-1), end_date=days(0), rsvp_deadline=None)
    EditionFactory(start_date=days(-10), end_date=days(-9), rsvp_deadline=None)
    EditionFactory(start_date=days(40), status=Edition.Status.ARCHIVED)
    assert set(Edition.objects.upcoming()) == {coming, ending_today}
    assert ending_today.is_upcoming
