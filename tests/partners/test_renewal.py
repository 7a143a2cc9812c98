import datetime as dt
import threading

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from academy_portal.core.roles import PARTNERSHIPS_OFFICERS, VIEWERS
from partners import services
from partners.models import MOU, AcademyUnit
from tests.factories import MOUFactory, UserFactory


@pytest.fixture
def officer(db):
    return UserFactory(
        username="officer", first_name="Lan", last_name="Trần", groups=[PARTNERSHIPS_OFFICERS]
    )


@pytest.fixture
def old_mou(db):
    today = timezone.localdate()
    return MOUFactory(
        title="MOU on maritime research",
        academy_unit=AcademyUnit.ISS,
        signed_on=today - dt.timedelta(days=5 * 365 - 20),
        effective_from=today - dt.timedelta(days=5 * 365 - 20),
        expires_on=today + dt.timedelta(days=20),
        areas_of_cooperation="Maritime law\nJoint research",
        signatories="Dr. A (Academy); Prof. B (Partner)",
        renewal_notes="Original signed in Hà Nội.",
    )


def renew(mou, officer, **kwargs):
    today = timezone.localdate()
    kwargs.setdefault("signed_on", today)
    kwargs.setdefault("expires_on", today + dt.timedelta(days=5 * 365))
    return services.renew_mou(mou, renewed_by=officer, **kwargs)


def test_renewal_creates_a_superseding_mou_and_keeps_the_old_one_in_history(old_mou, officer):
    today = timezone.localdate()
    new = renew(old_mou, officer, title="MOU on maritime research 2026-2031", notes="Scope same.")

    assert new.pk != old_mou.pk
    assert new.supersedes == old_mou
    assert new.institution == old_mou.institution
    assert new.academy_unit == AcademyUnit.ISS
    assert new.areas_of_cooperation == "Maritime law\nJoint research"
    assert new.signatories == "Dr. A (Academy); Prof. B (Partner)"
    assert new.title == "MOU on maritime research 2026-2031"
    assert new.signed_on == today
    assert new.effective_from == today  # effective on signing unless said otherwise
    assert new.status == MOU.Status.ACTIVE
    assert "renews “MOU on maritime research”" in new.renewal_notes
    assert "by Lan Trần" in new.renewal_notes
    assert new.renewal_notes.endswith("Scope same.")

    old_mou.refresh_from_db()
    assert old_mou.status == MOU.Status.EXPIRED
    assert old_mou.superseded_by == new
    assert old_mou.renewal_notes.startswith("Original signed in Hà Nội.\n")
    assert "renewed by “MOU on maritime research 2026-2031”" in old_mou.renewal_notes
    # Both MOUs' admin history says who did it.
    entries = {int(e.object_id): e for e in LogEntry.objects.filter(user=officer).order_by("pk")}
    assert entries[new.pk].action_flag == ADDITION
    assert entries[new.pk].get_change_message() == "Renewal of “MOU on maritime research”."
    assert entries[old_mou.pk].action_flag == CHANGE


def test_renewal_keeps_the_title_when_none_is_given(old_mou, officer):
    assert renew(old_mou, officer).title == "MOU on maritime research"


def test_an_mou_is_renewed_only_once(old_mou, officer):
    first = renew(old_mou, officer)

    with pytest.raises(services.RenewalRefused) as excinfo:
        renew(old_mou, officer, title="Another renewal")

    assert "already renewed by “MOU on maritime research”" in excinfo.value.messages[0]
    assert MOU.objects.filter(supersedes=old_mou).get() == first
    assert MOU.objects.count() == 2


def test_a_draft_cannot_be_renewed(old_mou, officer):
    old_mou.status = MOU.Status.DRAFT
    old_mou.save()

    with pytest.raises(services.RenewalRefused, match="draft"):
        renew(old_mou, officer)
    assert MOU.objects.count() == 1


def test_a_renewal_cannot_be_signed_before_the_original(old_mou, officer):
    with pytest.raises(services.RenewalRefused, match="cannot be signed before"):
        renew(old_mou, officer, signed_on=old_mou.signed_on - dt.timedelta(days=1))
    old_mou.refresh_from_db()
    assert old_mou.status == MOU.Status.ACTIVE


def test_invalid_renewal_changes_nothing(old_mou, officer):
    # Same title and signing date as the MOU it renews: the unique constraint refuses it.
    with pytest.raises(ValidationError):
        renew(old_mou, officer, signed_on=old_mou.signed_on)
    with pytest.raises(ValidationError):
        renew(old_mou, officer, expires_on=timezone.localdate() - dt.timedelta(days=1))

    old_mou.refresh_from_db()
    assert old_mou.status == MOU.Status.ACTIVE
    assert old_mou.renewal_notes == "Original signed in Hà Nội."
    assert MOU.objects.count() == 1


def test_a_terminated_mou_stays_terminated_when_renewed(old_mou, officer):
    old_mou.status = MOU.Status.TERMINATED
    old_mou.save()

    renew(old_mou, officer)

    old_mou.refresh_from_db()
    assert old_mou.status == MOU.Status.TERMINATED


