from io import StringIO

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    # --check exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_site_domain_comes_from_site_url(settings):
    site = Site.objects.get(pk=settings.SITE_ID)
    assert site.domain != "example.com"
    assert site.name == "Academy Portal"
