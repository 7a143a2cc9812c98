"""The state shared by the demo steps, and the change-detecting upsert they all use."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import models

from .data import EAST_SEA

# Changing the seed changes every generated expert; keep it fixed so re-runs change nothing.
DEMO_SEED = "academy-portal-demo-v1"
DEFAULT_DEMO_PASSWORD = "academy-demo-2026"


@dataclass
class DemoContext:
    today: date
    password: str
    forums: dict = field(default_factory=dict)  # slug -> Forum
    editions: dict = field(default_factory=dict)  # (forum slug, number) -> Edition
    institutions: dict = field(default_factory=dict)  # data key -> Institution
    areas: dict = field(default_factory=dict)  # name -> ExpertiseArea
    experts: list = field(default_factory=list)  # in generation order (deterministic)
    # Pks of the experts build_sessions puts on the upcoming programme (the same every run).
    programme_experts: set = field(default_factory=set)
    users: list = field(default_factory=list)  # dicts: username, role, password shown
    notes: list = field(default_factory=list)  # extra lines the command prints at the end
    changes: Counter = field(default_factory=Counter)  # "created"/"updated" per model

    def rng(self, step: str) -> random.Random:
        """A generator per step, so adding a step never reshuffles the others' data."""
        return random.Random(f"{DEMO_SEED}:{step}")

    @property
    def upcoming_edition(self):
        """The upcoming East Sea Conference (15th), open for invitations."""

        return self.editions[(EAST_SEA, 15)]


_LOOK_UP = object()


def upsert(
    ctx: DemoContext,
    model: type[models.Model],
    *,
    lookup: dict,
    values: dict,
    existing=_LOOK_UP,
    save=None,
):
    """Create the row or bring it to `values`, saving only when something differs.

    Saving only real changes keeps `updated_at` still on a re-run, so a second run changes nothing.
    A caller that fetched rows in bulk passes `existing` (the row, or None when there is none).
    `save(obj)` replaces `obj.save()` for rows saved through a service (editions).
    """
    save = save or (lambda row: row.save())
    obj = model.objects.filter(**lookup).first() if existing is _LOOK_UP else existing
    label = model._meta.label
    if obj is None:
        obj = model(**lookup, **values)
        save(obj)
        ctx.changes[f"{label} created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        save(obj)
        ctx.changes[f"{label} updated"] += 1
    return obj
