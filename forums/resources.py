"""The invitation / participant list export (logistics: hotel, visas, dietary needs).

Written by the export engine (academy_portal.core.exports): every selected invitation exactly
once, streamed, every cell escaped against formula injection. Passport, dietary, accessibility,
travel and accompanying-person details are written only for readers who may see them
(academy_portal.core.privacy); others get "given (restricted)". Every export is logged.
"""

from django.utils.translation import gettext_lazy as _

from academy_portal.core.exports import (
    EXPORT_FORMATS,
    Column,
    Export,
    country_name,
)
from academy_portal.core.privacy import can_see_personal_details, shown_value
from experts.models import Expert

from .models import Edition, Invitation, Presence

# What a row reads, as plain values: the invitation export is the one that reaches 200,000
# rows, and building five model instances per row halved its speed (bench/exports.py).
VALUES = (
    "pk",
    "edition_id",
    "expert__honorific",
    "expert__given_name",
    "expert__family_name",
    "expert__name_order",
    "expert__email",
    "expert__affiliation_id",
    "expert__affiliation__name",
    "expert__affiliation_text",
    "status",
    "offered_session__title",
    "offered_role",
    "attendance",
    "arrival_date",
    "departure_date",
    "needs_hotel",
    "needs_visa_letter",
    "passport_name",
    "passport_nationality",
    "dietary_needs",
    "accessibility_needs",
    "accompanying_person",
    "decline_reason",
    "sent_at",
    "responded_at",
    "presence__status",
)


class _ExpertName:
    """What Expert.full_name reads: the name in the expert's order, without a model instance."""

    NameOrder = Expert.NameOrder
    __slots__ = ("family_name", "given_name", "name_order")

    def __init__(self, given_name, family_name, name_order):
        self.given_name = given_name
        self.family_name = family_name
        self.name_order = name_order


class InvitationExport(Export):
    """One row per invitation, with the expert's answer, by edition then family name."""

    model = Invitation
    file_stem = "invitations"
    what = "Invitation export"
    order = ("edition_id", "expert__name_sort_key", "pk")
    logged = True

    def __init__(self, *, user=None):
        super().__init__(user=user)
        self._editions: dict[int, str] = {}

    def includes_personal_details(self) -> bool:
        return can_see_personal_details(self.user)

    def fetch(self, chunk):
        """A chunk as dicts of VALUES, plus "sessions" (titles by start) and "edition" (name):
        three queries at most, the last only when the chunk holds an edition not seen yet."""
        rows = {row["pk"]: row for row in Invitation.objects.filter(pk__in=chunk).values(*VALUES)}
        for row in rows.values():
            row["sessions"] = []
        attending = (
            Invitation.sessions_attending.through.objects.filter(invitation_id__in=chunk)
            .order_by("session__starts_at", "session_id")
            .values_list("invitation_id", "session__title")
        )
        for invitation_id, title in attending:
            if invitation_id in rows:
                rows[invitation_id]["sessions"].append(title)
        new = {row["edition_id"] for row in rows.values()} - self._editions.keys()
        if new:
            for edition in Edition.objects.select_related("forum").filter(pk__in=new):
                self._editions[edition.pk] = str(edition)
        for row in rows.values():
            row["edition"] = self._editions[row["edition_id"]]
        return rows

    def columns(self) -> list[Column]:
        visible = self.includes_personal_details()
        yes = str(_("yes"))
        withheld = str(shown_value("x", visible=False))  # translated once, not per cell

        def value(name):
            return lambda row: row[name]

        def personal(read):
            # shown_value's rule, with WITHHELD translated once for the whole file.
            if visible:
                return read
            return lambda row: withheld if read(row) not in (None, "") else ""

        def choice(name):
            labels = {k: str(v) for k, v in Invitation._meta.get_field(name).flatchoices}
            return lambda row: labels.get(row[name], row[name]) if row[name] else ""

        present_labels = {k: str(v) for k, v in Presence.Status.choices}

        def presence(row):
            # Attendance after the edition: present, no-show, or empty (not known yet).
            return present_labels.get(row["presence__status"] or "", "")

        def expert_name(row):
            return Expert.full_name.fget(
                _ExpertName(
                    row["expert__given_name"], row["expert__family_name"], row["expert__name_order"]
                )
            )

        def affiliation(row):
            # Expert.affiliation_name, from values.
            if row["expert__affiliation_id"]:
                return row["expert__affiliation__name"]
            return row["expert__affiliation_text"]

        return [
            Column(_("Expert"), expert_name),
            Column(_("Honorific"), value("expert__honorific")),
            Column(_("Email"), value("expert__email")),
            Column(_("Affiliation"), affiliation),
            Column(_("Edition"), value("edition")),
            Column(_("Status"), choice("status")),
            Column(_("Offered session"), value("offered_session__title")),
            Column(_("Offered role"), choice("offered_role")),
            Column(_("Attendance"), choice("attendance")),
            Column(_("Sessions attending"), lambda row: "; ".join(row["sessions"])),
            Column(_("Arrival"), personal(value("arrival_date"))),
            Column(_("Departure"), personal(value("departure_date"))),
            Column(_("Hotel"), lambda row: yes if row["needs_hotel"] else ""),
            Column(_("Visa letter"), lambda row: yes if row["needs_visa_letter"] else ""),
            Column(_("Name in passport"), personal(value("passport_name"))),
            Column(
                _("Passport nationality"),
                personal(country_name(value("passport_nationality"))),
            ),
            Column(_("Dietary needs"), personal(value("dietary_needs"))),
            Column(_("Accessibility needs"), personal(value("accessibility_needs"))),
            Column(_("Accompanying person"), personal(value("accompanying_person"))),
            Column(_("Reason for declining"), value("decline_reason")),
            Column(_("Sent"), value("sent_at")),
            Column(_("Answered"), value("responded_at")),
            Column(_("Present"), presence),
        ]


def export_invitations(queryset, *, file_format: str, user=None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the list in memory, for small in-process uses.

    Not logged and masked unless `user` may see personal details; downloads use
    `invitation_export_response`.
    """
    export = InvitationExport(user=user)
    content = export.content(queryset, file_format=file_format)
    return content, EXPORT_FORMATS[file_format][0], export.file_name(file_format)


def invitation_export_response(queryset, *, user, file_format: str):
    """The download of the invitations in `queryset` for `user`: logged, masked, streamed."""
    return InvitationExport(user=user).response(queryset, file_format=file_format)
