"""Visa support letters: who gets one, the register's numbers, the letter's PDF and its email.

Invariants:
- a letter goes only to an accepted invitation whose expert asked for one and gave a passport
  name; `plan_visa_letters` says who else was skipped and why, with the rule the issuing uses;
- a number `<n>/<year>/HV-HTQT` is never given twice: the database's unique (year, n) decides,
  and an allocation that loses a race to another staff member retries with the next number;
- issuing again for the same invitation reuses its number unless staff ask for a new one (then
  the older row is marked replaced, and keeps its number: a register has no gaps explained by
  nothing);
- the register keeps no passport data, and the PDF is made from the invitation whenever it is
  needed (download, command, email at sending time), so the retention purge leaves no copy.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academy_portal.core.services import log_admin_action
from academy_portal.mail.placeholders import GeneratedAttachment
from academy_portal.mail.services import queue_email
from forums.documents.visa_letter import build_visa_letter_pdf, letter_file_name
from forums.models import Edition, Invitation, LetterSettings, VisaLetter

logger = logging.getLogger(__name__)

# Attempts at a number before giving up: each failed one means another letter took it.
NUMBER_ATTEMPTS = 20
# The outbox's name for the letter made at sending time (registered in forums' AppConfig).
ATTACHMENT_GENERATOR = "visa_letter"

SKIP_NOT_ACCEPTED = gettext_lazy("has not accepted (%(status)s)")
SKIP_NOT_ASKED = gettext_lazy("did not ask for a visa support letter")
SKIP_NO_PASSPORT_NAME = gettext_lazy("no passport name (not given, or erased after the edition)")


@dataclass(frozen=True)
class SkippedLetter:
    invitation: Invitation
    reason: str


@dataclass
class LetterPlan:
    """Of a selection of invitations, those that get a letter and those skipped, with why."""

    eligible: list[Invitation] = field(default_factory=list)
    skipped: list[SkippedLetter] = field(default_factory=list)


def why_no_letter(invitation: Invitation) -> str:
    """ "" if the invitation may have a letter; else the reason, for staff."""
    if invitation.status != Invitation.Status.ACCEPTED:
        return str(SKIP_NOT_ACCEPTED) % {"status": invitation.get_status_display().lower()}
    if not invitation.needs_visa_letter:
        return str(SKIP_NOT_ASKED)
    if not invitation.passport_name.strip():
        return str(SKIP_NO_PASSPORT_NAME)
    return ""


def plan_visa_letters(invitations) -> LetterPlan:
    """Split `invitations` (any iterable) into those that get a letter and those that do not."""
    plan = LetterPlan()
    for invitation in invitations:
        reason = why_no_letter(invitation)
        if reason:
            plan.skipped.append(SkippedLetter(invitation, reason))
        else:
            plan.eligible.append(invitation)
    return plan


def edition_letter_candidates(edition: Edition):
    """The invitations of `edition` a letter run considers: every expert who asked for one,
    whatever the answer now, so the run can say who was skipped and why."""
    return (
        Invitation.objects.filter(edition=edition, needs_visa_letter=True)
        .select_related("expert", "edition__forum")
        .order_by("expert__family_name", "expert__given_name", "pk")
    )


def _next_number(year: int) -> int:
    highest = VisaLetter.objects.filter(year=year).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def _insert_with_next_number(**values) -> VisaLetter:
    """Insert a register row under the year's next free number, retrying when another
    transaction took it first (the unique constraint tells, inside a savepoint)."""
    year = values["year"]
    for _attempt in range(NUMBER_ATTEMPTS):
        number = _next_number(year)
        try:
            with transaction.atomic():
                return VisaLetter.objects.create(number=number, **values)
        except IntegrityError:
            logger.info("Visa letter number %s/%s taken meanwhile; trying the next", number, year)
    raise IntegrityError(f"No free visa letter number for {year} after {NUMBER_ATTEMPTS} attempts")


@transaction.atomic
def issue_visa_letter(
    *,
    invitation: Invitation,
    issued_by=None,
    new_number: bool = False,
    language: str = VisaLetter.Language.BILINGUAL,
    now=None,
) -> tuple[VisaLetter, bool]:
    """The invitation's register entry: its current one, or a new number (`new_number`, or
    none yet). Returns (letter, created). ValueError (with the reason) when no letter may go to
    this invitation. Two staff issuing for one invitation at once get one number: the
    invitation's row is locked first."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    reason = why_no_letter(locked)
    if reason:
        raise ValueError(reason)
    current = VisaLetter.objects.current().filter(invitation=locked).first()
    if current is not None and not new_number:
        return current, False
    now = now or timezone.now()
    letter = _insert_with_next_number(
        year=timezone.localtime(now).year,
        invitation=locked,
        expert_id=locked.expert_id,
        edition_id=locked.edition_id,
        language=language,
        issued_at=now,
        issued_by=issued_by,
    )
    if current is not None:
        current.replaced_by = letter
        current.save(update_fields=["replaced_by"])
    log_admin_action(
        user=issued_by,
        obj=letter,
        action_flag=ADDITION,
        message=(
            _("Issued in place of %(previous)s.") % {"previous": current.reference}
            if current is not None
            else _("Issued.")
        ),
    )
    return letter, True


