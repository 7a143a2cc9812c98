"""Demo step: about 200 fictional experts from many countries."""

import datetime as dt

from academy_portal.core.text import fold_for_search
from experts.models import Expert

from . import data
from .context import DemoContext, upsert

# --- Experts ------------------------------------------------------------------------------------

CAPACITY_WEIGHTS = [
    (Expert.Capacity.SCHOLAR, 65),
    (Expert.Capacity.OFFICIAL_PRIVATE, 12),
    (Expert.Capacity.DIPLOMAT, 8),
    (Expert.Capacity.JOURNALIST, 7),
    (Expert.Capacity.PRACTITIONER, 8),
]
# How many experts of each origin; 200 in all.
ORIGIN_COUNTS = {"VN": 90, "CN": 22, "JP": 14, "KR": 12, "western": 62}


def _honorific(rng, capacity: str) -> str:
    if capacity == Expert.Capacity.SCHOLAR:
        return rng.choice(["Dr.", "Dr.", "Prof.", "Assoc. Prof."])
    if capacity == Expert.Capacity.DIPLOMAT:
        return "Amb."
    if capacity == Expert.Capacity.OFFICIAL_PRIVATE:
        return rng.choice(["Dr.", ""])
    return ""


# The Vietnamese form of address of each English title: "Kính gửi GS.TS. ...", not "Ông/Bà".
HONORIFIC_VI = {"Prof.": "GS.TS.", "Assoc. Prof.": "PGS.TS.", "Dr.": "TS.", "Amb.": "Đại sứ"}


def _honorific_vi(honorific: str, given_name: str) -> str:
    """Vietnamese letters' form of address: the title's, else Ông or Bà by the given name."""
    if honorific in HONORIFIC_VI:
        return HONORIFIC_VI[honorific]
    last = given_name.split(" ")[-1]
    return "Bà" if given_name in data.FEMALE_GIVEN or last in data.FEMALE_GIVEN else "Ông"


def _names(rng):
    """Yield (given, family, name order, country) for every expert, names never repeated."""
    seen: set[str] = set()

    def unique(make):
        while True:
            given, family, order, country = make()
            full = f"{family} {given}" if order == family_first else f"{given} {family}"
            if full not in seen and full not in data.VN_EXCLUDED_FULL_NAMES:
                seen.add(full)
                return given, family, order, country

    family_first = Expert.NameOrder.FAMILY_FIRST

    def vietnamese():
        if rng.random() < 0.55:
            given = f"{rng.choice(data.VN_MIDDLE_MALE)} {rng.choice(data.VN_GIVEN_MALE)}"
        else:
            given = f"{rng.choice(data.VN_MIDDLE_FEMALE)} {rng.choice(data.VN_GIVEN_FEMALE)}"
        return given, rng.choice(data.VN_FAMILY), family_first, "VN"

    def pooled(country, given_pool, family_pool):
        return lambda: (rng.choice(given_pool), rng.choice(family_pool), family_first, country)

    makers = {
        "VN": vietnamese,
        "CN": pooled("CN", data.CN_GIVEN, data.CN_FAMILY),
        "JP": pooled("JP", data.JP_GIVEN, data.JP_FAMILY),
        "KR": pooled("KR", data.KR_GIVEN, data.KR_FAMILY),
    }
    for origin, count in ORIGIN_COUNTS.items():
        for i in range(count):
            if origin == "western":
                country, given_pool, family_pool = data.WESTERN_POOLS[i % len(data.WESTERN_POOLS)]
                yield unique(
                    lambda c=country, g=given_pool, f=family_pool: (
                        rng.choice(g),
                        rng.choice(f),
                        Expert.NameOrder.GIVEN_FIRST,
                        c,
                    )
                )
            else:
                yield unique(makers[origin])


def _email_local(given: str, family: str) -> str:
    given_part = fold_for_search(given).replace(" ", "").replace("-", "")
    family_part = fold_for_search(family).replace(" ", "")
    return f"{given_part}.{family_part}"


def build_experts(ctx: DemoContext) -> None:
    """About 200 fictional experts from many countries, with affiliations and expertise."""
    rng = ctx.rng("experts")
    by_country: dict[str, list] = {}
    domains = {key: domain for key, *_, domain in data.INSTITUTIONS}
    for key, institution in ctx.institutions.items():
        by_country.setdefault(str(institution.country), []).append((key, institution))
    areas = [ctx.areas[name] for name in data.EXPERTISE_AREAS]
    capacities, weights = zip(*CAPACITY_WEIGHTS, strict=True)
    used_emails: set[str] = set()
    planned: list[tuple[str, dict, list]] = []

    for given, family, order, country in _names(rng):
        capacity = rng.choices(capacities, weights)[0]
        partners = by_country.get(country, [])
        affiliation, affiliation_text = None, ""
        if partners and (country != "VN" or rng.random() < 0.7):
            key, affiliation = rng.choice(partners)
            domain = domains[key]
        else:
            affiliation_text, domain = rng.choice(data.VN_FREE_AFFILIATIONS)
        local = _email_local(given, family)
        email, n = f"{local}@{domain}", 1
        while email in used_emails:
            n += 1
            email = f"{local}{n}@{domain}"
        used_emails.add(email)

        expertise = rng.sample(areas, rng.randint(1, 3))
        position = rng.choice(data.POSITIONS[capacity])
        place = affiliation.name if affiliation else affiliation_text
        language = data.LANGUAGE_NAMES.get(country)
        consent = rng.random() < 0.85
        honorific = _honorific(rng, capacity)
        values = {
            "honorific": honorific,
            "honorific_vi": _honorific_vi(honorific, given),
            "given_name": given,
            "family_name": family,
            "name_order": order,
            "nationality": country,
            "country": country,
            "position": position,
            "affiliation_id": affiliation.pk if affiliation else None,
            "affiliation_text": affiliation_text,
            "capacity": capacity,
            "languages": f"{language}, English" if language else "English",
            "bio": (
                f"{position} at {place}. Works on {', '.join(a.name.lower() for a in expertise)}."
            ),
            "preferred_language": "vi" if country == "VN" and rng.random() < 0.85 else "en",
            "consent_to_contact": consent,
            "consent_given_on": (
                ctx.today - dt.timedelta(days=rng.randint(10, 900)) if consent else None
            ),
        }
        planned.append((email, values, expertise))

    # Two queries find what a previous run left, so a re-run writes only what changed.
    existing = {e.email: e for e in Expert.objects.filter(email__in=[p[0] for p in planned])}
    current_areas: dict[int, set[int]] = {}
    links = Expert.expertise_areas.through.objects.filter(expert__in=existing.values())
    for expert_id, area_id in links.values_list("expert_id", "expertisearea_id"):
        current_areas.setdefault(expert_id, set()).add(area_id)
    for email, values, expertise in planned:
        expert = upsert(
            ctx, Expert, lookup={"email": email}, values=values, existing=existing.get(email)
        )
        if current_areas.get(expert.pk, set()) != {a.pk for a in expertise}:
            expert.expertise_areas.set(expertise)
        ctx.experts.append(expert)


# --- Forums, editions, sessions --------------------------------------------------------------
