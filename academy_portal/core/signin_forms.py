"""allauth's staff sign-in forms with our own (translated) labels: allauth ships no Vietnamese.

Behaviour is allauth's; only labels, placeholders and help texts change.
"""

from allauth.account.forms import LoginForm, ReauthenticateForm
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as MFAReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django.utils.translation import gettext_lazy as _


def _relabel_password(field) -> None:
    field.label = _("Password")
    # allauth's help text is an untranslated "Forgot your password?" link.
    field.help_text = ""
    field.widget.attrs["placeholder"] = ""


def _relabel_code(field, *, hint) -> None:
    field.label = _("Authenticator code")
    field.help_text = hint
    field.widget.attrs.update({"placeholder": "", "inputmode": "numeric"})


class StaffLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")
        self.fields["login"].widget.attrs["placeholder"] = ""
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        _relabel_password(self.fields["password"])
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")


class StaffReauthenticateForm(ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel_password(self.fields["password"])


class StaffAuthenticateForm(AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel_code(self.fields["code"], hint=_("Six digits, or a recovery code."))
        self.fields["code"].widget.attrs.pop("inputmode")  # recovery codes have letters


class StaffMFAReauthenticateForm(MFAReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel_code(self.fields["code"], hint=_("Six digits, or a recovery code."))
        self.fields["code"].widget.attrs.pop("inputmode")


class StaffActivateTOTPForm(ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel_code(self.fields["code"], hint=_("The six digits the app shows now."))