@dataclass
class IssueOutcome:
    letters: list[VisaLetter] = field(default_factory=list)
    created: int = 0
    skipped: list[SkippedLetter] = field(default_factory=list)


def issue_visa_letters(
    invitations, *, issued_by=None, new_number: bool = False, now=None
) -> IssueOutcome:
    """Issue (or find) the letter of each eligible invitation, each in its own transaction, so
    one expert's number is not held back by a long batch; the others are skipped with why."""
    plan = plan_visa_letters(invitations)
    outcome = IssueOutcome(skipped=plan.skipped)
    for invitation in plan.eligible:
        try:
            letter, created = issue_visa_letter(
                invitation=invitation, issued_by=issued_by, new_number=new_number, now=now
            )
        except ValueError as exc:  # changed since it was read (answer changed, data erased)
            outcome.skipped.append(SkippedLetter(invitation, str(exc)))
            continue
        outcome.letters.append(letter)
        outcome.created += int(created)
    return outcome


def render_visa_letter(letter: VisaLetter) -> bytes | None:
    """The letter's PDF, made now from the invitation; None when its passport name is gone."""
    invitation = (
        Invitation.objects.select_related("expert", "edition__forum")
        .filter(pk=letter.invitation_id)
        .first()
    )
    if invitation is None or not invitation.passport_name.strip():
        return None
    return build_visa_letter_pdf(
        letter=letter, invitation=invitation, letter_settings=LetterSettings.current()
    )


def visa_letter_attachment(*, object_id: int, language: str) -> bytes | None:
    """The outbox's attachment builder: the letter's PDF when the email is sent."""
    letter = VisaLetter.objects.filter(pk=object_id).first()
    return render_visa_letter(letter) if letter is not None else None


# What the email says, in the expert's language (the letter itself is bilingual).
EMAIL_SUBJECT = gettext_lazy("Visa support letter: %(edition)s")
EMAIL_BODY = gettext_lazy(
    "Dear %(name)s,\n\n"
    "Please find attached the visa support letter no. %(reference)s of %(academy)s for your "
    "participation in %(edition)s. Kindly present it with your visa application.\n\n"
    "For any question, please write to %(contact)s.\n\n"
    "With best regards,\n%(academy)s"
)


@transaction.atomic
def email_visa_letter(*, letter: VisaLetter, sent_by=None, now=None) -> tuple[object, bool]:
    """Queue the letter to its expert through the outbox, the PDF made when the email is sent
    (the row stores no copy). Once per letter: a second call returns the queued row.
    ValueError when the letter cannot be made (passport name erased)."""
    letter = VisaLetter.objects.select_for_update().get(pk=letter.pk)
    invitation = Invitation.objects.select_related("expert", "edition__forum").get(
        pk=letter.invitation_id
    )
    if not invitation.passport_name.strip():
        raise ValueError(str(SKIP_NO_PASSPORT_NAME))
    expert = invitation.expert
    language = expert.preferred_language or "en"
    edition = invitation.edition
    with translation.override(language):
        academy = settings.ACADEMY_NAME_VI if language == "vi" else settings.ACADEMY_NAME
        title = edition.text_in("title", language)
        subject = str(EMAIL_SUBJECT) % {"edition": title}
        body = str(EMAIL_BODY) % {
            "name": expert.formal_name_for(language),
            "reference": letter.reference,
            "academy": academy,
            "edition": title,
            "contact": edition.contact_email or settings.ACADEMY_CONTACT_EMAIL,
        }
    message, created = queue_email(
        to_email=expert.email,
        to_name=expert.full_name,
        language=language,
        subject=subject,
        text_body=body,
        kind="visa_letter",
        dedup_key=f"visa-letter:{letter.pk}",
        related=letter,
        reply_to=edition.contact_email,
        attachments=[
            GeneratedAttachment(
                filename=letter_file_name(letter),
                mimetype="application/pdf",
                generator=ATTACHMENT_GENERATOR,
            )
        ],
    )
    if created:
        letter.emailed_at = now or timezone.now()
        letter.save(update_fields=["emailed_at"])
        log_admin_action(
            user=sent_by, obj=letter, action_flag=CHANGE, message=_("Emailed to the expert.")
        )
    return message, created
