"""Demo data for Academy Portal: `build_demo()` runs the steps in order inside one transaction.

To add demo data (say, invitations), write `def build_x(ctx: DemoContext) -> None` that upserts by
a natural key (see `context.upsert`) and uses `ctx.rng("x")` for any randomness, then append it to
STEPS. Lines it appends to `ctx.notes` are printed by `manage.py load_demo` after the summary.
"""

import datetime as dt
import os

from django.db import transaction
from django.utils import timezone

from experts.models import Expert, ExpertiseArea
from forums.models import Edition, Forum, Invitation, Session, SessionRole
from partners.models import MOU, Contact, Institution

from .context import DEFAULT_DEMO_PASSWORD, DemoContext, upsert
from .experts import build_experts
from .forums import build_forums, build_sessions
from .invitations import build_invitations
from .partners import build_expertise_areas, build_institutions, build_mous
from .users import build_users

__all__ = ["DEFAULT_DEMO_PASSWORD", "STEPS", "DemoContext", "build_demo", "upsert"]

STEPS = [
    build_users,
    build_expertise_areas,
    build_institutions,
    build_mous,
    build_experts,
    build_forums,
    build_sessions,
    build_invitations,
]

COUNTED_MODELS = [
    ("forums", Forum),
    ("editions", Edition),
    ("sessions", Session),
    ("session roles", SessionRole),
    ("invitations", Invitation),
    ("expertise areas", ExpertiseArea),
    ("experts", Expert),
    ("institutions", Institution),
    ("contacts", Contact),
    ("MOUs", MOU),
]


def build_demo(*, today: dt.date | None = None, password: str | None = None) -> dict:
    """Bring the demo data to its fixed state for `today`; a second run changes nothing."""
    ctx = DemoContext(
        today=today or timezone.localdate(),
        password=password or os.environ.get("DEMO_ADMIN_PASSWORD") or DEFAULT_DEMO_PASSWORD,
    )
    with transaction.atomic():
        for step in STEPS:
            step(ctx)
    upcoming = ctx.upcoming_edition
    mou_statuses: dict[str, int] = {}
    for mou in MOU.objects.all():
        # display_status is derived ("expiring"); count what staff see.
        mou_statuses[mou.display_status] = mou_statuses.get(mou.display_status, 0) + 1
    return {
        "counts": {label: model.objects.count() for label, model in COUNTED_MODELS},
        "mou_statuses": dict(sorted(mou_statuses.items())),
        "changes": dict(sorted(ctx.changes.items())),
        "upcoming_edition": upcoming,
        "users": ctx.users,
        "notes": ctx.notes,
        "context": ctx,
    }
