"""A large academy for measuring staff pages and background work: `load_demo --scale N`.

At N = 1 about 20,000 experts, 200 editions (in 10 forums) with 200,000 invitations and their
history, 2,000 institutions with 5,000 MOUs, and 50,000 outbox rows; smaller N for tests
(`--scale 0.01`). Rows are written in batches, with PostgreSQL's COPY where available
(partners.importing.pgcopy) and bulk_create elsewhere, bypassing save(): the derived columns
(search_text, name_sort_key, token hashes) are filled in by the models' own formulas.

The data is a steady state "as of today", so the background jobs have a known, small amount of
due work over a large table: per forum, the latest edition is upcoming, and
- in forum 0 (and every 4th) its RSVP deadline was yesterday: its unanswered invitations are due
  to expire, and its participants' 7-day reminder went out on an earlier run;
- in forum 1 the 14-day "please answer" reminder starts today: its unanswered invitations are due;
- in the other even forums that reminder started days ago and was sent (outbox rows exist);
- in the other odd forums nothing is due yet.
A few active MOUs are past their expiry date (due to be marked expired) and those that reach an
expiry-notice threshold today are due to be notified; earlier notices are in the outbox.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from academy_portal.core.units import AcademyUnit
from academy_portal.mail.models import OutboxMessage
from experts.models import (
    Expert,
    ExpertiseArea,
    expert_name_sort_key,
    expert_profile_search_text,
    expert_search_text,
)
from forums.models import Edition, Forum, Invitation, InvitationEvent, ReminderRule, Session
from forums.services.reminders import DEFAULT_REMINDER_RULES, reminder_dedup_key
from forums.services.tokens import issue_token
from partners.importing.pgcopy import can_copy, copy_insert
from partners.models import MOU, Institution, institution_name_sort_key, institution_search_text
from partners.selectors import partnership_recipients
from partners.services import MOU_EXPIRY_KIND, mou_expiry_dedup_key, notice_threshold

from . import data

SCALE_SEED = "academy-portal-scale-v1"
FORUM_SLUG_PREFIX = "scale-forum-"
EMAIL_DOMAIN = "scale.example"
BATCH = 20_000
EDITIONS_PER_FORUM = 20
# At N = 1.
BASE = {
    "experts": 20_000,
    "editions": 200,
    "invitations": 200_000,
    "institutions": 2_000,
    "mous": 5_000,
    "outbox": 50_000,
}
PAST_STATUSES = [("accepted", 50), ("declined", 30), ("expired", 15), ("withdrawn", 5)]
UPCOMING_STATUSES = [
    ("draft", 5),
    ("sent", 40),
    ("accepted", 35),
    ("declined", 12),
    ("tentative", 8),
]
CLOSED_STATUSES = [("sent", 10), ("accepted", 55), ("declined", 25), ("tentative", 10)]
INSTITUTION_PLACES = [
    ("VN", "Institute of Maritime Studies", "Viện Nghiên cứu Biển"),
    ("VN", "Centre for Strategic Studies", "Trung tâm Nghiên cứu Chiến lược"),
    ("CN", "Institute of Ocean Policy", ""),
    ("JP", "Institute of International Affairs", ""),
    ("US", "Center for Maritime Strategy", ""),
    ("GB", "Institute of Asian Studies", ""),
    ("ID", "Centre for Regional Cooperation", ""),
    ("PH", "Institute for Maritime and Ocean Affairs", ""),
]


@dataclass(frozen=True)
class ScalePlan:
    """How many rows of each kind `build_scale` writes at a scale."""

    scale: float
    experts: int
    forums: int
    editions: int
    invitations_per_edition: int
    institutions: int
    mous: int
    outbox: int

    @classmethod
    def for_scale(cls, scale: float) -> ScalePlan:
        if not 0 < scale <= 10:
            raise ValueError("The scale must be above 0 and at most 10.")

        def n(kind: str, least: int) -> int:
            return max(least, round(BASE[kind] * scale))

        # At least two forums of two editions: a past one, and each kind of due work.
        experts, editions = n("experts", 20), n("editions", 4)
        per_edition = min(experts, max(1, round(BASE["invitations"] * scale / editions)))
        return cls(
            scale=scale,
            experts=experts,
            forums=max(2, editions // EDITIONS_PER_FORUM),
            editions=editions,
            invitations_per_edition=per_edition,
            institutions=n("institutions", 2),
            mous=n("mous", 2),
            outbox=n("outbox", 1),
        )

    @property
    def invitations(self) -> int:
        return self.editions * self.invitations_per_edition


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert the rows (attname -> value) in batches; their ids, in order."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if can_copy():
            copy_insert(model, chunk, assign_ids=True)
            ids.extend(row[model._meta.pk.attname] for row in chunk)
        else:
            created = model.objects.bulk_create([model(**row) for row in chunk])
            ids.extend(obj.pk for obj in created)
    return ids


def _weighted(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]


@dataclass
class _Scaled:
    plan: ScalePlan
    today: dt.date
    now: dt.datetime
    rng: random.Random
    expert_ids: list[int]
    institution_ids: list[int]
    special_outbox: list[dict]


def build_scale(*, scale: float, today: dt.date | None = None) -> dict[str, int]:
    """Write the scaled data on top of the demo (its expertise areas and staff users); refuses
    to run twice on one database. Returns the rows written per kind. One transaction."""
    plan = ScalePlan.for_scale(scale)
    if Forum.objects.filter(slug__startswith=FORUM_SLUG_PREFIX).exists():
        raise ValueError("Scaled data is already loaded here: use a fresh database.")
    state = _Scaled(
        plan=plan,
        today=today or timezone.localdate(),
        now=timezone.now(),
        rng=random.Random(f"{SCALE_SEED}:{scale}"),
        expert_ids=[],
        institution_ids=[],
        special_outbox=[],
    )
    with transaction.atomic():
        written = {
            "institutions": _build_institutions(state),
            "MOUs": _build_mous(state),
            "experts": _build_experts(state),
        }
        written |= _build_forums(state)
        written["outbox rows"] = _build_outbox(state)
    if connection.vendor == "postgresql" and connection.get_autocommit():
        with connection.cursor() as cursor:
            # As autovacuum would soon: the planner's statistics, and the visibility map that
            # lets an index answer alone (the nationality filter's, the affiliation counts).
            cursor.execute("VACUUM ANALYZE")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # in a caller's transaction (a test): no VACUUM there
    return written


def _build_institutions(state: _Scaled) -> int:
    rows = []
    kinds = [k for k, _ in Institution.Kind.choices]
    for i in range(state.plan.institutions):
        country, name, native = INSTITUTION_PLACES[i % len(INSTITUTION_PLACES)]
        name, native = f"{name} {i + 1}", f"{native} {i + 1}" if native else ""
        acronym = "".join(w[0] for w in name.split() if w[0].isupper()) + str(i + 1)
        rows.append(
            {
                "name": name,
                "native_name": native,
                "acronym": acronym,
                "kind": kinds[i % len(kinds)],
                "country": country,
                "city": "",
                "search_text": institution_search_text(name, native, acronym),
                "name_sort_key": institution_name_sort_key(name),
            }
        )
    state.institution_ids = _insert(Institution, rows)
    return len(rows)


def _mou_plan(rng: random.Random, today: dt.date) -> tuple[str, dt.date | None]:
    """(status, expires_on) of one MOU."""
    roll, days = rng.random(), dt.timedelta
    if roll < 0.003:  # active, past expiry: the daily check marks it expired
        return MOU.Status.ACTIVE, today - days(rng.randint(1, 3))
    if roll < 0.55:
        return MOU.Status.ACTIVE, today + days(rng.randint(0, 5 * 365))
    if roll < 0.63:
        return MOU.Status.ACTIVE, None
    if roll < 0.88:
        return MOU.Status.EXPIRED, today - days(rng.randint(1, 8 * 365))
    if roll < 0.95:
        return MOU.Status.DRAFT, today + days(5 * 365)
    return MOU.Status.TERMINATED, today - days(rng.randint(1, 3 * 365))


def _build_mous(state: _Scaled) -> int:
    rng, today, units = state.rng, state.today, [u for u, _ in AcademyUnit.choices]
    institutions = state.institution_ids
    rows = []
    for m in range(state.plan.mous):
        status, expires = _mou_plan(rng, today)
        signed = (expires or today) - dt.timedelta(days=5 * 365)
        rows.append(
            {
                "institution_id": institutions[m % len(institutions)],
                "title": f"Memorandum of understanding {m + 1}",
                "academy_unit": units[m % len(units)],
                "signed_on": signed,
                "effective_from": signed,
                "expires_on": expires,
                "status": status,
                "areas_of_cooperation": "Joint research\nExchange of scholars",
            }
        )
    ids = _insert(MOU, rows)
    # Renewal chains: an active MOU renewing the institution's previous, expired one.
    renewals = {}
    for m in range(len(institutions), len(rows)):
        before = rows[m - len(institutions)]
        if rows[m]["status"] == "active" and before["status"] == "expired" and rng.random() < 0.3:
            renewals[ids[m]] = ids[m - len(institutions)]
    for mou_id, previous in renewals.items():
        MOU.objects.filter(pk=mou_id).update(supersedes_id=previous)
    superseded = set(renewals.values())
    # Expiry notices sent by earlier daily runs; those reaching a threshold today are due.
    recipients = partnership_recipients()
    for mou_id, row in zip(ids, rows, strict=True):
        if row["status"] != "active" or row["expires_on"] is None or mou_id in superseded:
            continue
        days_left = (row["expires_on"] - today).days
        threshold = notice_threshold(days_left)
        if threshold is None or days_left == threshold:
            continue
        mou = MOU(pk=mou_id, expires_on=row["expires_on"])
        for recipient in recipients:
            state.special_outbox.append(
                {
                    "kind": MOU_EXPIRY_KIND,
                    "to_email": recipient.email,
                    "dedup_key": mou_expiry_dedup_key(
                        mou, threshold=threshold, email=recipient.email
                    ),
                    "related": ("partners", "mou", mou_id),
                }
            )
    return len(rows)


def _expert_name(rng: random.Random) -> tuple[str, str, str, str]:
    """(given, family, name order, country)."""
    if rng.random() < 0.45:
        middle = rng.choice(data.VN_MIDDLE_MALE + data.VN_MIDDLE_FEMALE)
        given = f"{middle} {rng.choice(data.VN_GIVEN_MALE + data.VN_GIVEN_FEMALE)}"
        return given, rng.choice(data.VN_FAMILY), Expert.NameOrder.FAMILY_FIRST, "VN"
    country, given_pool, family_pool = rng.choice(data.WESTERN_POOLS)
    return rng.choice(given_pool), rng.choice(family_pool), Expert.NameOrder.GIVEN_FIRST, country


def _build_experts(state: _Scaled) -> int:
    rng = state.rng
    capacities = [c for c, _ in Expert.Capacity.choices]
    rows = []
    for i in range(state.plan.experts):
        given, family, order, country = _expert_name(rng)
        email = f"expert{i + 1}@{EMAIL_DOMAIN}"
        full = (
            f"{family} {given}" if order == Expert.NameOrder.FAMILY_FIRST else f"{given} {family}"
        )
        rows.append(
            {
                "given_name": given,
                "family_name": family,
                "name_order": order,
                "email": email,
                "nationality": country,
                "country": country,
                "position": "Research Fellow",
                "affiliation_id": (
                    rng.choice(state.institution_ids) if rng.random() < 0.7 else None
                ),
                "capacity": capacities[i % len(capacities)],
                "preferred_language": "vi" if country == "VN" else "en",
                "search_text": expert_search_text(
                    full_name=full, given_name=given, family_name=family, email=email
                ),
                "profile_search_text": expert_profile_search_text(
                    position="Research Fellow", affiliation_text=""
                ),
                "name_sort_key": expert_name_sort_key(family_name=family, given_name=given),
            }
        )
    state.expert_ids = _insert(Expert, rows)
    area_ids = list(ExpertiseArea.objects.values_list("pk", flat=True))
    if area_ids:
        through = Expert.expertise_areas.through
        links = [
            {"expert_id": expert_id, "expertisearea_id": area_id}
            for expert_id in state.expert_ids
            for area_id in rng.sample(area_ids, rng.randint(1, min(3, len(area_ids))))
        ]
        _insert(through, links)
    return len(rows)


@dataclass(frozen=True)
class _EditionPlan:
    forum: int
    number: int
    start: dt.date
    deadline: dt.date
    status: str
    statuses: list
    # Rules whose reminders earlier runs sent: (audience, days).
    reminded: tuple = ()


def _edition_plans(plan: ScalePlan, today: dt.date):
    days = dt.timedelta
    non_responders, participants = ReminderRule.Audience.NON_RESPONDERS, "participants"
    for i in range(plan.editions):
        forum, number = i % plan.forums, i // plan.forums + 1
        last = (plan.editions - 1 - i) < plan.forums
        if not last:
            start = today - days(365 * (plan.editions // plan.forums - number) + 30 + forum)
            status = Edition.Status.HELD if (today - start).days <= 365 else Edition.Status.ARCHIVED
            yield _EditionPlan(forum, number, start, start - days(14), status, PAST_STATUSES)
        elif forum % 4 == 0:  # the deadline was yesterday; the 7-day participant reminder sent
            yield _EditionPlan(
                forum, number, today + days(5), today - days(1), Edition.Status.CLOSED,
                CLOSED_STATUSES, ((participants, 7),),
            )  # fmt: skip
        elif forum == 1:  # the 14-day reminder starts today
            yield _EditionPlan(
                forum, number, today + days(29), today + days(14),
                Edition.Status.INVITATIONS_OPEN, UPCOMING_STATUSES,
            )  # fmt: skip
        elif forum % 2 == 0:  # the 14-day reminder started four days ago and was sent
            yield _EditionPlan(
                forum, number, today + days(25), today + days(10),
                Edition.Status.INVITATIONS_OPEN, UPCOMING_STATUSES, ((non_responders, 14),),
            )  # fmt: skip
        else:
            yield _EditionPlan(
                forum, number, today + days(45), today + days(30),
                Edition.Status.INVITATIONS_OPEN, UPCOMING_STATUSES,
            )  # fmt: skip


def _build_forums(state: _Scaled) -> dict[str, int]:
    plan, today = state.plan, state.today
    forum_ids = _insert(
        Forum,
        [
            {
                "name": f"Regional Dialogue {k + 1}",
                "short_name": f"RD{k + 1}",
                "slug": f"{FORUM_SLUG_PREFIX}{k + 1}",
                "organising_unit": AcademyUnit.choices[k % len(AcademyUnit.choices)][0],
            }
            for k in range(plan.forums)
        ],
    )
    plans = list(_edition_plans(plan, today))
    edition_ids = _insert(
        Edition,
        [
            {
                "forum_id": forum_ids[p.forum],
                "number": p.number,
                "title": f"Regional Dialogue {p.forum + 1}, meeting {p.number}",
                "start_date": p.start,
                "end_date": p.start + dt.timedelta(days=1),
                "rsvp_deadline": p.deadline,
                "status": p.status,
                "city": "Hà Nội",
            }
            for p in plans
        ],
    )
    rules = {}
    for edition_id in edition_ids:
        for audience, days in DEFAULT_REMINDER_RULES:
            rules[(edition_id, audience, days)] = None
    rule_ids = _insert(
        ReminderRule,
        [{"edition_id": e, "audience": a, "days": d, "active": True} for e, a, d in rules],
    )
    rules = dict(zip(rules, rule_ids, strict=True))
    session_rows = [
        {
            "edition_id": edition_id,
            "title": title,
            "kind": kind,
            "starts_at": timezone.make_aware(dt.datetime.combine(p.start, dt.time(hour))),
            "ends_at": timezone.make_aware(dt.datetime.combine(p.start, dt.time(hour + 1))),
        }
        for edition_id, p in zip(edition_ids, plans, strict=True)
        for title, kind, hour in (
            ("Opening", "opening", 9),
            ("Panel", "panel", 10),
            ("Closing", "closing", 16),
        )
    ]
    _insert(Session, session_rows)
    invitations, events = 0, 0
    for edition_id, p in zip(edition_ids, plans, strict=True):
        rows = _invitation_rows(state, edition_id, p)
        ids = _insert(Invitation, rows)
        invitations += len(ids)
        events += _build_events(state, p, rules, edition_id, ids, rows)
    return {
        "forums": len(forum_ids),
        "editions": len(edition_ids),
        "reminder rules": len(rule_ids),
        "sessions": len(session_rows),
        "invitations": invitations,
        "invitation events": events,
    }


def _invitation_rows(state: _Scaled, edition_id: int, p: _EditionPlan) -> list[dict]:
    rng, plan = state.rng, state.plan
    experts = rng.sample(state.expert_ids, plan.invitations_per_edition)
    sent_at = timezone.make_aware(dt.datetime.combine(p.deadline, dt.time(9))) - dt.timedelta(
        days=30
    )
    rows = []
    for expert_id in experts:
        status = _weighted(rng, p.statuses)
        row = {
            "edition_id": edition_id,
            "expert_id": expert_id,
            "status": status,
            "created_at": sent_at - dt.timedelta(days=1),
        }
        if status != "draft":
            # The link the expert got, as the portal issues it (seed and hash only).
            token = Invitation()
            issue_token(token)
            row |= {
                "sent_at": sent_at,
                "token_seed": token.token_seed,
                "token_hash": token.token_hash,
                "token_issued_at": sent_at,
            }
        if status in ("accepted", "declined", "tentative"):
            row |= {
                "responded_at": sent_at + dt.timedelta(days=rng.randint(1, 20)),
                "attendance": "in_person" if status != "declined" else "",
                "privacy_consent": status != "declined",
                "version": 1,
            }
        if status == "withdrawn":
            row["token_revoked_at"] = sent_at + dt.timedelta(days=3)
        rows.append(row)
    return rows


FINAL_EVENT = {
    "accepted": "answered",
    "declined": "answered",
    "tentative": "answered",
    "expired": "expired",
    "withdrawn": "withdrawn",
}


def _build_events(state, p: _EditionPlan, rules: dict, edition_id, ids, rows) -> int:
    events = []
    for invitation_id, row in zip(ids, rows, strict=True):
        status, created = row["status"], row["created_at"]
        events.append(_event(invitation_id, "created", created))
        if status == "draft":
            continue
        events.append(_event(invitation_id, "sent", row["sent_at"]))
        final = FINAL_EVENT.get(status)
        if final:
            at = row.get("responded_at") or row["sent_at"] + dt.timedelta(days=20)
            details = {"answer": status} if final == "answered" else None
            events.append(_event(invitation_id, final, at, details))
        for audience, days in p.reminded:
            concerned = status == ("accepted" if audience == "participants" else "sent")
            if not concerned:
                continue
            rule_id = rules[(edition_id, audience, days)]
            at = state.now - dt.timedelta(days=1)
            details = {"rule": rule_id, "audience": audience, "days": days}
            events.append(_event(invitation_id, "reminded", at, details))
            key = reminder_dedup_key(ReminderRule(pk=rule_id), Invitation(pk=invitation_id))
            state.special_outbox.append(
                {
                    "kind": "reminder",
                    "to_email": "",
                    "dedup_key": key,
                    "related": ("forums", "invitation", invitation_id),
                }
            )
    _insert(InvitationEvent, events)
    return len(events)


def _event(invitation_id: int, kind: str, at, details: dict | None = None) -> dict:
    value = json.dumps(details or {}) if can_copy() else (details or {})
    return {"invitation_id": invitation_id, "kind": kind, "created_at": at, "details": value}


def _build_outbox(state: _Scaled) -> int:
    """The special rows (earlier reminders and notices), then sent invitations up to the plan."""
    rng, now = state.rng, state.now
    types = {}
    for app_label, model in (("forums", "invitation"), ("partners", "mou")):
        types[(app_label, model)] = ContentType.objects.get_by_natural_key(app_label, model).pk
    special = state.special_outbox
    fill = max(0, state.plan.outbox - len(special))
    rows = []
    for n, item in enumerate(special):
        app_label, model, object_id = item["related"]
        rows.append(
            _outbox_row(
                item["kind"],
                item["to_email"] or f"expert{n}@{EMAIL_DOMAIN}",
                item["dedup_key"],
                types[(app_label, model)],
                object_id,
                now - dt.timedelta(days=1),
                "sent",
            )
        )
    statuses = [("sent", 94), ("failed", 2), ("cancelled", 2), ("queued", 2)]
    for n in range(fill):
        status = _weighted(rng, statuses)
        at = now - dt.timedelta(minutes=rng.randint(60, 400 * 24 * 60))
        rows.append(
            _outbox_row(
                "invitation",
                f"expert{n % state.plan.experts + 1}@{EMAIL_DOMAIN}",
                f"scale:invitation:{n}",
                types[("forums", "invitation")],
                None,
                at,
                status,
            )
        )
    _insert(OutboxMessage, rows)
    return len(rows)


def _outbox_row(kind, to_email, dedup_key, content_type, object_id, at, status) -> dict:
    queued = status == "queued"
    return {
        "to_email": to_email,
        "subject": "Regional Dialogue: your invitation",
        "text_body": "Dear colleague,\n\nWe have the honour to invite you ...\n",
        "kind": kind,
        "related_content_type_id": content_type,
        "related_object_id": object_id,
        "dedup_key": dedup_key,
        "status": status,
        "attempts": 0 if queued else 1,
        "last_error": "550 mailbox unavailable" if status == "failed" else "",
        # A queued row waits for tomorrow: the scale data gives the sweep nothing to send.
        "send_after": at + dt.timedelta(days=400) if queued else at,
        "sent_at": at if status == "sent" else None,
        "created_at": at,
    }
