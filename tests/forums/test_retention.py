"""The retention purge: exactly the due rows lose exactly the due fields, with a history event
that names what was erased and why but never holds the data; dry runs and second runs change
nothing."""

import datetime as dt
import json
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from academy_portal.core.privacy import PERSONAL_DETAIL_FIELDS
from forums import tasks
from forums.models import Edition, Invitation, InvitationEvent
from forums.services import send_invitation, submit_rsvp, withdraw_invitation
from tests.factories import EditionFactory, UserFactory
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db

PASSPORT = "NGUYEN THI PASSPORTNAME"


@pytest.fixture
def staff():
    return UserFactory()


def answered(staff, *, answer="accepted", title=None, **fields):
    """A sent invitation answered through the RSVP service (as the form would)."""
    edition = EditionFactory(**({"title": title} if title else {}))
    invitation = InvitationFactory(edition=edition)
    send_invitation(invitation, sent_by=staff)
    invitation.refresh_from_db()
    if answer == "accepted":
        fields = {
            "privacy_consent": True,
            "needs_visa_letter": True,
            "passport_name": PASSPORT,
            "passport_nationality": "VN",
            "dietary_needs": "No shellfish",
            "arrival_date": edition.start_date - dt.timedelta(days=1),
            "departure_date": edition.end_date,
            **fields,
        }
    submit_rsvp(invitation, answer=answer, expected_version=invitation.version, **fields)
    invitation.refresh_from_db()
    return invitation


def edition_ended(invitation, *, days_ago: int):
    end = timezone.localdate() - dt.timedelta(days=days_ago)
    Edition.objects.filter(pk=invitation.edition_id).update(
        start_date=end - dt.timedelta(days=1),
        end_date=end,
        rsvp_deadline=end - dt.timedelta(days=2),
    )


def last_changed(invitation, *, months_ago: int):
    Invitation.objects.filter(pk=invitation.pk).update(
        updated_at=timezone.now() - relativedelta(months=months_ago)
    )


@pytest.fixture
def scene(staff):
    """One invitation per case of the rules (30 days, 6 months: the defaults)."""
    ended_31 = answered(staff, title="Ended 31 days ago")
    edition_ended(ended_31, days_ago=31)
    ended_29 = answered(staff, title="Ended 29 days ago")
    edition_ended(ended_29, days_ago=29)
    upcoming = answered(staff, title="Upcoming forum")
    declined_7m = answered(staff, answer="declined", decline_reason="My mother is in hospital")
    last_changed(declined_7m, months_ago=7)
    declined_5m = answered(staff, answer="declined", decline_reason="Teaching that week")
    last_changed(declined_5m, months_ago=5)
    withdrawn_7m = answered(staff, title="Withdrawn long ago")
    withdraw_invitation(withdrawn_7m, withdrawn_by=staff, notify=False)
    last_changed(withdrawn_7m, months_ago=7)
    return {
        "ended_31": ended_31,
        "ended_29": ended_29,
        "upcoming": upcoming,
        "declined_7m": declined_7m,
        "declined_5m": declined_5m,
        "withdrawn_7m": withdrawn_7m,
    }


def state(invitation):
    invitation.refresh_from_db()
    data = model_to_dict(invitation, exclude=["sessions_attending"])
    data["passport_nationality"] = str(invitation.passport_nationality or "")
    data["updated_at"] = invitation.updated_at
    return data


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def erased_events():
    return InvitationEvent.objects.filter(kind=InvitationEvent.Kind.DATA_ERASED)