def test_recording_a_past_renewal_stores_it_as_expired(old_mou, officer):
    # Staff entering the history of an old partnership: the renewal itself has run out.
    old_mou.signed_on = old_mou.effective_from = dt.date(2010, 1, 1)
    old_mou.expires_on = dt.date(2015, 1, 1)
    old_mou.status = MOU.Status.EXPIRED
    old_mou.save()

    new = renew(old_mou, officer, signed_on=dt.date(2015, 1, 2), expires_on=dt.date(2020, 1, 1))

    assert new.status == MOU.Status.EXPIRED


def test_open_ended_renewal(old_mou, officer):
    new = renew(old_mou, officer, expires_on=None)
    assert new.expires_on is None
    assert new.status == MOU.Status.ACTIVE


# --- The "Renew…" page ----------------------------------------------------------------------


def renew_url(mou):
    return reverse("partners:mou_renew", args=[mou.pk])


def test_renew_page_suggests_dates_continuing_the_mou(client, old_mou, officer):
    client.force_login(officer)

    response = client.get(renew_url(old_mou))

    assert response.status_code == 200
    form = response.context["form"]
    starts = old_mou.expires_on + dt.timedelta(days=1)
    assert form.initial["effective_from"] == starts
    assert form.initial["expires_on"] == starts + (old_mou.expires_on - old_mou.effective_from)
    assert form.initial["title"] == "MOU on maritime research"
    assert "Renew MOU" in response.content.decode()


def test_renew_page_date_inputs_keep_iso_values_in_vietnamese(client, old_mou, officer):
    client.force_login(officer)

    page = client.get(renew_url(old_mou), HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    assert '<html lang="vi"' in page
    # <input type="date"> only accepts ISO dates; a localised value would show an empty field.
    assert f'value="{timezone.localdate().isoformat()}"' in page


def test_renew_page_creates_the_renewal_and_a_double_click_creates_nothing_more(
    client, old_mou, officer
):
    client.force_login(officer)
    data = {
        "title": "MOU on maritime research (renewed)",
        "signed_on": timezone.localdate().isoformat(),
        "effective_from": "",
        "expires_on": (timezone.localdate() + dt.timedelta(days=1000)).isoformat(),
        "notes": "",
    }

    first = client.post(renew_url(old_mou), data)
    second = client.post(renew_url(old_mou), data, follow=True)

    new = MOU.objects.get(supersedes=old_mou)
    assert first.status_code == 302
    assert first["Location"] == reverse("admin:partners_mou_change", args=[new.pk])
    assert second.status_code == 200
    assert "already renewed by “MOU on maritime research (renewed)”" in second.content.decode()
    assert MOU.objects.count() == 2


def test_renew_page_shows_errors_and_creates_nothing(client, old_mou, officer):
    client.force_login(officer)
    today = timezone.localdate()

    bad_dates = client.post(
        renew_url(old_mou),
        {"signed_on": today.isoformat(), "expires_on": (today - dt.timedelta(days=3)).isoformat()},
    )
    duplicate = client.post(
        renew_url(old_mou),
        {"signed_on": old_mou.signed_on.isoformat(), "expires_on": "2040-01-01"},
    )
    garbage = client.post(renew_url(old_mou), {"signed_on": "not a date"})

    assert bad_dates.status_code == 200
    assert "cannot be before the signing date" in bad_dates.content.decode()
    assert duplicate.status_code == 200
    assert duplicate.context["form"].non_field_errors()
    assert garbage.status_code == 200
    assert garbage.context["form"].errors["signed_on"]
    assert MOU.objects.count() == 1


def test_renew_page_needs_a_partnerships_role(client, old_mou):
    viewer = UserFactory(username="viewer", groups=[VIEWERS])

    anonymous = client.get(renew_url(old_mou))
    client.force_login(viewer)
    forbidden = client.post(renew_url(old_mou), {"signed_on": "2030-01-01"})

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))
    assert forbidden.status_code == 403
    assert MOU.objects.count() == 1


def test_mou_admin_page_offers_renew_and_history(client, old_mou, officer):
    client.force_login(officer)

    page = client.get(reverse("admin:partners_mou_change", args=[old_mou.pk])).content.decode()
    assert renew_url(old_mou) in page
    assert reverse("partners:institution_history", args=[old_mou.institution_id]) in page

    renew(old_mou, officer)
    page = client.get(reverse("admin:partners_mou_change", args=[old_mou.pk])).content.decode()
    assert renew_url(old_mou) not in page  # already renewed: nothing to offer


def test_two_officers_renewing_at_once_make_one_renewal(require_postgres, transactional_db):
    # Real concurrency needs row locks: PostgreSQL only (SQLite serialises writers anyway).
    today = timezone.localdate()
    mou = MOUFactory(signed_on=today - dt.timedelta(days=1800), expires_on=today)
    officers = [
        UserFactory(username=f"officer{i}", groups=[PARTNERSHIPS_OFFICERS]) for i in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(officer):
        try:
            barrier.wait()
            new = services.renew_mou(
                mou,
                title=f"Renewal by {officer.username}",
                signed_on=today,
                expires_on=today + dt.timedelta(days=1800),
                renewed_by=officer,
            )
            outcomes.append(("renewed", new.pk))
        except services.RenewalRefused as exc:
            outcomes.append(("refused", exc.messages[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(kind for kind, _ in outcomes) == ["refused", "renewed"]
    assert MOU.objects.filter(supersedes=mou).count() == 1
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert "already renewed" in refused
