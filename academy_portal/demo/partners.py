"""Demo steps: expertise areas, partner institutions with contacts, and MOUs."""

import datetime as dt

from django.utils.text import slugify

from experts.models import ExpertiseArea
from partners.models import MOU, AcademyUnit, Contact, Institution

from . import data
from .context import DemoContext, upsert


def build_expertise_areas(ctx: DemoContext) -> None:
    for name in data.EXPERTISE_AREAS:
        ctx.areas[name] = upsert(
            ctx,
            ExpertiseArea,
            lookup={"name": name},
            values={"slug": slugify(name), "aliases": data.EXPERTISE_ALIASES[name]},
        )


def build_institutions(ctx: DemoContext) -> None:
    """About 40 fictional partners, each with a named contact and an international office."""
    named_contacts = {key: rest for key, *rest in data.CONTACTS}
    for key, name, native, acronym, kind, country, city, domain in data.INSTITUTIONS:
        institution = upsert(
            ctx,
            Institution,
            lookup={"name": name, "country": country},
            values={
                "native_name": native,
                "acronym": acronym,
                "kind": kind,
                "city": city,
                "website": f"https://www.{domain}",
            },
        )
        ctx.institutions[key] = institution
        contacts = [("International Relations Office", "", f"international@{domain}")]
        if key in named_contacts:
            person, position, local = named_contacts[key]
            contacts.insert(0, (person, position, f"{local}@{domain}"))
        for person, position, email in contacts:
            upsert(
                ctx,
                Contact,
                lookup={"institution": institution, "name": person},
                values={"position": position, "email": email, "phone": ""},
            )


def _years(days_from: dt.date, years: int) -> dt.date:
    try:
        return days_from.replace(year=days_from.year + years)
    except ValueError:  # 29 February
        return days_from.replace(year=days_from.year + years, day=28)


def _mou_dates(plan: str, today: dt.date, rng) -> dict:
    """Dates and stored status for a plan (see data.MOUS), all relative to `today`."""
    if plan == "draft":
        return {"status": MOU.Status.DRAFT, "signed_on": None, "expires_on": None}
    if plan == "open-ended":
        return {"status": MOU.Status.ACTIVE, "signed_on": _years(today, -6), "expires_on": None}
    if plan.startswith("expiring-"):
        expires = today + dt.timedelta(days=int(plan.split("-")[1]))
        return {
            "status": MOU.Status.ACTIVE,
            "signed_on": _years(expires, -3),
            "expires_on": expires,
        }
    if plan in ("active", "renewal-new"):
        expires = today + dt.timedelta(days=rng.randint(400, 1500))
        return {
            "status": MOU.Status.ACTIVE,
            "signed_on": _years(expires, -5),
            "expires_on": expires,
        }
    if plan in ("expired", "renewal-old"):  # a renewed one is re-dated from its successor
        expires = today - dt.timedelta(days=rng.randint(30, 700))
        return {
            "status": MOU.Status.EXPIRED,
            "signed_on": _years(expires, -3),
            "expires_on": expires,
        }
    if plan == "terminated":
        signed = today - dt.timedelta(days=rng.randint(700, 1400))
        return {
            "status": MOU.Status.TERMINATED,
            "signed_on": signed,
            "expires_on": _years(signed, 5),
        }
    raise ValueError(f"unknown MOU plan {plan!r}")


RENEWED_PREFIX = "Renewed "


def build_mous(ctx: DemoContext) -> None:
    """MOUs in every status, including expiring ones and renewal chains (`supersedes`)."""
    rng = ctx.rng("mous")
    plans = {}
    for key, title, unit, plan, areas in data.MOUS:
        plans[(key, title)] = {
            "unit": unit,
            "plan": plan,
            "areas": areas,
            **_mou_dates(plan, ctx.today, rng),
        }
    # A renewed MOU takes effect the day after the one it renews expires.
    for (key, title), spec in plans.items():
        if title.startswith(RENEWED_PREFIX):
            old = plans[(key, title.removeprefix(RENEWED_PREFIX))]
            old["expires_on"] = spec["signed_on"] + dt.timedelta(days=13)
            old["signed_on"] = _years(old["expires_on"], -5)
            old["status"] = MOU.Status.EXPIRED
            spec["effective_from"] = old["expires_on"] + dt.timedelta(days=1)
            spec["renewal_notes"] = "Renewed on the same terms, with an added area of cooperation."

    # Renewals last, so the MOU each one supersedes exists.
    ordered = sorted(plans.items(), key=lambda item: item[0][1].startswith(RENEWED_PREFIX))
    created: dict[tuple[str, str], MOU] = {}
    for (key, title), spec in ordered:
        institution = ctx.institutions[key]
        unit_label = AcademyUnit(spec["unit"]).label
        signed = spec["signed_on"]
        if spec["status"] == MOU.Status.TERMINATED:
            notes = "Terminated by mutual agreement after the partner's restructuring."
        elif spec["status"] == MOU.Status.DRAFT:
            notes = "Draft text under negotiation; the partner's comments are awaited."
        else:
            notes = spec.get("renewal_notes", "")
        supersedes = None
        if title.startswith(RENEWED_PREFIX):
            supersedes = created[(key, title.removeprefix(RENEWED_PREFIX))]
        created[(key, title)] = upsert(
            ctx,
            MOU,
            lookup={"institution": institution, "title": title},
            values={
                "academy_unit": spec["unit"],
                "signed_on": signed,
                "effective_from": spec.get("effective_from", signed),
                "expires_on": spec["expires_on"],
                "status": spec["status"],
                "areas_of_cooperation": spec["areas"],
                "signatories": (
                    f"For the Academy: Director-General, {unit_label}\n"
                    f"For {institution.acronym or institution.name}: the Director"
                    if signed
                    else ""
                ),
                "renewal_notes": notes,
                "supersedes_id": supersedes.pk if supersedes else None,
            },
        )
