"""Demo data for Academy Portal: `build_demo()` runs the steps in order inside one transaction.

To add demo data (say, invitations), write `def build_x(ctx: DemoContext) -> None` that upserts by
a natural key (see `context.upsert`) and uses `ctx.rng("x")` for any randomness, then append it to
STEPS. Lines it appends to `ctx.notes` are printed by `manage.py load_demo` after the summary.
"""

import datetime as dt
import os
from collections import Counter

from django.db import transaction
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from experts.models import Expert, ExpertiseArea
from forums.models import (
    Edition,
    Forum,
    Invitation,
    ReminderRule,
    Session,
    SessionRole,
    VisaLetter,
)
from partners.models import MOU, Contact, Institution

from .attendance import build_attendance
from .context import DEFAULT_DEMO_PASSWORD, DemoContext, upsert
from .dashboards import build_dashboard_history
from .delegations import build_delegations
from .experts import build_experts
from .forums import build_forums, build_sessions
from .history import build_edition_history
from .invitations import build_invitations
from .partners import build_expertise_areas, build_institutions, build_mous
from .programme import build_programme
from .users import build_users
from .visa_letters import build_visa_letters

__all__ = ["DEFAULT_DEMO_PASSWORD", "STEPS", "DemoContext", "build_demo", "upsert"]

STEPS = [
    build_users,
    build_expertise_areas,
    build_institutions,
    build_mous,
    build_experts,
    build_forums,
    build_sessions,
    build_programme,
    build_invitations,
    build_attendance,
    build_visa_letters,
    build_delegations,
    build_dashboard_history,
    build_edition_history,
]

# What the summary counts: the demo's rows, and what its steps make through the services as staff
# would (an edition's default reminder rules, the roles of accepted offers, the emails queued).
COUNTED_MODELS = [
    ("forums", Forum),
    ("editions", Edition),
    ("reminder rules", ReminderRule),
    ("sessions", Session),
    ("session roles", SessionRole),
    ("invitations", Invitation),
    ("visa support letters", VisaLetter),
    ("emails in the outbox", OutboxMessage),
    ("expertise areas", ExpertiseArea),
    ("experts", Expert),
    ("institutions", Institution),
    ("contacts", Contact),
    ("MOUs", MOU),
]


def build_demo(*, today: dt.date | None = None, password: str | None = None) -> dict:
    """Bring the demo data to its fixed state for `today`; a second run changes nothing.

    The summary's "counts" are the rows in the database; "created" is how many of each this run
    added (measured, so rows made by services, not by the steps themselves, are counted too)."""
    ctx = DemoContext(
        today=today or timezone.localdate(),
        password=password or os.environ.get("DEMO_ADMIN_PASSWORD") or DEFAULT_DEMO_PASSWORD,
    )
    with transaction.atomic():
        before = _counts()
        for step in STEPS:
            step(ctx)
        counts = _counts()
    upcoming = ctx.upcoming_edition
    mou_statuses: dict[str, int] = {}
    for mou in MOU.objects.all():
        # display_status is derived ("expiring"); count what staff see.
        mou_statuses[mou.display_status] = mou_statuses.get(mou.display_status, 0) + 1
    return {
        "counts": counts,
        "mou_statuses": dict(sorted(mou_statuses.items())),
        "created": _created(before, counts, ctx.changes),
        "updated": _updated(ctx.changes),
        "upcoming_edition": upcoming,
        "users": ctx.users,
        "notes": ctx.notes,
        "context": ctx,
    }


def count_rows() -> dict[str, int]:
    """Rows in the database of each kind the summary counts."""
    return {label: model.objects.count() for label, model in COUNTED_MODELS}


_counts = count_rows


LABELS = {model._meta.label: label for label, model in COUNTED_MODELS} | {
    "auth.User": "staff users"
}


def _created(before: dict, after: dict, changes: Counter) -> dict[str, int]:
    """Rows added this run: measured for the counted models, as tallied for the staff users."""
    created = {"staff users": changes["auth.User created"]}
    created |= {label: after[label] - before[label] for label in after}
    return {label: n for label, n in created.items() if n}


def _updated(changes: Counter) -> dict[str, int]:
    """Rows the steps brought back to their demo values this run."""
    updated = {}
    for what, n in changes.items():
        model_label, _, change = what.rpartition(" ")
        if change == "updated":
            label = LABELS.get(model_label, model_label)
            updated[label] = updated.get(label, 0) + n
    return updated
