import datetime as dt
import logging

import pytest
from django.core import mail
from django.utils import timezone

from academy_portal.core.roles import PARTNERSHIPS_OFFICERS, VIEWERS
from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import send_due_messages
from partners import selectors, services
from partners.models import MOU, AcademyUnit
from partners.tasks import check_mou_expiry
from tests.factories import InstitutionFactory, MOUFactory, UserFactory

TODAY = dt.date(2027, 3, 1)


@pytest.fixture
def officers(db, settings):
    settings.SITE_URL = "https://portal.academy.test"
    settings.PARTNERSHIPS_NOTIFY_EMAILS = []
    return [
        UserFactory(
            username="lan",
            email="lan@academy.test",
            first_name="Lan",
            last_name="Nguyễn",
            groups=[PARTNERSHIPS_OFFICERS],
        ),
        UserFactory(username="minh", email="Minh@Academy.test", groups=[PARTNERSHIPS_OFFICERS]),
    ]


def expiring_mou(days_left: int, **kwargs) -> MOU:
    kwargs.setdefault("signed_on", TODAY - dt.timedelta(days=1000))
    return MOUFactory(expires_on=TODAY + dt.timedelta(days=days_left), **kwargs)


def notices(mou=None):
    qs = OutboxMessage.objects.filter(kind=services.MOU_EXPIRY_KIND)
    if mou is not None:
        qs = qs.filter(related_object_id=mou.pk)
    return qs


def thresholds_sent(mou, email="lan@academy.test"):
    keys = notices(mou).filter(to_email=email).values_list("dedup_key", flat=True)
    return sorted((int(k.split(":")[2]) for k in keys), reverse=True)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (365, None),
        (91, None),
        (90, 90),
        (45, 90),
        (31, 90),
        (30, 30),
        (8, 30),
        (7, 7),
        (1, 7),
        (0, 7),  # expires at the end of today: still the 7-day notice
        (-1, None),  # expired: marking it expired is a separate step
    ],
)
def test_notice_threshold_is_the_most_urgent_one_reached(days_left, expected):
    assert services.notice_threshold(days_left, [90, 30, 7]) == expected


def test_notice_reaches_every_active_officer_and_extra_address_once(officers, settings):
    settings.PARTNERSHIPS_NOTIFY_EMAILS = ["partnerships@academy.test", "LAN@academy.test"]
    UserFactory(
        username="gone", email="gone@academy.test", is_active=False, groups=[PARTNERSHIPS_OFFICERS]
    )
    UserFactory(username="viewer", email="viewer@academy.test", groups=[VIEWERS])
    UserFactory(username="noemail", email="", groups=[PARTNERSHIPS_OFFICERS])
    mou = expiring_mou(90)

    queued = services.notify_expiring_mous(today=TODAY)

    assert sorted(m.to_email for m in queued) == [
        "Minh@Academy.test",
        "lan@academy.test",
        "partnerships@academy.test",
    ]
    assert all(m.related_object_id == mou.pk for m in queued)
    assert notices().count() == 3


def test_notice_lists_what_the_officer_needs_with_a_link_to_the_admin(officers):
    institution = InstitutionFactory(name="Lowy Institute", acronym="LOWY")
    mou = expiring_mou(
        30,
        institution=institution,
        title="MOU on maritime research",
        academy_unit=AcademyUnit.EAST_SEA,
    )

    services.notify_expiring_mous(today=TODAY)

    message = notices(mou).get(to_email="lan@academy.test")
    assert message.subject == "MOU with Lowy Institute expires in 30 days: MOU on maritime research"
    assert message.language == "en"
    assert message.to_name == "Lan Nguyễn"
    admin_url = f"https://portal.academy.test/admin/partners/mou/{mou.pk}/change/"
    history_url = f"https://portal.academy.test/staff/partners/{institution.pk}/history/"
    for body in (message.text_body, message.html_body):
        assert "Lowy Institute (LOWY)" in body
        assert "MOU on maritime research" in body
        assert "31 Mar 2027" in body  # the expiry date, day first
        assert "30" in body
        assert "East Sea Institute" in body
        assert admin_url in body
        assert history_url in body
    assert "Dear Lan Nguyễn," in message.text_body
    assert "<table>" in message.html_body
    assert "&lt;" not in message.text_body  # the text part is not HTML-escaped


