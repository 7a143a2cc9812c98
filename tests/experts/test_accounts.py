"""Experts sign in with a code sent by email; accounts exist only for experts on file."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from experts.adapters import AccountAdapter
from experts.forms import ExpertConfirmLoginCodeForm
from tests.factories import ExpertFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
# allauth's codes look like "TDDL-HNCF".
CODE_RE = re.compile(r"^\s*([A-Z0-9]{3,8}(?:-[A-Z0-9]{3,8})?)\s*$", re.MULTILINE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's own rate limits live in the cache
    yield
    cache.clear()


def request_code(client, email):
    return client.post(reverse("account_request_login_code"), {"email": email})


def code_from(message) -> str:
    match = CODE_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def test_known_expert_gets_an_account_and_signs_in_with_the_emailed_code(client):
    expert = ExpertFactory(email="le.thi.hoa@example.org")
    response = request_code(client, "Le.Thi.Hoa@Example.org")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))

    user = User.objects.get(email="le.thi.hoa@example.org")
    assert not user.is_staff
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [expert.email]
    assert mail.outbox[0].subject == "Your sign-in code for the Academy Portal"
    assert "example.com" not in mail.outbox[0].body
    code = code_from(mail.outbox[0])

    confirm = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("experts:me")
    me = client.get(confirm["Location"])
    assert me.status_code == 200
    assert expert.family_name in me.content.decode()
    assert "You are signed in." in me.content.decode()
    assert "You have confirmed" not in me.content.decode()


def test_a_second_code_request_reuses_the_account(client):
    expert = ExpertFactory()
    request_code(client, expert.email)
    request_code(Client(), expert.email)  # e.g. from the phone after the laptop
    assert User.objects.filter(email=expert.email).count() == 1
    assert len(mail.outbox) == 2


def test_unknown_email_gets_no_account_and_no_code(client):
    response = request_code(client, "stranger@example.org")
    # The same answer as for an expert: the form does not reveal who is on file.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    assert not User.objects.filter(email__iexact="stranger@example.org").exists()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "no expert account for this address" in body
    assert not CODE_RE.search(body)
    assert "signup" not in body
    page = client.get(response["Location"])
    assert "If stranger@example.org is the address of an invited expert" in page.content.decode()
    # Guessing a code leads nowhere.
    client.post(reverse("account_confirm_login_code"), {"code": "ABC123"})
    assert "_auth_user_id" not in client.session
    # Nor through the sign-in form without a password (allauth would send a code there).
    client.post(reverse("account_login"), {"login": "chief@academy.test"})
    assert not any(CODE_RE.search(m.body) for m in mail.outbox)
    assert "_auth_user_id" not in client.session


def test_wrong_code_is_refused(client):
    expert = ExpertFactory()
    request_code(client, expert.email)
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_deactivated_expert_account_stays_closed(client):
    expert = ExpertFactory()
    UserFactory(username="gone", email=expert.email, is_staff=False, is_active=False)
    request_code(client, expert.email)
    assert User.objects.filter(email=expert.email).count() == 1
    assert not any(CODE_RE.search(m.body) for m in mail.outbox)


def test_public_sign_up_is_closed(client):
    response = client.post(reverse("account_signup"), {"email": "new@example.org"}, follow=True)
    assert not User.objects.filter(email="new@example.org").exists()
    assert response.status_code == 200


def test_sign_in_pages_use_the_portal_layout(client):
    for name in ("account_login", "account_request_login_code"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        text = response.content.decode()
        assert "css/rsvp.css" in text
        assert 'class="site-header"' in text
        assert "<script" not in text


def test_expert_account_cannot_enter_the_admin(client):
    expert = ExpertFactory()
    request_code(client, expert.email)
    client.post(reverse("account_confirm_login_code"), {"code": code_from(mail.outbox[0])})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_mail_server_down_gives_a_clear_message_not_an_error_page(client, settings):
    # The outside world fails: nothing listens on this port.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port, closed here
    settings.EMAIL_TIMEOUT = 2
    expert = ExpertFactory()
    response = request_code(client, expert.email)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "We could not send the email just now" in page.content.decode()
    assert "is on its way" not in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_code_form_speaks_vietnamese():
    # allauth ships no Vietnamese; the label and the wrong-code message are ours.

    with translation.override("vi"):
        form = ExpertConfirmLoginCodeForm(code="ABC123")
        assert str(form.fields["code"].label) == "Mã đăng nhập"
        assert str(AccountAdapter.error_messages["incorrect_code"]).startswith("Mã không đúng")


# --- Account takeover through allauth's email management (security issue, item 1) ----------


def sign_in_by_code(client, email):
    mail.outbox.clear()
    request_code(client, email)
    codes = [code_from(m) for m in mail.outbox if CODE_RE.search(m.body)]
    assert codes, [m.body for m in mail.outbox]
    response = client.post(reverse("account_confirm_login_code"), {"code": codes[-1]})
    assert response.status_code == 302
    return response


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_an_expert_cannot_take_over_a_colleague_by_adding_their_address(client):
    attacker_expert = ExpertFactory(email="attacker@example.org", family_name="Attacker")
    victim_expert = ExpertFactory(email="victim@example.org", family_name="Victim")
    sign_in_by_code(client, attacker_expert.email)
    attacker = signed_in_user(client)

    # The attacker tries to attach the colleague's address to their own account.
    client.post("/accounts/email/", {"email": "Victim@Example.org", "action_add": ""}, follow=True)
    cache.clear()  # not rate limits: the attack itself must fail
    assert not attacker.emailaddress_set.filter(email__iexact=victim_expert.email).exists()

    # The colleague signs in by emailed code: into their own account, never the attacker's.
    victim_client = Client()
    sign_in_by_code(victim_client, victim_expert.email)
    victim = signed_in_user(victim_client)
    assert victim is not None and victim.pk != attacker.pk
    assert victim.email == victim_expert.email
    me = victim_client.get(reverse("experts:me")).content.decode()
    assert "Victim" in me and "Attacker" not in me

    # And the attacker is still only themself.
    mine = client.get(reverse("experts:me")).content.decode()
    assert "Attacker" in mine and "Victim" not in mine
    assert not attacker.emailaddress_set.filter(email__iexact=victim_expert.email).exists()


def test_email_management_is_closed_to_signed_in_users(client):
    expert = ExpertFactory()
    sign_in_by_code(client, expert.email)
    assert client.get("/accounts/email/").status_code == 404
    response = client.post("/accounts/email/", {"email": "other@example.org", "action_add": ""})
    assert response.status_code == 404
    assert not EmailAddress.objects.filter(email="other@example.org").exists()


def test_code_sign_in_ignores_an_address_left_on_another_account(client):
    # Data from before the fix: the attacker's account holds the victim's address, unverified
    # or even verified. Signing in by code must still land in the victim's own account.
    attacker = UserFactory(is_staff=False, email="attacker@example.org")
    victim_expert = ExpertFactory(email="victim@example.org")
    EmailAddress.objects.create(
        user=attacker, email="victim@example.org", verified=False, primary=False
    )
    sign_in_by_code(client, "victim@example.org")
    victim = signed_in_user(client)
    assert victim.pk != attacker.pk
    assert victim.email == victim_expert.email
    assert client.get(reverse("experts:me")).status_code == 200
    assert not EmailAddress.objects.filter(user=attacker, email="victim@example.org").exists()


def test_a_verified_secondary_address_does_not_make_an_account_that_expert(client):
    intruder = UserFactory(is_staff=False, email="intruder@example.org")
    EmailAddress.objects.create(
        user=intruder, email="intruder@example.org", verified=True, primary=True
    )
    victim_expert = ExpertFactory(email="victim@example.org")
    EmailAddress.objects.create(user=intruder, email=victim_expert.email, verified=True)
    client.force_login(intruder)
    assert client.get(reverse("experts:me")).status_code == 403


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True, "is_staff": False}])
def test_staff_cannot_sign_in_by_code(client, flags):
    UserFactory(username="chief", email="chief@academy.test", **flags)
    ExpertFactory(email="chief@academy.test")  # even if also on file as an expert
    staff_answer = request_code(client, "chief@academy.test")
    stranger_answer = request_code(Client(), "stranger@example.org")
    assert staff_answer.status_code == stranger_answer.status_code == 302
    assert staff_answer["Location"] == stranger_answer["Location"]
    assert not any(CODE_RE.search(m.body) for m in mail.outbox)
    # The same email as an unknown address gets: nothing is revealed.
    staff_mail, stranger_mail = mail.outbox
    assert staff_mail.subject == stranger_mail.subject
    assert staff_mail.body.replace("chief@academy.test", "X") == stranger_mail.body.replace(
        "stranger@example.org", "X"
    )
    client.post(reverse("account_confirm_login_code"), {"code": "ABC123"})
    assert "_auth_user_id" not in client.session
