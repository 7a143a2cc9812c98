"""Staff sign in with a password and a second factor (allauth.mfa); failures are throttled.

Security issue, item 4. Everything goes through HTTP: the admin's login, allauth's login and
its MFA pages. `STAFF_MFA_REQUIRED` is off in the test settings (the rest of the suite signs
staff in with `force_login`); these tests turn it on.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import ExpertFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "correct horse battery staple"
CODE_RE = re.compile(r"^\s*([A-Z0-9]{3,8}(?:-[A-Z0-9]{3,8})?)\s*$", re.MULTILINE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's rate limits and used TOTP codes live in the cache
    yield
    cache.clear()


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def totp_now(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238, with allauth's own HOTP helper)."""
    counter = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter[len(counter) // 2]))


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def password_login(client, login, password=PASSWORD, next_url="/admin/", **extra):
    return client.post(
        reverse("account_login"),
        {"login": login, "password": password, "next": next_url},
        **extra,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def admin_status(client) -> int:
    return client.get(reverse("admin:index")).status_code


# --- The admin's own login page goes through allauth ------------------------------------------


def test_admin_login_redirects_to_the_portal_sign_in_with_next(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/"


def test_forty_wrong_passwords_on_the_admin_login_then_the_right_one_is_refused(client):
    UserFactory(username="chief", is_superuser=True)
    for _ in range(40):
        client.post(reverse("admin:login"), {"username": "chief", "password": "wrong"})
    client.post(reverse("admin:login"), {"username": "chief", "password": PASSWORD})
    assert not signed_in(client)
    assert admin_status(client) == 302


def test_forty_wrong_passwords_then_the_right_one_is_throttled_with_a_clear_message(client):
    UserFactory(username="chief", is_superuser=True)
    for _ in range(40):
        password_login(client, "chief", "wrong")
    response = password_login(client, "chief")
    # Refused on the form (per account) or, past 30 tries a minute, with a 429 page.
    assert response.status_code in (200, 429)
    assert "Too many" in response.content.decode()
    assert not signed_in(client)
    # From another address too: the account is locked for a while, not just this client.
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    response = password_login(elsewhere, "chief")
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(elsewhere)


def test_failed_attempts_are_throttled_per_account_across_addresses_and_login_names(client):
    UserFactory(username="chief", email="chief@academy.test")
    # From many addresses, by username and by email: one account, one budget.
    for i in range(6):
        login = "chief" if i % 2 else "Chief@Academy.test"
        password_login(Client(REMOTE_ADDR=f"10.0.0.{i + 1}"), login, "wrong")
    fresh = Client(REMOTE_ADDR="10.0.1.1")
    response = password_login(fresh, "chief")
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(fresh)


def test_failed_attempts_are_throttled_per_address(client):
    UserFactory(username="chief")
    # One address trying many accounts (a password spray) ...
    for i in range(12):
        password_login(client, f"nobody{i}", "wrong")
    # ... is stopped before it reaches a real one, whose own budget is untouched.
    response = password_login(client, "chief")
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    password_login(elsewhere, "chief")
    assert signed_in(elsewhere)


# --- Second factor ----------------------------------------------------------------------------


def test_password_alone_gives_no_admin_and_the_totp_code_completes_it(client, mfa_required):
    chief = UserFactory(username="chief", is_superuser=True)
    secret = with_totp(chief)
    response = password_login(client, "chief")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert not signed_in(client)
    assert admin_status(client) == 302

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert admin_status(client) == 200


def test_a_wrong_totp_code_is_refused_and_throttled(client, mfa_required):
    chief = UserFactory(username="chief")
    secret = with_totp(chief)
    password_login(client, "chief")
    good = totp_now(secret)
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(6):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert response.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": good})
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert admin_status(client) == 302


def test_staff_without_an_authenticator_must_set_one_up_before_any_admin_page(client, mfa_required):
    UserFactory(username="coordinator", groups=["Forum coordinators"])
    response = password_login(client, "coordinator")
    assert signed_in(client)  # the account is theirs, the admin is not yet
    for url in (reverse("admin:index"), "/admin/forums/edition/", "/staff/partners/import/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp")), url

    # allauth asks for the password again before an authenticator is added.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(
        reverse("account_reauthenticate"),
        {"password": PASSWORD, "next": reverse("mfa_activate_totp")},
    )
    assert response.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    text = page.content.decode()
    assert secret in text and "<script" not in text
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    assert codes_page.status_code == 200
    assert "recovery-codes" in codes_page.content.decode()
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).exists()

    # Set up is not signed in with it: the next admin page asks for a code once.
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(
        response["Location"], {"code": totp_now(secret), "next": reverse("admin:index")}
    )
    assert response.status_code == 302
    assert admin_status(client) == 200


def test_a_recovery_code_works_once(client, mfa_required):
    chief = UserFactory(username="chief")
    with_totp(chief)
    codes = RecoveryCodes.activate(chief).get_unused_codes()

    password_login(client, "chief")
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert admin_status(client) == 200

    again = Client()
    password_login(again, "chief")
    response = again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200
    assert admin_status(again) == 302


def test_a_session_from_a_sign_in_code_never_reaches_the_admin(client, settings):
    # An expert signs in by emailed code; later somebody makes that account staff.
    expert = ExpertFactory()
    client.post(reverse("account_request_login_code"), {"email": expert.email})
    code = CODE_RE.search(mail.outbox[-1].body).group(1)
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert signed_in(client)
    User.objects.filter(email=expert.email).update(is_staff=True, is_superuser=True)
    for required in (True, False):
        settings.STAFF_MFA_REQUIRED = required
        assert admin_status(client) == 302
        assert client.get("/admin/forums/edition/").status_code == 302


def test_without_the_requirement_a_password_is_enough_for_the_demo(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    UserFactory(username="viewer", groups=["Viewers"])
    password_login(client, "viewer")
    assert admin_status(client) == 200


def test_an_expert_signed_in_is_told_the_admin_is_for_staff(client):
    expert = ExpertFactory()
    client.post(reverse("account_request_login_code"), {"email": expert.email})
    code = CODE_RE.search(mail.outbox[-1].body).group(1)
    client.post(reverse("account_confirm_login_code"), {"code": code})
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert "staff" in response.content.decode()


def test_staff_signing_in_without_a_next_page_land_on_the_staff_home(client, mfa_required):
    chief = UserFactory(username="chief")
    secret = with_totp(chief)
    client.post(reverse("account_login"), {"login": "chief", "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response["Location"] == reverse("admin:index")
