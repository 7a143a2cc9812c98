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

        # The visa support letter emailed to an expert is made when the email is sent, so the
        # outbox never stores a copy of the passport name.
        from academy_portal.mail.placeholders import register_attachment_builder  # noqa: PLC0415 - app registry: wiring in ready()

        from .services.visa_letters import (  # noqa: PLC0415 - app registry: wiring in ready()
            ATTACHMENT_GENERATOR,
            visa_letter_attachment,
        )

        register_attachment_builder(ATTACHMENT_GENERATOR, visa_letter_attachment)

        # The confirmation email's check-in QR code, likewise made when the email is sent.
        from .services.checkin_codes import (  # noqa: PLC0415 - app registry: wiring in ready()
            QR_ATTACHMENT_GENERATOR,
            checkin_qr_attachment,
        )

        register_attachment_builder(QR_ATTACHMENT_GENERATOR, checkin_qr_attachment)

        # The emails an answer causes (the confirmation) are written when they are sent, from
        # the answer as it was (forums.services.invitation_emails.queue_answer_email).
        from academy_portal.mail.placeholders import register_content_writer  # noqa: PLC0415 - app registry: wiring in ready()

        from .services.invitation_emails import (  # noqa: PLC0415 - app registry: wiring in ready()
            ANSWER_EMAIL_WRITER,
            write_answer_email,
        )

        register_content_writer(ANSWER_EMAIL_WRITER, write_answer_email)
