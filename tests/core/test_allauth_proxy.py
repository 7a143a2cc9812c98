"""Behind the reverse proxy allauth's own rate limits key on the client, not on the proxy.

Security issue, item 6 (allauth's half): every request reaches the portal from the proxy's
address, so a limit per address there would let 20 code requests lock every expert out.
"""

import json

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.core.test_settings import run_manage
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def behind_proxy(client_address: str) -> Client:
    # The proxy appends the address it saw; whatever the client sent comes before it.
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}")


def request_code(client, email):
    return client.post(reverse("account_request_login_code"), {"email": email})


def test_two_clients_behind_one_proxy_have_separate_allauth_limits(settings):
    settings.USE_X_FORWARDED_FOR = True
    for i in range(20):  # allauth allows 20 code requests a minute per address
        # A fresh session each time, as a script would (a session with a pending code
        # request is sent back to its code page).
        request_code(behind_proxy("203.0.113.5"), f"someone{i}@example.org")
    refused = request_code(behind_proxy("203.0.113.5"), "someone-else@example.org")
    assert refused.status_code == 200
    assert "Too many failed sign-in attempts" in refused.content.decode()

    expert = ExpertFactory()
    mail.outbox.clear()
    response = request_code(behind_proxy("198.51.100.7"), expert.email)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    assert [m.to for m in mail.outbox] == [[expert.email]]


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.USE_X_FORWARDED_FOR = False
    for i in range(20):
        # A client cannot escape its limit by making up X-Forwarded-For values.
        request_code(behind_proxy(f"192.0.2.{i}"), f"someone{i}@example.org")
    refused = request_code(behind_proxy("198.51.100.7"), "someone-else@example.org")
    assert "Too many failed sign-in attempts" in refused.content.decode()


@pytest.mark.parametrize(("flag", "count"), [("1", 1), ("0", 0)])
def test_allauth_trusts_one_proxy_exactly_when_ours_does(tmp_path, flag, count):
    code = (
        "import json; from django.conf import settings as s; print(json.dumps("
        "[s.USE_X_FORWARDED_FOR, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.STAFF_MFA_REQUIRED]))"
    )
    result = run_manage("shell", "-c", code, env={"USE_X_FORWARDED_FOR": flag}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [bool(count), count, True]
