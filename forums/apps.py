from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums")

    def ready(self):
        # Wiring only: the outbox (below forums) asks this resolver, when it sends an email
        # about an invitation, for the personal link and details it never stores.
        from academy_portal.mail.placeholders import register_resolver  # noqa: PLC0415 - app registry: wiring in ready()

        from .services.emails import outbox_values  # noqa: PLC0415 - app registry: wiring in ready()

        register_resolver("forums.invitation", outbox_values)
