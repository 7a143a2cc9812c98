from django.db import migrations

from forums.services.default_templates import install_default_email_templates

DEFAULT_RULES = (
    ("non_responders", 14),
    ("non_responders", 3),
    ("participants", 7),
    ("participants", 1),
)


def install(apps, schema_editor):
    install_default_email_templates(apps.get_model("forums", "EmailTemplate"))
    # Editions created before reminder rules existed get the usual ones.
    Edition = apps.get_model("forums", "Edition")
    ReminderRule = apps.get_model("forums", "ReminderRule")
    for edition in Edition.objects.all():
        for audience, days in DEFAULT_RULES:
            ReminderRule.objects.get_or_create(edition=edition, audience=audience, days=days)


class Migration(migrations.Migration):
    dependencies = [("forums", "0002_invitations")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
