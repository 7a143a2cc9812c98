"""django-import-export resources for partner exports (institutions, MOUs, contacts).

Imports do NOT go through these resources: they use the all-or-nothing service in
partners/importing. `MOUFlatResource` writes the same flat format that service reads, so an
export re-imports with no changes. Every exported cell is escaped against formula injection.
"""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .importing.columns import COLUMN_BY_KEY
from .importing.escaping import escape_formula
from .models import MOU, Contact, Institution

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


class EscapedExportResource(resources.ModelResource):
    """Escapes = + - @ tab CR at the start of every cell, for CSV and .xlsx alike."""

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if value is None:
            return ""
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return escape_formula(str(value))


def _header(key):
    return COLUMN_BY_KEY[key].headers[0]


def _first_contact(institution):
    contacts = sorted(institution.contacts.all(), key=lambda c: c.pk)
    return contacts[0] if contacts else None


class MOUFlatResource(EscapedExportResource):
    """One row per MOU in the import file's flat format (docs/import.md)."""

    institution_name = fields.Field(column_name=_header("institution_name"))
    native_name = fields.Field(column_name=_header("native_name"))
    acronym = fields.Field(column_name=_header("acronym"))
    kind = fields.Field(column_name=_header("kind"))
    country = fields.Field(column_name=_header("country"))
    city = fields.Field(column_name=_header("city"))
    website = fields.Field(column_name=_header("website"))
    contact_name = fields.Field(column_name=_header("contact_name"))
    contact_position = fields.Field(column_name=_header("contact_position"))
    contact_email = fields.Field(column_name=_header("contact_email"))
    mou_title = fields.Field(attribute="title", column_name=_header("mou_title"))
    academy_unit = fields.Field(column_name=_header("academy_unit"))
    signed_on = fields.Field(attribute="signed_on", column_name=_header("signed_on"))
    effective_from = fields.Field(attribute="effective_from", column_name=_header("effective_from"))
    expires_on = fields.Field(attribute="expires_on", column_name=_header("expires_on"))
    status = fields.Field(column_name=_header("status"))
    areas = fields.Field(column_name=_header("areas"))
    notes = fields.Field(column_name=_header("notes"))

    class Meta:
        model = MOU
        fields = export_order = (
            "institution_name", "native_name", "acronym", "kind", "country", "city", "website",
            "contact_name", "contact_position", "contact_email", "mou_title", "academy_unit",
            "signed_on", "effective_from", "expires_on", "status", "areas", "notes",
        )  # fmt: skip

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("institution").prefetch_related(
            Prefetch("institution__contacts", queryset=Contact.objects.order_by("pk"))
        )

    def get_queryset(self):
        return MOU.objects.order_by("institution__name", "title", "pk")

    def dehydrate_institution_name(self, mou):
        return mou.institution.name

    def dehydrate_native_name(self, mou):
        return mou.institution.native_name

    def dehydrate_acronym(self, mou):
        return mou.institution.acronym

    def dehydrate_kind(self, mou):
        return mou.institution.get_kind_display()

    def dehydrate_country(self, mou):
        return mou.institution.country.name

    def dehydrate_city(self, mou):
        return mou.institution.city

    def dehydrate_website(self, mou):
        return mou.institution.website

    def dehydrate_contact_name(self, mou):
        contact = _first_contact(mou.institution)
        return contact.name if contact else ""

    def dehydrate_contact_position(self, mou):
        contact = _first_contact(mou.institution)
        return contact.position if contact else ""

    def dehydrate_contact_email(self, mou):
        contact = _first_contact(mou.institution)
        return contact.email if contact else ""

    def dehydrate_academy_unit(self, mou):
        return mou.get_academy_unit_display()

    def dehydrate_status(self, mou):
        return mou.display_status_label

    def dehydrate_areas(self, mou):
        return "; ".join(mou.areas_list)

    def dehydrate_notes(self, mou):
        return mou.institution.notes


class InstitutionResource(EscapedExportResource):
    kind = fields.Field(column_name=_("Kind"))
    country = fields.Field(column_name=_("Country"))
    mou_count = fields.Field(column_name=_("MOUs"))

    class Meta:
        model = Institution
        fields = ("id", "name", "native_name", "acronym", "kind", "country", "city", "website",
                  "notes", "mou_count")  # fmt: skip
        export_order = fields

    def get_queryset(self):
        return Institution.objects.order_by("name", "pk")

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("mous")

    def dehydrate_kind(self, institution):
        return institution.get_kind_display()

    def dehydrate_country(self, institution):
        return institution.country.name

    def dehydrate_mou_count(self, institution):
        return len(institution.mous.all())


class ContactResource(EscapedExportResource):
    institution = fields.Field(column_name=_("Institution"))
    country = fields.Field(column_name=_("Country"))

    class Meta:
        model = Contact
        fields = ("id", "institution", "country", "name", "position", "email", "phone")
        export_order = fields

    def get_queryset(self):
        return Contact.objects.order_by("institution__name", "name", "pk")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("institution")

    def dehydrate_institution(self, contact):
        return contact.institution.name

    def dehydrate_country(self, contact):
        return contact.institution.country.name


RESOURCES = {
    "mous": MOUFlatResource,
    "institutions": InstitutionResource,
    "contacts": ContactResource,
}
MODELS = {"mous": MOU, "institutions": Institution, "contacts": Contact}


def export_partners(what: str, *, file_format: str, queryset=None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of an export; every cell is formula-escaped."""
    resource = RESOURCES[what]()
    dataset = resource.export(queryset if queryset is not None else resource.get_queryset())
    content_type, extension = EXPORT_FORMATS[file_format]
    if file_format == "csv":
        # A BOM so Excel opens UTF-8 (Vietnamese) correctly.
        content = "\ufeff".encode() + dataset.export("csv").encode("utf-8")
    else:
        content = dataset.export("xlsx")
    name = f"partners-{what}-{timezone.localdate():%Y-%m-%d}.{extension}"
    return content, content_type, name
