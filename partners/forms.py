from django import forms
from django.utils.translation import gettext_lazy as _


class RenewMOUForm(forms.Form):
    """The few facts of a renewal; everything else is copied from the MOU being renewed."""

    title = forms.CharField(
        label=_("Title of the renewed MOU"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to keep the current title."),
    )
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty if it takes effect on signing."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for an open-ended MOU."),
    )
    notes = forms.CharField(
        label=_("Renewal notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        signed_on = cleaned.get("signed_on")
        effective_from = cleaned.get("effective_from") or signed_on
        expires_on = cleaned.get("expires_on")
        if expires_on and signed_on and expires_on < signed_on:
            self.add_error("expires_on", _("The expiry date cannot be before the signing date."))
        elif expires_on and effective_from and expires_on < effective_from:
            self.add_error("expires_on", _("The expiry date cannot be before the effective date."))
        return cleaned
