"""Forms of the public nomination page (partners/views_delegation.py): plain field checks only;
the limits (how many, which addresses, the deadline) are the service's (partners.delegations)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .delegations import Nominee


class DelegateForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=200)
    title = forms.CharField(
        label=_("Title (form of address)"),
        max_length=40,
        required=False,
        help_text=_("e.g. Dr., Prof., Amb."),
    )
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial="en"
    )

    def nominee(self) -> Nominee:
        data = self.cleaned_data
        return Nominee(
            name=data["name"], title=data["title"], email=data["email"], language=data["language"]
        )


class BaseDelegateFormSet(forms.BaseFormSet):
    def nominees(self) -> list[Nominee]:
        """The filled rows (empty ones are skipped)."""
        return [form.nominee() for form in self.forms if form.has_changed()]


def delegate_formset(*, rows: int, data=None):
    """`rows` empty delegate rows (the free places); a forged larger count is cut off by
    absolute_max and any surplus refused by the service with the limit in words."""
    formset_class = forms.formset_factory(
        DelegateForm,
        formset=BaseDelegateFormSet,
        extra=rows,
        max_num=rows,
        absolute_max=rows + 20,
    )
    return formset_class(data, prefix="delegate")


class ReplaceForm(DelegateForm):
    """The new delegate in place of one named (prefix: "replace-<nomination id>")."""

    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