def test_notice_text_parts_are_not_html_escaped_but_the_html_part_is(officers):
    mou = expiring_mou(
        0, institution=InstitutionFactory(name="Research & Policy <Centre>"), title="A & B"
    )
    recipient = selectors.Recipient(email="x@academy.test")

    subject, text, html = services.render_mou_expiry_notice(
        mou, threshold=7, today=TODAY, recipient=recipient
    )

    assert subject == "MOU with Research & Policy <Centre> expires today: A & B"
    assert "Research & Policy <Centre>" in text
    assert "Research &amp; Policy &lt;Centre&gt;" in html


def test_notice_is_rendered_in_the_recipients_language(officers):
    mou = expiring_mou(7)
    recipient = selectors.Recipient(email="vi@academy.test", name="Chị Hoa", language="vi")

    subject, text, html = services.render_mou_expiry_notice(
        mou, threshold=7, today=TODAY, recipient=recipient
    )

    assert '<html lang="vi">' in html
    # Vietnamese date format, whatever the translation catalogue holds today.
    assert "08/03/2027" in text or "tháng 3" in text
    assert "March 8, 2027" not in text
    assert "\n" not in subject


def test_running_twice_queues_nothing_twice(officers, django_assert_max_num_queries):
    mou = expiring_mou(30)
    for days in range(40, 69):
        expiring_mou(days)

    first = services.notify_expiring_mous(today=TODAY)
    # The re-run only looks (recipients, MOUs, dedup keys already queued), whatever the count.
    with django_assert_max_num_queries(6):
        second = services.notify_expiring_mous(today=TODAY)
    third = services.notify_expiring_mous(today=TODAY + dt.timedelta(days=1))

    assert len(first) == 60
    assert second == []
    assert third == []
    assert notices(mou).count() == 2
    assert notices().count() == 60


def test_a_daily_run_sends_90_30_and_7_once_each_on_the_right_day(officers):
    mou = expiring_mou(100)
    sent_on = {}
    for offset in range(0, 105):
        day = TODAY + dt.timedelta(days=offset)
        services.mark_expired_mous(today=day)
        for message in services.notify_expiring_mous(today=day):
            if message.to_email == "lan@academy.test":
                sent_on[int(message.dedup_key.split(":")[2])] = (mou.expires_on - day).days

    assert sent_on == {90: 90, 30: 30, 7: 7}
    assert notices(mou).count() == 6  # 3 thresholds x 2 officers
    mou.refresh_from_db()
    assert mou.status == MOU.Status.EXPIRED


def test_missed_runs_send_only_the_threshold_reached_never_a_passed_one(officers):
    mou = expiring_mou(95)
    assert services.notify_expiring_mous(today=TODAY) == []

    # The beat was down for 70 days: 25 days left. Only the 30-day notice goes out.
    services.notify_expiring_mous(today=TODAY + dt.timedelta(days=70))
    assert thresholds_sent(mou) == [30]

    # Down again until 2 days before expiry: the 7-day notice, and no late 90-day one.
    services.notify_expiring_mous(today=TODAY + dt.timedelta(days=93))
    services.notify_expiring_mous(today=TODAY + dt.timedelta(days=94))
    assert thresholds_sent(mou) == [30, 7]


def test_a_new_expiry_date_notifies_again(officers):
    mou = expiring_mou(30)
    services.notify_expiring_mous(today=TODAY)
    assert thresholds_sent(mou) == [30]

    # Extended by an amendment, but only by a few weeks: the officers hear about it again.
    mou.expires_on = TODAY + dt.timedelta(days=60)
    mou.save()
    services.notify_expiring_mous(today=TODAY)
    assert thresholds_sent(mou) == [90, 30]
    assert notices(mou).filter(dedup_key__contains=mou.expires_on.isoformat()).count() == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": MOU.Status.DRAFT},
        {"status": MOU.Status.TERMINATED},
        {"status": MOU.Status.EXPIRED},
    ],
)
def test_mous_not_in_force_get_no_notice(officers, kwargs):
    expiring_mou(7, **kwargs)
    assert services.notify_expiring_mous(today=TODAY) == []


