from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and MOUs")

    def ready(self):
        # Wiring only: the outbox asks this resolver, when it sends a delegation request's
        # email, for the contact's personal link, which it never stores.
        from academy_portal.mail.placeholders import register_resolver  # noqa: PLC0415 - app registry: wiring in ready()

        from .delegations import delegation_outbox_values  # noqa: PLC0415 - app registry: wiring in ready()

        register_resolver("partners.delegationrequest", delegation_outbox_values)
