import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from experts.services import ensure_expert_user, expert_for_user, update_expert_profile
from forums.models import Edition, Invitation
from forums.services import send_invitation, withdraw_invitation
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ExpertiseAreaFactory,
    InstitutionFactory,
    SessionFactory,
    UserFactory,
)
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory()


def signed_in_expert(client, **kwargs):
    """An expert with an account whose email was verified (as signing in by code does)."""
    expert = ExpertFactory(**kwargs)
    user = ensure_expert_user(email=expert.email)
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.force_login(user)
    return expert, user


def sent(staff, **kwargs):
    invitation = InvitationFactory(**kwargs)
    send_invitation(invitation, sent_by=staff)
    invitation.refresh_from_db()
    return invitation


def test_me_requires_sign_in(client):
    response = client.get(reverse("experts:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_me_lists_only_own_invitations_upcoming_and_past(client, staff):
    expert, _ = signed_in_expert(client)
    mine = sent(staff, expert=expert, edition=EditionFactory(title="Ocean Dialogue 11"))
    past_edition = EditionFactory(title="South China Sea 14")
    old = sent(staff, expert=expert, edition=past_edition)
    earlier = timezone.localdate() - dt.timedelta(days=300)
    Edition.objects.filter(pk=past_edition.pk).update(
        start_date=earlier, end_date=earlier, rsvp_deadline=earlier
    )
    InvitationFactory(expert=expert, edition=EditionFactory(title="Draft only"))  # never sent
    others = sent(staff, edition=EditionFactory(title="Mekong Forum 3"))

    response = client.get(reverse("experts:me"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ocean Dialogue 11" in text
    assert "South China Sea 14" in text
    assert text.index("Upcoming forums") < text.index("Ocean Dialogue 11")
    assert text.index("Past forums") < text.index("South China Sea 14")
    assert reverse("forums:my_invitation", args=[mine.pk]) in text
    assert reverse("forums:my_invitation", args=[old.pk]) in text
    assert "Mekong Forum 3" not in text
    assert reverse("forums:my_invitation", args=[others.pk]) not in text
    assert "Draft only" not in text
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("count", [1, 40])
def test_me_query_count_does_not_grow_with_invitations(
    client, staff, django_assert_max_num_queries, count
):
    affiliation = InstitutionFactory(name="Viện Nghiên cứu Biển Đông")
    expert, _ = signed_in_expert(client, affiliation=affiliation)
    for _ in range(count):
        edition = EditionFactory()
        session = SessionFactory(edition=edition)
        sent(staff, expert=expert, edition=edition, offered_session=session, offered_role="speaker")
    # The session, the user, the expert with their affiliation, the invitations, erasure asked?
    with django_assert_max_num_queries(5):
        response = client.get(reverse("experts:me"))
    assert response.status_code == 200
    assert response.content.decode().count('class="status status-sent"') == count
    assert "Viện Nghiên cứu Biển Đông" in response.content.decode()


def test_own_invitation_opens_without_the_token_and_can_be_answered(client, staff):
    expert, _ = signed_in_expert(client)
    invitation = sent(staff, expert=expert)
    url = reverse("forums:my_invitation", args=[invitation.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert invitation.edition.title in page.content.decode()
    assert "csrfmiddlewaretoken" in page.content.decode()  # signed in: CSRF protected
    response = client.post(
        url,
        {
            "answer": "accepted",
            "version": 0,
            "privacy_consent": "on",
            "chatham_house_acknowledged": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_another_experts_invitation_is_a_404(client, staff):
    signed_in_expert(client)
    other = sent(staff)
    url = reverse("forums:my_invitation", args=[other.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"answer": "declined", "version": 0})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Invitation.Status.SENT


def test_signed_in_page_for_withdrawn_invitation_is_read_only(client, staff):

    expert, _ = signed_in_expert(client)
    invitation = sent(staff, expert=expert)
    withdraw_invitation(invitation, withdrawn_by=staff)
    response = client.get(reverse("forums:my_invitation", args=[invitation.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "withdrawn" in text
    assert 'class="rsvp-form"' not in text


def test_draft_invitation_is_not_shown_to_the_expert(client):
    expert, _ = signed_in_expert(client)
    draft = InvitationFactory(expert=expert)
    assert client.get(reverse("forums:my_invitation", args=[draft.pk])).status_code == 404


def test_staff_without_expert_profile_see_an_explanation(client):
    client.force_login(UserFactory())
    response = client.get(reverse("experts:me"))
    assert response.status_code == 403
    assert "not linked to an expert profile" in response.content.decode()
    assert client.get(reverse("forums:my_invitation", args=[1])).status_code == 404


def test_unverified_address_does_not_make_you_that_expert(client):
    # Adding somebody's address on the account page, without proving it, must not give access.
    intruder = UserFactory(is_staff=False)
    victim = ExpertFactory()
    EmailAddress.objects.create(user=intruder, email=victim.email, verified=False)
    assert expert_for_user(intruder) is None
    client.force_login(intruder)
    assert client.get(reverse("experts:me")).status_code == 403


def test_me_page_uses_the_experts_language(client):
    signed_in_expert(client, preferred_language="vi")
    response = client.get(reverse("experts:me"))
    assert '<html lang="vi">' in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("experts:me"))
    assert '<html lang="en">' in response.content.decode()


def test_profile_update(client):
    expert, _ = signed_in_expert(client, position="Fellow")
    area = ExpertiseAreaFactory(name="Law of the sea")
    url = reverse("experts:edit_profile")
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Fellow"' in page.content.decode()
    response = client.post(
        url,
        {
            "position": "  Director,   Maritime Programme ",
            "affiliation_text": "Institute for  Sea Studies",
            "expertise_areas": [area.pk],
            "bio": "Works on UNCLOS.",
            "preferred_language": "vi",
            # Fields an expert may not change are ignored even if posted.
            "email": "hijack@example.org",
            "staff_notes": "VIP",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("experts:me")
    expert.refresh_from_db()
    assert expert.position == "Director, Maritime Programme"
    assert expert.affiliation_text == "Institute for Sea Studies"
    assert list(expert.expertise_areas.all()) == [area]
    assert expert.bio == "Works on UNCLOS."
    assert expert.preferred_language == "vi"
    assert expert.email != "hijack@example.org"
    assert expert.staff_notes == ""
    # The expert just chose Vietnamese: the confirmation speaks it (it used to stay English).
    page = client.get(response["Location"]).content.decode()
    assert "Hồ sơ của Quý vị đã được cập nhật." in page
    assert "Your profile has been updated." not in page


def test_profile_language_change_moves_the_switch_cookie_too(client):
    """With a language chosen on the switch, the new profile language wins, message included."""
    signed_in_expert(client, preferred_language="vi")
    client.cookies["django_language"] = "vi"
    response = client.post(
        reverse("experts:edit_profile"), {"position": "X", "preferred_language": "en"}
    )
    assert response.cookies["django_language"].value == "en"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in page
    assert "Your profile has been updated." in page


@pytest.mark.parametrize("url_name", ["experts:me", "experts:edit_profile", "account_login"])
def test_one_language_switch_on_expert_and_sign_in_pages(client, url_name):
    """Every expert page and the sign-in page show the same switch: one button per language."""
    if url_name != "account_login":
        signed_in_expert(client, preferred_language="en")
    page = client.get(reverse(url_name)).content.decode()
    assert page.count('class="language-links"') == 1
    assert '<button type="submit" name="language" value="vi" lang="vi">Tiếng Việt</button>' in page
    assert '<span class="current" lang="en" aria-current="true">English</span>' in page
    assert "<select" not in page.split('class="language-links"')[1].split("</nav>")[0]


def test_language_switch_button_changes_the_language(client):
    signed_in_expert(client, preferred_language="en")
    response = client.post(
        reverse("set_language"), {"language": "vi", "next": reverse("experts:me")}
    )
    assert response.status_code == 302
    assert '<html lang="vi">' in client.get(response["Location"]).content.decode()


def test_profile_update_refuses_an_unknown_language_in_plain_words(client):
    expert, _ = signed_in_expert(client)
    response = client.post(
        reverse("experts:edit_profile"), {"position": "X", "preferred_language": "fr"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    expert.refresh_from_db()
    assert expert.position == "Senior Fellow"


def test_update_expert_profile_service_keeps_search_text_in_step():
    expert = ExpertFactory(given_name="Sơn", family_name="Nguyễn")
    updated = update_expert_profile(
        expert,
        position="Dean",
        affiliation_text="",
        expertise_areas=[],
        bio="",
        preferred_language="en",
    )
    assert updated.position == "Dean"
    assert "nguyen" in updated.search_text
    with pytest.raises(ValueError):
        update_expert_profile(
            expert,
            position="Dean",
            affiliation_text="",
            expertise_areas=[],
            bio="",
            preferred_language="xx",
        )
