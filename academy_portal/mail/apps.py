from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "academy_portal.mail"
    label = "mail"
    verbose_name = _("Email outbox")

    def ready(self):
        # core serves /metrics but may not import mail: the outbox registers its gauges.
        from academy_portal.core.metrics import register_scrape_collector  # noqa: PLC0415 - app registry must be ready
        from academy_portal.mail.metrics import collect_outbox  # noqa: PLC0415 - imports models

        register_scrape_collector(collect_outbox)