def test_open_ended_and_already_renewed_mous_get_no_notice(officers):
    MOUFactory(expires_on=None)
    old = expiring_mou(7)
    # Renewed by hand in the admin without closing the old one: no reminder needed.
    MOUFactory(institution=old.institution, supersedes=old, signed_on=TODAY)

    assert services.notify_expiring_mous(today=TODAY) == []


def test_without_recipients_nothing_is_lost_a_later_officer_gets_the_notice(db, settings, caplog):
    settings.PARTNERSHIPS_NOTIFY_EMAILS = []
    mou = expiring_mou(20)

    with caplog.at_level(logging.WARNING, logger="partners.services"):
        assert services.notify_expiring_mous(today=TODAY) == []
    assert "nobody is in the 'Partnerships officers' group" in caplog.text

    UserFactory(username="new", email="new@academy.test", groups=[PARTNERSHIPS_OFFICERS])
    queued = services.notify_expiring_mous(today=TODAY + dt.timedelta(days=1))
    assert [(m.to_email, m.related_object_id) for m in queued] == [("new@academy.test", mou.pk)]


def test_a_broken_extra_address_does_not_silence_the_officers(officers, settings, caplog):
    settings.PARTNERSHIPS_NOTIFY_EMAILS = ["not-an-address"]
    expiring_mou(7)

    with caplog.at_level(logging.ERROR, logger="partners.services"):
        queued = services.notify_expiring_mous(today=TODAY)

    assert sorted(m.to_email for m in queued) == ["Minh@Academy.test", "lan@academy.test"]
    assert "not-an-address" in caplog.text


def test_mark_expired_closes_mous_past_their_expiry_date_once_with_a_note(db):
    past = expiring_mou(-1, renewal_notes="Signed at the 2024 conference.")
    today_mou = expiring_mou(0)
    draft = expiring_mou(-10, status=MOU.Status.DRAFT)

    marked = services.mark_expired_mous(today=TODAY)
    again = services.mark_expired_mous(today=TODAY)

    assert [m.pk for m in marked] == [past.pk]
    assert again == []
    past.refresh_from_db()
    today_mou.refresh_from_db()
    draft.refresh_from_db()
    assert past.status == MOU.Status.EXPIRED
    assert past.renewal_notes == (
        "Signed at the 2024 conference.\n"
        "2027-03-01: marked expired automatically (expiry date 2027-02-28)."
    )
    assert today_mou.status == MOU.Status.ACTIVE  # in force until the end of its last day
    assert draft.status == MOU.Status.DRAFT


def test_the_beat_task_marks_and_notifies_and_is_safe_to_run_twice(officers):
    today = timezone.localdate()
    soon = MOUFactory(
        signed_on=today - dt.timedelta(days=700), expires_on=today + dt.timedelta(days=7)
    )
    over = MOUFactory(
        signed_on=today - dt.timedelta(days=700), expires_on=today - dt.timedelta(days=3)
    )

    first = check_mou_expiry.apply().get()
    second = check_mou_expiry.apply().get()

    assert first == {"expired": [over.pk], "queued": 2}
    assert second == {"expired": [], "queued": 0}
    over.refresh_from_db()
    assert over.status == MOU.Status.EXPIRED
    assert notices(soon).count() == 2


def test_queued_notice_is_sent_as_multipart_text_and_html(officers):
    mou = expiring_mou(7, title="MOU on Mekong water security")
    services.notify_expiring_mous(today=TODAY)

    send_due_messages()

    sent = [m for m in mail.outbox if "MOU on Mekong water security" in m.subject]
    assert sorted(m.to[0].split("<")[-1].rstrip(">") for m in sent) == [
        "Minh@Academy.test",
        "lan@academy.test",
    ]
    html, mimetype = sent[0].alternatives[0]
    assert mimetype == "text/html"
    assert "MOU on Mekong water security" in html
    assert notices(mou).filter(status=OutboxMessage.Status.SENT).count() == 2
