from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def set_site_domain(apps, schema_editor):
    """allauth mails name the site: take its domain from SITE_URL rather than example.com."""
    site_model = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    site_model.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Academy Portal"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_roles"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(set_site_domain, migrations.RunPython.noop)]
