"""The allauth account adapter: the portal's sign-in rules, and experts landing on their page."""

from django.urls import reverse

from academy_portal.core.adapters import PortalAccountAdapter

from .services import expert_for_user


class AccountAdapter(PortalAccountAdapter):
    """Experts are invited by the academy; nobody signs up on their own.

    Accounts for experts are created by `experts.services.ensure_expert_user` when an expert on
    file asks for a sign-in code (see `experts.forms.ExpertRequestLoginCodeForm`).
    """

    def get_login_redirect_url(self, request):
        # Experts land on their own page; staff on the staff home (the base class).
        user = request.user
        if not (user.is_staff or user.is_superuser) and expert_for_user(user) is not None:
            return reverse("experts:me")
        return super().get_login_redirect_url(request)
