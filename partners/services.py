"""Partner services: MOU expiry notices, expiry marking, renewals, and the partner history page's
read (`partner_history`). The partner import is its own package, partners/importing."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from academy_portal.core.academy import academy_name
from academy_portal.core.roles import PARTNERSHIPS_OFFICERS
from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import queue_email

from .models import MOU
from .selectors import Recipient, partnership_recipients

logger = logging.getLogger(__name__)

MOU_EXPIRY_KIND = "mou_expiry"
DEDUP_KEY_MAX_LENGTH = 255


# --- Expiry notices ----------------------------------------------------------------------------


@dataclass
class ExpiryCheckResult:
    expired: list[MOU]
    queued: list  # OutboxMessage rows created by this run


def notice_threshold(days_left: int, thresholds: list[int] | None = None) -> int | None:
    """The most urgent threshold reached `days_left` days before expiry; None before the first
    threshold and after expiry."""
    thresholds = settings.MOU_EXPIRY_NOTICE_DAYS if thresholds is None else thresholds
    if days_left < 0:
        return None
    reached = [t for t in thresholds if days_left <= t]
    # Only the most urgent one: a run missed for days must not send the stale, less urgent ones.
    return min(reached) if reached else None


def mou_expiry_dedup_key(mou: MOU, *, threshold: int, email: str) -> str:
    """Once per MOU, threshold, expiry date and recipient: a new expiry date notifies again."""
    key = f"mou-expiry:{mou.pk}:{threshold}:{mou.expires_on.isoformat()}:{email.strip().lower()}"
    if len(key) > DEDUP_KEY_MAX_LENGTH:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        key = f"mou-expiry:{mou.pk}:{threshold}:{mou.expires_on.isoformat()}:{digest}"
    return key


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def mou_admin_url(mou: MOU) -> str:
    try:
        return absolute_url(reverse("admin:partners_mou_change", args=[mou.pk]))
    except NoReverseMatch:  # the MOU admin is not registered (e.g. a trimmed-down deployment)
        return absolute_url(reverse("partners:institution_history", args=[mou.institution_id]))


def render_mou_expiry_notice(
    mou: MOU, *, threshold: int, today: dt.date, recipient: Recipient
) -> tuple[str, str, str]:
    """(subject, text, html) of an expiry notice, in the recipient's language."""
    context = {
        "mou": mou,
        "institution": mou.institution,
        "threshold": threshold,
        "days_left": (mou.expires_on - today).days,
        "today": today,
        "recipient": recipient,
        "mou_url": mou_admin_url(mou),
        "history_url": absolute_url(
            reverse("partners:institution_history", args=[mou.institution_id])
        ),
        "academy_name": academy_name(recipient.language),
        "language": recipient.language,
    }
    with translation.override(recipient.language):
        subject = render_to_string("emails/partners/mou_expiry_subject.txt", context)
        text = render_to_string("emails/partners/mou_expiry.txt", context)
        html = render_to_string("emails/partners/mou_expiry.html", context)
    return " ".join(subject.split()), text, html


def notify_expiring_mous(*, today: dt.date | None = None) -> list:
    """Each officer gets one notice per MOU, threshold and expiry date, for the most urgent
    threshold reached; running again queues nothing new."""
    today = today or timezone.localdate()
    thresholds = settings.MOU_EXPIRY_NOTICE_DAYS
    if not thresholds:
        return []
    recipients = partnership_recipients()
    mous = (
        MOU.objects.expiring_within(max(thresholds), today=today)
        # An MOU already renewed needs no reminder, even if nobody closed it yet.
        .filter(superseded_by__isnull=True)
        .select_related("institution")
        .order_by("expires_on", "pk")
    )
    due = []
    for mou in mous:
        threshold = notice_threshold((mou.expires_on - today).days, thresholds)
        if threshold is not None:
            due.append((mou, threshold))
    # One query for what earlier runs already queued, so a re-run renders nothing again;
    # queue_email's unique dedup_key still settles a race between two runs.
    already = set(
        OutboxMessage.objects.filter(
            dedup_key__in=[
                mou_expiry_dedup_key(mou, threshold=threshold, email=r.email)
                for mou, threshold in due
                for r in recipients
            ]
        ).values_list("dedup_key", flat=True)
    )
    queued = []
    with transaction.atomic():
        for mou, threshold in due:
            if not recipients:
                logger.warning(
                    "MOU %s reached its %s-day expiry notice but nobody is in the %r group "
                    "and PARTNERSHIPS_NOTIFY_EMAILS is empty",
                    mou.pk,
                    threshold,
                    PARTNERSHIPS_OFFICERS,
                )
                continue
            for recipient in recipients:
                if mou_expiry_dedup_key(mou, threshold=threshold, email=recipient.email) in already:
                    continue
                subject, text, html = render_mou_expiry_notice(
                    mou, threshold=threshold, today=today, recipient=recipient
                )
                try:
                    message, created = queue_email(
                        to_email=recipient.email,
                        to_name=recipient.name,
                        subject=subject,
                        text_body=text,
                        html_body=html,
                        language=recipient.language,
                        kind=MOU_EXPIRY_KIND,
                        dedup_key=mou_expiry_dedup_key(
                            mou, threshold=threshold, email=recipient.email
                        ),
                        related=mou,
                    )
                except ValidationError as exc:
                    # One mistyped address in PARTNERSHIPS_NOTIFY_EMAILS must not silence the
                    # others; it is logged on every run until fixed.
                    logger.error(
                        "MOU expiry notice for MOU %s not queued for %r: %s",
                        mou.pk,
                        recipient.email,
                        "; ".join(exc.messages),
                    )
                    continue
                if created:
                    queued.append(message)
    return queued