def test_purge_erases_exactly_the_due_rows_and_fields(scene, settings):
    settings.RETENTION_PASSPORT_DAYS = 30
    settings.RETENTION_NOT_ATTENDING_MONTHS = 6
    before = {name: state(inv) for name, inv in scene.items()}

    output = purge()

    # Edition ended 31 days ago: passport gone; the rest of an accepted answer stays.
    ended_31 = state(scene["ended_31"])
    assert ended_31["passport_name"] == "" and ended_31["passport_nationality"] == ""
    assert ended_31["dietary_needs"] == "No shellfish"
    assert ended_31["needs_visa_letter"] is True  # a yes/no need, not a personal detail
    assert ended_31["status"] == Invitation.Status.ACCEPTED
    assert ended_31["privacy_consent"] is True
    # Declined 7 months ago: the reason (free text about the expert) is gone.
    assert state(scene["declined_7m"])["decline_reason"] == ""
    assert state(scene["declined_7m"])["status"] == Invitation.Status.DECLINED
    # Withdrawn 7 months ago: every personal detail of the answer is gone.
    withdrawn = state(scene["withdrawn_7m"])
    for name in PERSONAL_DETAIL_FIELDS:
        assert withdrawn[name] in ("", None), name
    assert withdrawn["status"] == Invitation.Status.WITHDRAWN
    # Not due: untouched, to the field.
    for name in ("ended_29", "upcoming", "declined_5m"):
        assert state(scene[name]) == before[name], name
    assert state(scene["upcoming"])["passport_name"] == PASSPORT

    # One event per erased invitation, none on the others.
    erased = {e.invitation_id: e for e in erased_events()}
    assert set(erased) == {scene[n].pk for n in ("ended_31", "declined_7m", "withdrawn_7m")}
    assert "passport" in erased[scene["ended_31"].pk].details["erased"]
    assert "30 days after the edition" in erased[scene["ended_31"].pk].details["reason"]
    assert "6 months" in erased[scene["declined_7m"].pk].details["reason"]
    # The report names counts and editions, never the data.
    assert "Ended 31 days ago" in output
    assert "Ended 29 days ago" not in output and "Upcoming forum" not in output
    assert "in all" in output and ": 3 invitation(s) in all" in output


def test_history_events_never_hold_the_erased_data(scene):
    purge()
    events = erased_events()
    assert events.count() == 3
    text = json.dumps([e.details for e in InvitationEvent.objects.all()], ensure_ascii=False)
    text += " ".join(str(e) for e in InvitationEvent.objects.all())
    for secret in (PASSPORT, "No shellfish", "My mother is in hospital"):
        assert secret not in text


def test_dry_run_changes_nothing_and_reports_the_same_counts(scene):
    before = {name: state(inv) for name, inv in scene.items()}

    dry = purge("--dry-run")

    assert {name: state(inv) for name, inv in scene.items()} == before
    assert not erased_events().exists()
    real = purge()
    assert "nothing erased" in dry
    # Same lines, word for word, but for the verb.
    assert dry.replace("Due (dry run, nothing erased)", "Erased") == real


def test_running_twice_is_a_no_op(scene):
    purge()
    after_first = {name: state(inv) for name, inv in scene.items()}
    events = erased_events().count()

    second = purge()

    assert {name: state(inv) for name, inv in scene.items()} == after_first
    assert erased_events().count() == events
    assert "Erased: 0 invitation(s) in all" in second


def test_retention_periods_follow_the_settings(scene, settings):
    # 28 days: the edition that ended 29 days ago is due too; 8 months: no decline is.
    settings.RETENTION_PASSPORT_DAYS = 28
    settings.RETENTION_NOT_ATTENDING_MONTHS = 8
    purge()
    assert state(scene["ended_29"])["passport_name"] == ""
    assert state(scene["declined_7m"])["decline_reason"] == "My mother is in hospital"


def test_daily_beat_task_runs_the_purge(scene, settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(e["task"] == "forums.tasks.purge_personal_data" for e in schedule.values())

    counts = tasks.purge_personal_data.delay().get()

    assert counts == {"not_attending": 2, "passport": 1}
    assert state(scene["ended_31"])["passport_name"] == ""


def test_purge_reads_only_due_rows(staff, django_assert_max_num_queries):
    # Many rows that hold data but are not due: the queries do not grow with them (no Python
    # loop over every invitation), and a batch of due rows costs a fixed number of queries.
    for _ in range(30):
        answered(staff)
    due = answered(staff)
    edition_ended(due, days_ago=40)
    with django_assert_max_num_queries(12):
        purge()
    assert state(due)["passport_name"] == ""
