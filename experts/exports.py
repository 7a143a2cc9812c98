"""The expert list export: one row per expert, by family name, written by the export engine.

It names people (emails, phones), so every export writes the access log. Staff notes and
biographies stay in the admin.
"""

from django.utils.translation import gettext_lazy as _

from academy_portal.core.exports import Column, Export

from .models import Expert


class ExpertExport(Export):
    model = Expert
    file_stem = "experts"
    what = "Expert export"
    order = ("family_name", "given_name", "pk")
    select_related = ("affiliation",)
    prefetch_related = ("expertise_areas",)
    logged = True

    def columns(self):
        field = Expert._meta.get_field
        return [
            Column(_("Expert"), lambda e: e.full_name),
            Column(field("honorific").verbose_name, lambda e: e.honorific),
            Column(field("given_name").verbose_name, lambda e: e.given_name),
            Column(field("family_name").verbose_name, lambda e: e.family_name),
            Column(field("email").verbose_name, lambda e: e.email),
            Column(field("phone").verbose_name, lambda e: e.phone),
            Column(field("position").verbose_name, lambda e: e.position),
            Column(_("Affiliation"), lambda e: e.affiliation_name),
            Column(field("capacity").verbose_name, lambda e: e.get_capacity_display()),
            Column(field("nationality").verbose_name, lambda e: e.nationality.name),
            Column(field("country").verbose_name, lambda e: e.country.name),
            Column(
                field("expertise_areas").verbose_name,
                lambda e: "; ".join(sorted(a.name for a in e.expertise_areas.all())),
            ),
            Column(field("languages").verbose_name, lambda e: e.languages),
            Column(
                field("preferred_language").verbose_name,
                lambda e: e.get_preferred_language_display(),
            ),
            Column(
                field("consent_to_contact").verbose_name,
                lambda e: _("yes") if e.consent_to_contact else "",
            ),
            Column(field("consent_given_on").verbose_name, lambda e: e.consent_given_on),
        ]


def expert_export_response(queryset, *, user, file_format: str):
    """The download of the experts in `queryset` for `user`: logged first, then streamed."""
    return ExpertExport(user=user).response(queryset, file_format=file_format)
