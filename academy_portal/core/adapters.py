from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Experts are invited by the academy; nobody signs up on their own.

    Accounts for experts are created by `experts.services.ensure_expert_user` when an expert on
    file asks for a sign-in code (see `experts.forms.ExpertRequestLoginCodeForm`).
    """

    def is_open_for_signup(self, request):
        return False

    def format_email_subject(self, subject):
        # Our subjects name the portal already; the Sites framework's "[example.com]" would not.
        return str(subject).strip()

    def get_login_redirect_url(self, request):
        # Experts land on their own page; staff keep the default.
        from experts.services import expert_for_user

        if not request.user.is_staff and expert_for_user(request.user) is not None:
            return reverse("experts:me")
        return super().get_login_redirect_url(request)
