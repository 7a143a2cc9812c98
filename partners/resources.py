"""Partner exports (institutions, MOUs, contacts), written by the export engine.

Imports do NOT go through these: they use the all-or-nothing service in partners/importing.
`MOUExport` writes the same flat format that service reads, so an export re-imports with no
changes. Every exported cell is escaped against formula injection by the export engine
(academy_portal.core.exports, with academy_portal.core.escaping).
MOUs (with their first contact) and contacts name people: those exports write the access log.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from academy_portal.core.exports import EXPORT_FORMATS, Column, Export, field_label

from .importing.columns import COLUMN_BY_KEY
from .models import MOU, Contact, Institution

__all__ = ["EXPORTS", "EXPORT_FORMATS", "MODELS", "export_partners", "partner_export_response"]


def _header(key):
    return COLUMN_BY_KEY[key].headers[0]


def _first_contact(institution):
    contacts = sorted(institution.contacts.all(), key=lambda c: c.pk)
    return contacts[0] if contacts else None


def _contact(attribute):
    def read(mou):
        contact = _first_contact(mou.institution)
        return getattr(contact, attribute) if contact else ""

    return read


class MOUExport(Export):
    """One row per MOU in the import file's flat format (docs/import.md)."""

    model = MOU
    file_stem = "partners-mous"
    what = "MOU export"
    order = ("institution__name_sort_key", "title", "pk")
    select_related = ("institution",)
    prefetch_related = (Prefetch("institution__contacts", queryset=Contact.objects.order_by("pk")),)
    logged = True  # the first contact's name and email

    def columns(self):
        return [
            Column(_header("institution_name"), lambda m: m.institution.name),
            Column(_header("native_name"), lambda m: m.institution.native_name),
            Column(_header("acronym"), lambda m: m.institution.acronym),
            Column(_header("kind"), lambda m: m.institution.get_kind_display()),
            Column(_header("country"), lambda m: m.institution.country.name),
            Column(_header("city"), lambda m: m.institution.city),
            Column(_header("website"), lambda m: m.institution.website),
            Column(_header("contact_name"), _contact("name")),
            Column(_header("contact_position"), _contact("position")),
            Column(_header("contact_email"), _contact("email")),
            Column(_header("mou_title"), lambda m: m.title),
            Column(_header("academy_unit"), lambda m: m.get_academy_unit_display()),
            Column(_header("signed_on"), lambda m: m.signed_on),
            Column(_header("effective_from"), lambda m: m.effective_from),
            Column(_header("expires_on"), lambda m: m.expires_on),
            Column(_header("status"), lambda m: m.display_status_label),
            Column(_header("areas"), lambda m: "; ".join(m.areas_list)),
            Column(_header("notes"), lambda m: m.notes),
            Column(_header("institution_notes"), lambda m: m.institution.notes),
        ]


class InstitutionExport(Export):
    model = Institution
    file_stem = "partners-institutions"
    what = "Institution export"
    order = ("name_sort_key", "pk")
    prefetch_related = ("mous",)

    def columns(self):
        return [
            Column("id", lambda i: i.pk),
            Column(field_label(Institution, "name"), lambda i: i.name),
            Column(field_label(Institution, "native_name"), lambda i: i.native_name),
            Column(field_label(Institution, "acronym"), lambda i: i.acronym),
            Column(_("Kind"), lambda i: i.get_kind_display()),
            Column(_("Country"), lambda i: i.country.name),
            Column(field_label(Institution, "city"), lambda i: i.city),
            Column(field_label(Institution, "website"), lambda i: i.website),
            Column(field_label(Institution, "notes"), lambda i: i.notes),
            Column(_("MOUs"), lambda i: len(i.mous.all())),
        ]


class ContactExport(Export):
    model = Contact
    file_stem = "partners-contacts"
    what = "Contact export"
    order = ("institution__name_sort_key", "name", "pk")
    select_related = ("institution",)
    logged = True

    def columns(self):
        return [
            Column("id", lambda c: c.pk),
            Column(_("Institution"), lambda c: c.institution.name),
            Column(_("Country"), lambda c: c.institution.country.name),
            Column(field_label(Contact, "name"), lambda c: c.name),
            Column(field_label(Contact, "position"), lambda c: c.position),
            Column(field_label(Contact, "email"), lambda c: c.email),
            Column(field_label(Contact, "phone"), lambda c: c.phone),
        ]


EXPORTS = {"mous": MOUExport, "institutions": InstitutionExport, "contacts": ContactExport}
MODELS = {what: export.model for what, export in EXPORTS.items()}


def export_partners(what: str, *, file_format: str, queryset=None) -> tuple[bytes, str, str]:
    """(content, content type, file name) in memory, for tests and in-process use (not logged)."""
    export = EXPORTS[what]()
    if queryset is None:
        queryset = export.model._default_manager.all()
    content = export.content(queryset, file_format=file_format)
    return content, EXPORT_FORMATS[file_format][0], export.file_name(file_format)


def partner_export_response(what: str, *, user, file_format: str, queryset=None):
    """The download of `what` (all of it, or `queryset`) for `user`: streamed, logged if people."""
    export = EXPORTS[what](user=user)
    if queryset is None:
        queryset = export.model._default_manager.all()
    return export.response(queryset, file_format=file_format)
