"""Retention: personal details are erased once the academy no longer needs them.

Two rules, run daily by beat (forums.tasks.purge_personal_data) and by hand
(`manage.py purge_personal_data [--dry-run]`):

- PASSPORT: passport name and nationality, settings.RETENTION_PASSPORT_DAYS days after the
  edition ended (whatever the answer was).
- NOT_ATTENDING: every personal detail of the answer (core.privacy.PERSONAL_DETAIL_FIELDS and
  the reason for declining) of declined, expired and withdrawn invitations,
  settings.RETENTION_NOT_ATTENDING_MONTHS months after the invitation last changed.

Invariants: only rows that still hold the data and are due are touched (the filters run on
partial indexes of exactly those rows), so a second run finds nothing; status, edition, yes/no
needs and consent stay, so statistics hold; each erasure leaves one DATA_ERASED event on the
invitation naming the kind of data and the rule, never the data itself.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from academy_portal.core.privacy import PERSONAL_DETAIL_FIELDS
from forums.models import Edition, Invitation, InvitationEvent
from forums.models.invitations import HOLDS_PASSPORT, HOLDS_PERSONAL_ANSWER

# Rows per transaction: short locks, so experts answering meanwhile hardly wait.
PURGE_BATCH_SIZE = 200

PASSPORT = "passport"
NOT_ATTENDING = "not_attending"
# NOT_ATTENDING first: it erases the passport too, so each invitation counts under one kind.
KINDS = (NOT_ATTENDING, PASSPORT)

PASSPORT_FIELDS = ("passport_name", "passport_nationality")
ANSWER_FIELDS = (*PERSONAL_DETAIL_FIELDS, "decline_reason")
NOT_ATTENDING_STATUSES = (
    Invitation.Status.DECLINED,
    Invitation.Status.EXPIRED,
    Invitation.Status.WITHDRAWN,
)

# What each kind empties: "" for text, None for dates.
ERASED_VALUES = {name: None if name.endswith("_date") else "" for name in ANSWER_FIELDS}


@dataclass
class PurgeResult:
    """Invitations erased (or due, in a dry run) per kind, and per edition within each kind."""

    dry_run: bool = False
    by_kind: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})

    def count(self, kind: str) -> int:
        return sum(self.by_kind[kind].values())

    @property
    def total(self) -> int:
        return sum(self.count(kind) for kind in KINDS)


def _due(kind: str, *, now) -> Q:
    """The filter of rows due under `kind` at `now`: indexed fields only."""
    if kind == PASSPORT:
        cutoff = timezone.localdate(now) - timedelta(days=settings.RETENTION_PASSPORT_DAYS)
        ended = Edition.objects.filter(end_date__lt=cutoff).values("pk")
        return HOLDS_PASSPORT & Q(edition__in=ended)
    cutoff = now - relativedelta(months=settings.RETENTION_NOT_ATTENDING_MONTHS)
    return HOLDS_PERSONAL_ANSWER & Q(status__in=NOT_ATTENDING_STATUSES, updated_at__lt=cutoff)


def _event_details(kind: str) -> dict:
    # Names of the fields and of the rule only: never their content.
    if kind == PASSPORT:
        return {
            "erased": "passport name, passport nationality",
            "reason": f"retention: {settings.RETENTION_PASSPORT_DAYS} days after the edition",
        }
    return {
        "erased": "personal details of the answer (" + ", ".join(ANSWER_FIELDS) + ")",
        "reason": (
            f"retention: {settings.RETENTION_NOT_ATTENDING_MONTHS} months after the invitation "
            "was declined, expired or withdrawn"
        ),
    }


def _erase_batch(kind: str, ids: list[int], *, now) -> Counter:
    """Erase `kind` on the still-due rows among `ids`; per edition id, how many were erased."""
    names = PASSPORT_FIELDS if kind == PASSPORT else ANSWER_FIELDS
    with transaction.atomic():
        rows = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(_due(kind, now=now), pk__in=ids)
            .values_list("pk", "edition_id")
        )
        if not rows:
            return Counter()
        locked_ids = [pk for pk, _edition in rows]
        # updated_at stays: it is the NOT_ATTENDING clock, and erasing is not a change of answer.
        Invitation.objects.filter(pk__in=locked_ids).update(
            **{name: ERASED_VALUES[name] for name in names}
        )
        details = _event_details(kind)
        InvitationEvent.objects.bulk_create(
            InvitationEvent(
                invitation_id=pk,
                kind=InvitationEvent.Kind.DATA_ERASED,
                details=details,
                created_at=now,
            )
            for pk in locked_ids
        )
    return Counter(edition_id for _pk, edition_id in rows)


def purge_personal_data(*, dry_run: bool = False, now=None) -> PurgeResult:
    """Erase what the retention rules say is due, in batches; with `dry_run`, count only.

    Safe to run twice or concurrently: each batch re-checks the rule under a row lock and
    skips rows another run holds, and an erased row no longer matches.
    """
    now = now or timezone.now()
    result = PurgeResult(dry_run=dry_run)
    for kind in KINDS:
        due = Invitation.objects.filter(_due(kind, now=now))
        if dry_run:
            # What the earlier kinds would have erased is not counted again.
            for earlier in KINDS[: KINDS.index(kind)]:
                due = due.exclude(_due(earlier, now=now))
            counts = due.order_by().values("edition_id").annotate(n=Count("pk"))
            result.by_kind[kind] = Counter({row["edition_id"]: row["n"] for row in counts})
            continue
        last_pk = 0
        while True:
            ids = list(
                due.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:PURGE_BATCH_SIZE]
            )
            if not ids:
                break
            last_pk = ids[-1]
            result.by_kind[kind] += _erase_batch(kind, ids, now=now)
    return result


def describe_editions(edition_ids) -> dict[int, str]:
    """Edition labels ("SCS 15: The 15th ...") for a purge report."""
    editions = Edition.objects.select_related("forum").filter(pk__in=list(edition_ids))
    return {edition.pk: str(edition) for edition in editions}
