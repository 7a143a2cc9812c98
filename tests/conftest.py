"""Shared fixtures. Services a test needs (PostgreSQL, Redis, chromium) skip the test with a
reason on a newcomer's machine, but fail it under CI=true, where a missing service is a defect."""

import os
import shutil
import socket

import pytest
from django.conf import settings
from django.db import connections
from django.utils import translation

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the calling test when `condition` is false."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI requires this, but: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def require_postgres():
    require(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://... to run it",
    )


@pytest.fixture
def require_redis():
    require(
        bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0 to run it"
    )
    require(
        port_open("127.0.0.1", 6379) or "127.0.0.1" not in settings.REDIS_URL,
        "Redis is not running",
    )


@pytest.fixture
def require_chromium():
    require(
        os.path.exists(CHROMIUM_PATH) or shutil.which("chromium") is not None,
        f"needs Debian's chromium at {CHROMIUM_PATH} (apt-get install chromium)",
    )
    try:
        import playwright  # noqa: F401, PLC0415 - only to tell whether the package is there
    except ImportError:
        require(False, "needs the playwright package")


@pytest.fixture
def require_pdf_tools():
    """pdftotext and pdftoppm (poppler-utils) and zbarimg (zbar-tools): the real clients that
    read our PDFs and QR codes back."""
    for tool, package in (
        ("pdftotext", "poppler-utils"),
        ("pdftoppm", "poppler-utils"),
        ("zbarimg", "zbar-tools"),
    ):
        require(shutil.which(tool) is not None, f"needs {tool} (apt-get install {package})")


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a request in Vietnamese leaves Vietnamese
    active in the thread (LocaleMiddleware does not undo it), which would leak into the next
    test's messages."""
    yield
    translation.deactivate()


SERVICE_MARKERS = {
    "require_postgres": "postgres",
    "require_redis": "redis",
    "require_chromium": "browser",
    "require_pdf_tools": "pdftools",
}


def pytest_collection_modifyitems(config, items):
    # Tag tests by the services they need, so a run can deselect them (`-m "not postgres"`):
    # CI's SQLite pass does, because under CI=true a missing service fails the test.
    for item in items:
        for fixture_name, marker in SERVICE_MARKERS.items():
            if fixture_name in getattr(item, "fixturenames", ()):
                item.add_marker(marker)


@pytest.fixture(autouse=True)
def _close_connections_after_browser_tests(request):
    """A browser test runs ORM calls in the test thread beside the live server's; a connection
    left open there keeps PostgreSQL from dropping the test database at the end of the run."""
    yield
    if "live_server" in request.fixturenames:
        connections.close_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped: no session left on it.

    Connections opened in other threads (the live server's, a concurrency test's) belong to
    those threads and cannot be closed from here; on PostgreSQL one left open makes DROP
    DATABASE fail ("being accessed by other users"), which a run's warnings-as-errors turns
    into an error. They are ended here, once every test has finished.
    """
    yield
    with django_db_blocker.unblock():
        connection = connections["default"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connections.close_all()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(require_chromium, monkeypatch):
    """Debian's chromium, headless, driven by Playwright; one per test."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only browser tests need it

    # Playwright's sync API keeps an event loop in this thread; the ORM calls between browser
    # steps are still plain synchronous code (Django's documented escape hatch).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
