"""The expert's RSVP form: it validates in plain language; `submit_rsvp` does the writing."""

import itertools

from django import forms
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from academy_portal.core.widgets import MemoizedSelect
from forums.models import AttributionRule, Edition, Invitation, Session, SessionRole
from forums.recommend import Weights

ANSWER_CHOICES = [
    (Invitation.Status.ACCEPTED, _("Yes, I will take part")),
    (Invitation.Status.TENTATIVE, _("I might take part (tentative)")),
    (Invitation.Status.DECLINED, _("No, I cannot take part")),
]

#: Answers that mean the expert may come, so travel details and consents matter.
ATTENDING_ANSWERS = {Invitation.Status.ACCEPTED, Invitation.Status.TENTATIVE}


# Bumped when a django-countries setting changes (override_settings): the rendered country
# options memoized under the old value are not reused.
_countries_settings_version = itertools.count()
_current_countries_settings = [next(_countries_settings_version)]


@receiver(setting_changed)
def _countries_setting_changed(*, setting, **kwargs):
    if setting.startswith("COUNTRIES_"):
        _current_countries_settings[0] = next(_countries_settings_version)


class CountryChoices(BaseChoiceIterator):
    """ "Select a country", then the countries in the active language, read on every use.

    Not a callable: Django normalises a callable's ~250 choices again each time a field or its
    widget reads them (three times a page); django-countries keeps each language's sorted list.
    """

    def __iter__(self):
        yield ("", _("Select a country"))
        yield from countries

    def memo_key(self) -> tuple:
        """What the list depends on (MemoizedSelect keys its rendered options by it): the
        language and django-countries' settings."""
        return (get_language(), _current_countries_settings[0])


def applies_chatham_house(invitation) -> bool:
    """True when the offered session, or the edition by default, is held under Chatham House."""
    if invitation.offered_session_id:
        rule = invitation.offered_session.effective_attribution
    else:
        rule = invitation.edition.default_attribution
    return rule == AttributionRule.CHATHAM_HOUSE


def has_programme_role(invitation) -> bool:
    """The expert is offered a role, or holds one on the edition's programme: the consent to be
    named in the public programme concerns them."""
    if invitation.offered_role:
        return True
    return SessionRole.objects.filter(
        session__edition_id=invitation.edition_id, expert_id=invitation.expert_id
    ).exists()


