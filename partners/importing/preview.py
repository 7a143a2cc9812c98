"""What the preview shows of a row: every value as the import understood it, in the officer's
language, so a country, a date or a status read wrongly is caught before confirming."""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from academy_portal.core.units import AcademyUnit
from partners.models import MOU, Institution

# Plain names of the text encodings a CSV can have (the record keeps Python's codec names).
ENCODING_NAMES = {
    "utf-8": _("Unicode (UTF-8)"),
    "utf-8-sig": _("Unicode (UTF-8 with BOM)"),
    "utf-16": _("Unicode (UTF-16, Excel's “Unicode text”)"),
    "cp1258": _("Vietnamese (Windows-1258)"),
    "cp1252": _("Western European (Windows-1252)"),
}


def encoding_name(encoding: str) -> str:
    return str(ENCODING_NAMES.get(encoding, encoding))


def _date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def interpreted(row) -> dict:
    """The row's values as they will be written (labels and day-first dates)."""
    inst, mou, contact = row.inst or {}, row.mou or {}, row.contact or {}
    expires = mou.get("expires_on")
    return {
        "country": str(countries.name(inst["country"])) if inst.get("country") else "",
        "kind": _label(Institution.Kind.choices, inst.get("kind")),
        "city": inst.get("city", ""),
        "unit": _label(AcademyUnit.choices, mou.get("academy_unit")),
        "signed_on": _date(mou.get("signed_on")),
        "effective_from": _date(mou.get("effective_from")),
        "expires_on": _date(expires) if expires else str(_("Open-ended")),
        "status": _label(MOU.Status.choices, mou.get("status")),
        "contact": ", ".join(
            v for v in (contact.get("name"), contact.get("position"), contact.get("email")) if v
        ),
        "areas": "; ".join((mou.get("areas_of_cooperation") or "").splitlines()),
        "notes": mou.get("notes", ""),
    }
