"""The data migration that brings installed Vietnamese default templates in line with the review."""

import importlib

import pytest
from django.apps import apps

from forums.models import EmailTemplate
from forums.services.default_templates import DEFAULT_EMAIL_TEMPLATES

pytestmark = pytest.mark.django_db

migration = importlib.import_module("forums.migrations.0009_vietnamese_default_templates_reviewed")
# A later step adds the check-in paragraph to the confirmation (forums 0010_attendance).
attendance = importlib.import_module("forums.migrations.0010_attendance")


def test_unedited_defaults_get_the_reviewed_text_and_edited_ones_stay():
    reminder = EmailTemplate.objects.get(kind="reminder_unanswered", language="vi", edition=None)
    invitation = EmailTemplate.objects.get(kind="invitation", language="vi", edition=None)
    english = EmailTemplate.objects.get(kind="invitation", language="en", edition=None)
    english_before = (english.subject, english.body)
    # As installed before the review: the shipped text; one of them edited by staff since.
    old_subject, old_body = migration.REVIEWED["reminder_unanswered"][0]
    reminder.subject, reminder.body = old_subject, old_body
    reminder.save()
    edited_body = migration.REVIEWED["invitation"][0][1] + "\nGhi chú riêng của Học viện."
    invitation.subject, invitation.body = migration.REVIEWED["invitation"][0][0], edited_body
    invitation.save()

    migration.forwards(apps, None)

    reminder.refresh_from_db()
    invitation.refresh_from_db()
    english.refresh_from_db()
    assert (reminder.subject, reminder.body) == DEFAULT_EMAIL_TEMPLATES[
        ("reminder_unanswered", "vi")
    ]
    assert reminder.subject.startswith("Thư nhắc phản hồi")
    assert invitation.body == edited_body
    assert (english.subject, english.body) == english_before

    migration.backwards(apps, None)
    reminder.refresh_from_db()
    assert (reminder.subject, reminder.body) == (old_subject, old_body)


def test_the_reviewed_texts_are_the_shipped_defaults():
    for kind, (_before, after) in migration.REVIEWED.items():
        if kind == "confirmation":
            before_checkin, with_checkin = attendance.CONFIRMATION["vi"]
            after = (after[0], after[1].replace(before_checkin, with_checkin))
        assert after == DEFAULT_EMAIL_TEMPLATES[(kind, "vi")]
