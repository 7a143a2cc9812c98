from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Experts are invited by the academy; nobody signs up on their own."""

    def is_open_for_signup(self, request):
        return False
