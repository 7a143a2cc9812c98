from allauth.account.forms import ConfirmLoginCodeForm, RequestLoginCodeForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Expert, ExpertiseArea, Language
from .services import ensure_expert_user


class ExpertRequestLoginCodeForm(RequestLoginCodeForm):
    """allauth's "email me a sign-in code" form, for experts on file only.

    The code goes to the account that owns the expert's address (`ensure_expert_user`, which
    creates it on first use), never to whichever account allauth's own lookup finds first.
    Unknown addresses, and those of staff (who sign in with a password and a second factor),
    get no code: allauth then answers exactly as for a known one (no enumeration) and emails
    the address that there is no expert account for it.
    """

    def clean_email(self) -> str:
        # allauth's checks first (its rate limit per address and per client address) ...
        email = super().clean_email()
        # ... then our answer to "whose account is this", which replaces allauth's.
        self._user = ensure_expert_user(email=email) if email else None
        return email


class ExpertConfirmLoginCodeForm(ConfirmLoginCodeForm):
    """allauth's code form, with our own (translated) label: allauth ships no Vietnamese."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Sign-in code")
        self.fields["code"].widget.attrs["placeholder"] = _("The code from the email")


class ExpertProfileForm(forms.Form):
    position = forms.CharField(
        label=_("Position"),
        max_length=Expert._meta.get_field("position").max_length,
        required=False,
        help_text=_("e.g. Senior Fellow, Director of the Maritime Programme"),
    )
    affiliation_text = forms.CharField(
        label=_("Affiliation"),
        max_length=Expert._meta.get_field("affiliation_text").max_length,
        required=False,
        help_text=_("Your institution, as you would like it printed on name badges."),
    )
    expertise_areas = forms.ModelMultipleChoiceField(
        label=_("Areas of expertise"),
        queryset=ExpertiseArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bio = forms.CharField(
        label=_("Short bio"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A few sentences; used in programmes and introductions."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language for emails and pages"),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_for(cls, expert: Expert) -> dict:
        return {
            "position": expert.position,
            "affiliation_text": expert.affiliation_text,
            "expertise_areas": list(expert.expertise_areas.all()),
            "bio": expert.bio,
            "preferred_language": expert.preferred_language,
        }
