"""The default confirmation emails now list what the expert told us ({{ answer_summary }}).

Only rows still holding the previous default text are updated: templates staff edited are kept.
"""

from django.db import migrations

from forums.services.default_templates import DEFAULT_EMAIL_TEMPLATES

PREVIOUS_BODIES = {
    ('confirmation', 'en'): 'Dear {{ formal_name }},\n\nThank you for accepting our invitation. Your participation in {{ edition_title }} on {{ dates }}{% if venue %} at {{ venue }}{% endif %} is confirmed.\n{% if session %}\nYour session: {{ session }}{% if role %} ({{ role }}){% endif %}.\n{% endif %}\nThe attached calendar file adds the event to your calendar. You can review or change your answer{% if deadline %} until {{ deadline }}{% endif %} with your personal link:\n{{ rsvp_link }}\n{% if practical_information %}\nPractical information:\n{{ practical_information }}\n{% endif %}\nFor any question, please write to {{ contact_email }}.\n\nWith best regards,\n{{ academy_name }}',
    ('confirmation', 'vi'): 'Kính gửi {{ formal_name }},\n\nCảm ơn Quý vị đã nhận lời mời. Chúng tôi xác nhận sự tham dự của Quý vị tại {{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n{% if session %}\nPhiên của Quý vị: {{ session }}{% if role %} ({{ role }}){% endif %}.\n{% endif %}\nTệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình. Quý vị có thể xem lại hoặc thay đổi phản hồi{% if deadline %} đến ngày {{ deadline }}{% endif %} qua đường dẫn cá nhân:\n{{ rsvp_link }}\n{% if practical_information %}\nThông tin hậu cần:\n{{ practical_information }}\n{% endif %}\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}',
}


def update(apps, schema_editor):
    EmailTemplate = apps.get_model("forums", "EmailTemplate")
    for (kind, language), previous in PREVIOUS_BODIES.items():
        EmailTemplate.objects.filter(
            kind=kind, language=language, edition=None, body=previous
        ).update(body=DEFAULT_EMAIL_TEMPLATES[(kind, language)][1])


class Migration(migrations.Migration):
    dependencies = [("forums", "0003_default_email_templates_and_reminders")]

    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
