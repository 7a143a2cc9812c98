"""The expert list export: one row per expert, by family name in Vietnamese order, written by
the export engine.

It names people (emails, phones), so every export writes the access log. Staff notes and
biographies stay in the admin.
"""

from django.utils.translation import gettext_lazy as _

from academy_portal.core.exports import Column, Export, field_label

from .models import Expert


class ExpertExport(Export):
    model = Expert
    file_stem = "experts"
    what = "Expert export"
    order = ("name_sort_key", "pk")
    select_related = ("affiliation",)
    prefetch_related = ("expertise_areas",)
    logged = True

    def columns(self):
        return [
            Column(_("Expert"), lambda e: e.full_name),
            Column(field_label(Expert, "honorific"), lambda e: e.honorific),
            Column(field_label(Expert, "given_name"), lambda e: e.given_name),
            Column(field_label(Expert, "family_name"), lambda e: e.family_name),
            Column(field_label(Expert, "email"), lambda e: e.email),
            Column(field_label(Expert, "phone"), lambda e: e.phone),
            Column(field_label(Expert, "position"), lambda e: e.position),
            Column(_("Affiliation"), lambda e: e.affiliation_name),
            Column(field_label(Expert, "capacity"), lambda e: e.get_capacity_display()),
            Column(field_label(Expert, "nationality"), lambda e: e.nationality.name),
            Column(field_label(Expert, "country"), lambda e: e.country.name),
            Column(
                field_label(Expert, "expertise_areas"),
                lambda e: "; ".join(sorted(a.name for a in e.expertise_areas.all())),
            ),
            Column(field_label(Expert, "languages"), lambda e: e.languages),
            Column(
                field_label(Expert, "preferred_language"),
                lambda e: e.get_preferred_language_display(),
            ),
            Column(
                field_label(Expert, "consent_to_contact"),
                lambda e: _("yes") if e.consent_to_contact else "",
            ),
            Column(field_label(Expert, "consent_given_on"), lambda e: e.consent_given_on),
        ]


def expert_export_response(queryset, *, user, file_format: str):
    """The download of the experts in `queryset` for `user`: logged first, then streamed."""
    return ExpertExport(user=user).response(queryset, file_format=file_format)