def _append_note(existing: str, line: str) -> str:
    return f"{existing.rstrip()}\n{line}" if existing.strip() else line


def mark_expired_mous(*, today: dt.date | None = None) -> list[MOU]:
    """Active MOUs whose expiry date has passed become expired, with a dated note; each once."""
    today = today or timezone.localdate()
    marked = []
    with transaction.atomic():
        # skip_locked: a concurrent run (or a renewal holding the row) handles those rows itself.
        for mou in MOU.objects.past_expiry(today=today).select_for_update(skip_locked=True):
            with translation.override(settings.LANGUAGE_CODE):
                note = str(
                    _("%(today)s: marked expired automatically (expiry date %(expires_on)s).")
                    % {"today": today.isoformat(), "expires_on": mou.expires_on.isoformat()}
                )
            mou.status = MOU.Status.EXPIRED
            mou.renewal_notes = _append_note(mou.renewal_notes, note)
            mou.save(update_fields=["status", "renewal_notes", "updated_at"])
            logger.info("MOU %s (%s) marked expired", mou.pk, mou.title)
            marked.append(mou)
    return marked


def check_mou_expiry(*, today: dt.date | None = None) -> ExpiryCheckResult:
    """The daily check: close what has expired, then notify what is about to."""
    today = today or timezone.localdate()
    expired = mark_expired_mous(today=today)
    queued = notify_expiring_mous(today=today)
    return ExpiryCheckResult(expired=expired, queued=queued)


# --- Renewals ----------------------------------------------------------------------------------


def _log_renewal(*, old: MOU, new: MOU, user) -> None:
    # The admin's own "History" of both MOUs then shows who renewed what, and when.

    with translation.override(settings.LANGUAGE_CODE):
        LogEntry.objects.log_actions(
            user.pk,
            [new],
            ADDITION,
            str(_("Renewal of “%(title)s”.") % {"title": old.title}),
            single_object=True,
        )
        LogEntry.objects.log_actions(
            user.pk,
            [old],
            CHANGE,
            str(_("Renewed by “%(title)s”.") % {"title": new.title}),
            single_object=True,
        )


class RenewalRefused(ValidationError):
    """A renewal that cannot be made; the message is shown to staff as a form error."""


def renew_mou(
    mou: MOU,
    *,
    title: str | None = None,
    signed_on: dt.date,
    effective_from: dt.date | None = None,
    expires_on: dt.date | None,
    renewed_by,
    notes: str = "",
) -> MOU:
    """A new MOU supersedes `mou` (same institution, unit, areas, signatories); the old one is
    closed with a note. An MOU is renewed at most once."""
    with transaction.atomic():
        # The lock makes a double click or two staff renewing at once wait and then be refused.
        old = MOU.objects.select_for_update().select_related("institution").get(pk=mou.pk)
        successor = MOU.objects.filter(supersedes=old).first()
        if successor is not None:
            raise RenewalRefused(
                _("This MOU was already renewed by “%(title)s”; renew that one instead."),
                code="already_renewed",
                params={"title": successor.title},
            )
        if old.status == MOU.Status.DRAFT:
            raise RenewalRefused(
                _("A draft MOU cannot be renewed: edit it, or mark it active first."),
                code="draft",
            )
        if old.signed_on and signed_on < old.signed_on:
            raise RenewalRefused(
                _("The renewal cannot be signed before the MOU it renews (signed on %(date)s)."),
                code="signed_before_original",
                params={"date": old.signed_on.isoformat()},
            )
        today = timezone.localdate()
        effective_from = effective_from or signed_on
        who = renewed_by.get_full_name() or renewed_by.get_username()
        with translation.override(settings.LANGUAGE_CODE):
            new_note = str(
                _("%(today)s: renews “%(title)s” (%(signed)s to %(expires)s), by %(who)s.")
                % {
                    "today": today.isoformat(),
                    "title": old.title,
                    "signed": old.signed_on.isoformat() if old.signed_on else "—",
                    "expires": old.expires_on.isoformat() if old.expires_on else "—",
                    "who": who,
                }
            )
        new = MOU(
            institution=old.institution,
            title=(title or "").strip() or old.title,
            academy_unit=old.academy_unit,
            signed_on=signed_on,
            effective_from=effective_from,
            expires_on=expires_on,
            status=(
                MOU.Status.EXPIRED
                if expires_on is not None and expires_on < today
                else MOU.Status.ACTIVE
            ),
            areas_of_cooperation=old.areas_of_cooperation,
            signatories=old.signatories,
            supersedes=old,
            renewal_notes=_append_note(new_note, notes.strip()),
        )
        # Raises ValidationError (shown on the form) for a duplicate title+date or bad dates.
        new.full_clean()
        new.save()

        with translation.override(settings.LANGUAGE_CODE):
            old_note = str(
                _("%(today)s: renewed by “%(title)s” (%(signed)s to %(expires)s), by %(who)s.")
                % {
                    "today": today.isoformat(),
                    "title": new.title,
                    "signed": signed_on.isoformat(),
                    "expires": expires_on.isoformat() if expires_on else "—",
                    "who": who,
                }
            )
        # A terminated MOU stays terminated; anything else in force is now closed.
        if old.status == MOU.Status.ACTIVE:
            old.status = MOU.Status.EXPIRED
        old.renewal_notes = _append_note(old.renewal_notes, old_note)
        old.save(update_fields=["status", "renewal_notes", "updated_at"])
        _log_renewal(old=old, new=new, user=renewed_by)
    mou.refresh_from_db()
    return new
