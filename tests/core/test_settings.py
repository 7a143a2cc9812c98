"""Settings read from the environment, the deployment checklist, and the Vietnamese interface."""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from academy_portal.core import roles
from partners.models import MOU

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale" / "vi" / "LC_MESSAGES"


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process, with only the given settings in its environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "USE_X_FORWARDED_PROTO"):
        clean.pop(name, None)
    clean |= {"VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_env(**extra: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50)[:50],
        "ALLOWED_HOSTS": "portal.example.org",
        **extra,
    }


def test_deploy_configuration_passes_check_deploy_without_warnings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=deploy_env(), tmp_path=tmp_path
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


def test_deploy_behind_a_tls_proxy_passes_check_deploy(tmp_path):
    env = deploy_env(USE_X_FORWARDED_PROTO="1", CSRF_TRUSTED_ORIGINS="https://portal.example.org")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_secret_key(tmp_path):
    env = deploy_env()
    del env["SECRET_KEY"]
    result = run_manage("check", "--deploy", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "portal.E001" in result.stdout + result.stderr


def test_production_settings_come_from_the_environment(tmp_path):
    env = deploy_env(
        DATABASE_URL="postgres://portal:secret@db.internal:5432/portal",
        REDIS_URL="redis://cache.internal:6379/0",
        USE_X_FORWARDED_PROTO="1",
        SITE_URL="https://portal.example.org/",
        MOU_EXPIRING_WINDOW_DAYS="60",
        DATABASE_TRANSACTION_POOLING="1",
    )
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'],"
        "'host': s.DATABASES['default']['HOST'], 'conn_max_age': s.DATABASES['default']"
        "['CONN_MAX_AGE'], 'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']"
        "['BACKEND'], 'proxy': s.SECURE_PROXY_SSL_HEADER, 'ssl': s.SECURE_SSL_REDIRECT,"
        "'hsts': s.SECURE_HSTS_SECONDS, 'cookie': s.SESSION_COOKIE_SECURE,"
        "'static': s.STORAGES['staticfiles']['BACKEND'], 'site': s.SITE_URL,"
        "'window': s.MOU_EXPIRING_WINDOW_DAYS, 'pooled': s.DATABASES['default']"
        "['DISABLE_SERVER_SIDE_CURSORS']}))"
    )
    result = run_manage("shell", "-c", code, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "debug": False,
        "engine": "django.db.backends.postgresql",
        "host": "db.internal",
        "conn_max_age": 60,
        "broker": "redis://cache.internal:6379/0",
        "cache": "academy_portal.core.cache.ResilientRedisCache",
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "ssl": True,
        "hsts": 31536000,
        "cookie": True,
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "site": "https://portal.example.org",
        "window": 60,
        "pooled": True,  # PgBouncer: no server-side cursors, no prepared statements
    }


def test_locale_middleware_sits_between_sessions_and_common():
    middleware = settings.MIDDLEWARE
    locale = middleware.index("django.middleware.locale.LocaleMiddleware")
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")
    assert [code for code, _ in settings.LANGUAGES] == ["en", "vi"]


def test_home_page_is_in_vietnamese_for_a_vietnamese_browser(client, db):
    response = client.get(reverse("home"), headers={"accept-language": "vi"})
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in content
    assert "Cổng thông tin Học viện" in content
    assert "Chuyên gia: đăng nhập bằng mã gửi qua email" in content


def test_home_page_stays_english_by_default(client, db):
    content = client.get(reverse("home"), headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in content
    assert "Academy Portal" in content
    assert "Cổng thông tin" not in content


def test_language_switch_remembers_vietnamese(client, db):
    response = client.post(reverse("set_language"), {"language": "vi", "next": reverse("home")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    content = client.get(reverse("home")).content.decode()
    assert "Cổng thông tin Học viện" in content


def test_model_labels_are_translated():
    with translation.override("vi"):
        assert str(MOU.Status.ACTIVE.label) == "Đang có hiệu lực"
        assert str(MOU.EXPIRING_LABEL) == "Sắp hết hạn"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt")
def test_committed_mo_file_matches_the_po_file(tmp_path):
    # A fresh machine may lack gettext, so the compiled .mo is committed; it must be current.
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(LOCALE_DIR / "django.po")],
        check=True,
    )
    assert compiled.read_bytes() == (LOCALE_DIR / "django.mo").read_bytes(), (
        "locale/vi/LC_MESSAGES/django.mo is stale: run `make messages`"
    )


def test_role_groups_survive_a_flush(transactional_db):
    # `flush` runs after every transactional test; the next one still needs the role groups.
    call_command("flush", interactive=False, verbosity=0)
    groups = Group.objects.filter(name__in=roles.ROLE_RULES)
    assert groups.count() == len(roles.ROLE_RULES)
    assert Group.objects.get(name=roles.VIEWERS).permissions.filter(codename="view_mou").exists()