class _ReusedQuerysetIterator(forms.models.ModelChoiceIterator):
    """Iterates the field's queryset itself, not `queryset.iterator()`: the edition's few
    sessions are read once per form and reused by the template's "any sessions?" test and the
    rendering (Django's iterator reads them again, with a server-side cursor on PostgreSQL)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class SessionChoiceField(forms.ModelMultipleChoiceField):
    iterator = _ReusedQuerysetIterator

    def label_from_instance(self, session):
        when = formats.date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")
        return f"{session.text_in('title')} ({when})"


class RSVPForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you take part?"),
        choices=ANSWER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose whether you will take part.")},
    )
    decline_reason = forms.CharField(
        label=_("Reason for declining (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attendance = forms.ChoiceField(
        label=_("How will you attend?"),
        choices=Invitation.Attendance.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    sessions = SessionChoiceField(
        label=_("Sessions you will attend"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        required=False,
        max_length=500,
        help_text=_("For example vegetarian, halal, allergies."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=500,
        help_text=_("Anything that would make it easier for you to take part."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    arrival_date = forms.DateField(
        label=_("Arrival date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the arrival date as YYYY-MM-DD.")},
    )
    departure_date = forms.DateField(
        label=_("Departure date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the departure date as YYYY-MM-DD.")},
    )
    needs_hotel = forms.BooleanField(label=_("I need a hotel room"), required=False)
    needs_visa_letter = forms.BooleanField(label=_("I need a visa support letter"), required=False)
    passport_name = forms.CharField(
        label=_("Full name exactly as on your passport"),
        required=False,
        max_length=200,
        help_text=_("Only needed for a visa support letter."),
    )
    passport_nationality = forms.ChoiceField(
        label=_("Nationality as on your passport"),
        choices=CountryChoices(),
        # ~250 options: rendered once per language, not on every page (core/widgets.py).
        widget=MemoizedSelect,
        required=False,
        help_text=_("Only needed for a visa support letter."),
    )
    accompanying_person = forms.CharField(
        label=_("Accompanying person (name)"),
        required=False,
        max_length=200,
        help_text=_("Leave empty if you come alone."),
    )
    chatham_house_acknowledged = forms.BooleanField(
        label=_("I will respect the Chatham House Rule."), required=False
    )
    listing_consent = forms.BooleanField(
        label=_("List my name in the public programme"),
        required=False,
        help_text=_(
            "With your honorific and affiliation, beside your session. Without it the public "
            "programme does not name you."
        ),
    )
    privacy_consent = forms.BooleanField(
        label=_(
            "I agree that the academy processes these details as set out in the privacy notice."
        ),
        required=False,
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("The form was incomplete. Please reload the page and answer again."),
            "invalid": _("The form was incomplete. Please reload the page and answer again."),
            "min_value": _("The form was incomplete. Please reload the page and answer again."),
        },
    )

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        super().__init__(*args, **kwargs)
        edition = invitation.edition
        self.fields["sessions"].queryset = edition.sessions.all()
        self.is_hybrid = edition.format == Edition.Format.HYBRID
        self.chatham_house_applies = applies_chatham_house(invitation)
        if not self.is_hybrid:
            del self.fields["attendance"]
        if not edition.allows_accompanying_person:
            del self.fields["accompanying_person"]
        if not self.chatham_house_applies:
            del self.fields["chatham_house_acknowledged"]
        if not has_programme_role(invitation):
            del self.fields["listing_consent"]

    @classmethod
    def initial_for(cls, invitation) -> dict:
        """The form's starting values: the expert's current answer, if any."""
        return {
            "answer": invitation.answer,
            "decline_reason": invitation.decline_reason,
            "attendance": invitation.attendance,
            "sessions": list(invitation.sessions_attending.all()),
            "dietary_needs": invitation.dietary_needs,
            "accessibility_needs": invitation.accessibility_needs,
            "arrival_date": invitation.arrival_date,
            "departure_date": invitation.departure_date,
            "needs_hotel": invitation.needs_hotel,
            "needs_visa_letter": invitation.needs_visa_letter,
            "passport_name": invitation.passport_name,
            "passport_nationality": str(invitation.passport_nationality or ""),
            "accompanying_person": invitation.accompanying_person,
            "chatham_house_acknowledged": invitation.chatham_house_acknowledged,
            "privacy_consent": invitation.privacy_consent,
            "listing_consent": invitation.listing_consent,
            "version": invitation.version,
        }

    def clean(self):
        data = super().clean()
        answer = data.get("answer")
        if answer not in ATTENDING_ANSWERS:
            return data
        if self.is_hybrid and not data.get("attendance"):
            self.add_error(
                "attendance", _("Please tell us whether you will attend in person or online.")
            )
        arrival, departure = data.get("arrival_date"), data.get("departure_date")
        if arrival and departure and departure < arrival:
            self.add_error(
                "departure_date", _("The departure date cannot be before the arrival date.")
            )
        if data.get("needs_visa_letter"):
            if not data.get("passport_name", "").strip():
                self.add_error(
                    "passport_name",
                    _("For a visa support letter, give your name exactly as on your passport."),
                )
            if not data.get("passport_nationality"):
                self.add_error(
                    "passport_nationality",
                    _("For a visa support letter, choose the nationality on your passport."),
                )
        if answer == Invitation.Status.ACCEPTED:
            if not data.get("privacy_consent"):
                self.add_error(
                    "privacy_consent",
                    _("To accept, please agree to the privacy notice."),
                )
            if self.chatham_house_applies and not data.get("chatham_house_acknowledged"):
                self.add_error(
                    "chatham_house_acknowledged",
                    _("To accept, please confirm that you will respect the Chatham House Rule."),
                )
        elif answer == Invitation.Status.TENTATIVE and not data.get("privacy_consent"):
            # A tentative answer also hands us personal details (diet, passport...).
            self.add_error(
                "privacy_consent",
                _("To send these details, please agree to the privacy notice."),
            )
        return data

    def service_kwargs(self) -> dict:
        """Keyword arguments for `submit_rsvp`; a decline keeps no travel or passport details."""
        data = self.cleaned_data
        answer = data["answer"]
        kwargs = {"answer": answer, "expected_version": data["version"]}
        if answer not in ATTENDING_ANSWERS:
            kwargs["decline_reason"] = data.get("decline_reason", "").strip()
            kwargs["privacy_consent"] = bool(data.get("privacy_consent"))
            return kwargs
        edition = self.invitation.edition
        if self.is_hybrid:
            attendance = data["attendance"]
        elif edition.format == Edition.Format.ONLINE:
            attendance = Invitation.Attendance.ONLINE
        else:
            attendance = Invitation.Attendance.IN_PERSON
        needs_visa = bool(data.get("needs_visa_letter"))
        kwargs.update(
            attendance=attendance,
            sessions=list(data.get("sessions") or ()),
            dietary_needs=data.get("dietary_needs", "").strip(),
            accessibility_needs=data.get("accessibility_needs", "").strip(),
            arrival_date=data.get("arrival_date"),
            departure_date=data.get("departure_date"),
            needs_hotel=bool(data.get("needs_hotel")),
            needs_visa_letter=needs_visa,
            passport_name=data.get("passport_name", "").strip() if needs_visa else "",
            passport_nationality=data.get("passport_nationality", "") if needs_visa else "",
            accompanying_person=data.get("accompanying_person", "").strip(),
            privacy_consent=bool(data.get("privacy_consent")),
            chatham_house_acknowledged=bool(data.get("chatham_house_acknowledged")),
            listing_consent=bool(data.get("listing_consent")),
        )
        return kwargs


class SuggestionSettingsForm(forms.Form):
    """The weights and caps of the expert suggestions (GET); empty fields keep the defaults."""

    session = forms.ModelChoiceField(
        label=_("For the session"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("The whole edition"),
    )
    count = forms.IntegerField(label=_("Suggestions"), min_value=1, max_value=200, required=False)
    expertise = forms.FloatField(
        label=_("Weight of expertise"), min_value=0, max_value=10, required=False
    )
    record = forms.FloatField(
        label=_("Weight of past answers"), min_value=0, max_value=10, required=False
    )
    regular = forms.FloatField(
        label=_("Weight of coming to this forum before"), min_value=0, max_value=10, required=False
    )
    balance = forms.FloatField(
        label=_("Weight of balance"), min_value=0, max_value=10, required=False
    )
    first_timer = forms.FloatField(
        label=_("Bonus for first-timers"), min_value=0, max_value=10, required=False
    )
    recent = forms.FloatField(
        label=_("Penalty if invited within a year"), min_value=0, max_value=10, required=False
    )
    max_per_country = forms.IntegerField(
        label=_("At most per country (0: no cap)"), min_value=0, max_value=200, required=False
    )
    max_per_institution = forms.IntegerField(
        label=_("At most per institution (0: no cap)"), min_value=0, max_value=200, required=False
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = edition.sessions.all()
        for name, default in self.defaults().items():
            self.fields[name].widget.attrs["placeholder"] = default

    @staticmethod
    def defaults() -> dict:
        weights = Weights()
        return {
            name: getattr(weights, name)
            for name in (
                "count",
                "expertise",
                "record",
                "regular",
                "balance",
                "first_timer",
                "recent",
                "max_per_country",
                "max_per_institution",
            )
        }

    def weights(self):
        """The Weights the valid fields ask for (defaults for the empty or invalid ones)."""
        values = {}
        if self.is_bound and self.is_valid():
            values = {
                name: value
                for name, value in self.cleaned_data.items()
                if name in self.defaults() and value is not None
            }
        return Weights(**values)
