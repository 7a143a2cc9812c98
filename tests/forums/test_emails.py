import pytest
from django.core.exceptions import ValidationError

from forums.models import EmailTemplate
from forums.services import render_email, validate_template_text
from forums.services.default_templates import DEFAULT_EMAIL_TEMPLATES
from forums.services.emails import outbox_values
from forums.services.tokens import issue_token
from tests.factories import EditionFactory, ExpertFactory, SessionFactory
from tests.forums.invitation_factories import EmailTemplateFactory, InvitationFactory

pytestmark = pytest.mark.django_db


def test_defaults_exist_in_both_languages_for_every_kind():
    defaults = set(EmailTemplate.objects.filter(edition=None).values_list("kind", "language"))
    assert defaults == {(kind, lang) for kind in EmailTemplate.Kind.values for lang in ("en", "vi")}
    assert set(DEFAULT_EMAIL_TEMPLATES) == defaults


@pytest.mark.parametrize("kind", EmailTemplate.Kind.values)
@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_default_template_is_valid_and_renders(kind, language):
    subject, body = DEFAULT_EMAIL_TEMPLATES[(kind, language)]
    validate_template_text(subject=subject, body=body)
    expert = ExpertFactory(preferred_language=language)
    invitation = InvitationFactory(expert=expert)
    email = render_email(kind, invitation, raw_token="TOKEN123")
    assert email.language == language
    assert invitation.edition.title in email.subject
    assert "{{" not in email.text_body and "{%" not in email.text_body
    assert "\n\n\n" not in email.text_body
    assert expert.full_name in email.text_body
    assert email.html_body.startswith("<!DOCTYPE html>")
    if "rsvp_link" in body:
        assert "http://127.0.0.1:8000/rsvp/TOKEN123/" in email.text_body


def test_vietnamese_expert_gets_vietnamese_invitation_with_local_date_format():
    edition = EditionFactory()
    invitation = InvitationFactory(edition=edition, expert=ExpertFactory(preferred_language="vi"))
    email = render_email("invitation", invitation, raw_token="abc")
    assert email.subject.startswith("Thư mời:")
    assert "Kính gửi" in email.text_body
    assert edition.rsvp_deadline.strftime("%d/%m/%Y") in email.text_body


@pytest.mark.parametrize(
    ("language", "honorific_vi", "greeting", "academy", "not_there"),
    [
        ("vi", "", "Kính gửi Ông/Bà ", "Học viện Ngoại giao", "Dr."),
        ("vi", "GS.TS.", "Kính gửi GS.TS. ", "Học viện Ngoại giao", "Ông/Bà"),
        ("en", "GS.TS.", "Dear Dr. ", "Diplomatic Academy", "GS.TS."),
    ],
)
def test_form_of_address_and_academy_name_follow_the_letters_language(
    language, honorific_vi, greeting, academy, not_there
):
    """Vietnamese letters say "Kính gửi Ông/Bà ..." (or the recorded Vietnamese title), never
    "Kính gửi Dr."; English ones keep the English honorific; the academy signs in the language."""
    expert = ExpertFactory(
        preferred_language=language,
        honorific="Dr.",
        honorific_vi=honorific_vi,
        given_name="Hùng Sơn",
        family_name="Nguyễn",
    )
    email = render_email("invitation", InvitationFactory(expert=expert), raw_token="abc")
    assert greeting + expert.full_name in email.text_body
    assert not_there not in email.text_body
    assert email.text_body.rstrip().endswith(academy)


def test_placeholders_carry_session_role_message_and_attribution():
    edition = EditionFactory()
    session = SessionFactory(edition=edition, title="Panel 2: Fisheries")
    invitation = InvitationFactory(
        edition=edition,
        offered_session=session,
        offered_role="moderator",
        personal_message="We hope you can join us again.",
    )
    text = render_email("invitation", invitation, raw_token="abc").text_body
    assert "“Panel 2: Fisheries (" in text
    assert "as Moderator" in text
    assert "We hope you can join us again." in text
    assert "Chatham House Rule:" in text
    assert edition.rsvp_deadline.strftime("%-d %B %Y") in text


def test_html_escapes_what_staff_typed_and_links_the_rsvp_url():
    invitation = InvitationFactory(personal_message='<script>alert("x")</script> & more')
    html = render_email("invitation", invitation, raw_token="tok-EN").html_body
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="http://127.0.0.1:8000/rsvp/tok-EN/"' in html


def test_edition_template_overrides_the_default_and_english_is_the_fallback():
    edition = EditionFactory()
    EmailTemplateFactory(edition=edition, language="en")
    english = InvitationFactory(edition=edition)
    assert render_email("invitation", english).subject.startswith("Special invitation to")
    # No Vietnamese override: the Vietnamese default wins over the English override.
    vietnamese = InvitationFactory(edition=edition, expert=ExpertFactory(preferred_language="vi"))
    assert render_email("invitation", vietnamese).subject.startswith("Thư mời:")
    # Without any Vietnamese template, English is used rather than failing.
    EmailTemplate.objects.filter(kind="withdrawn", language="vi").delete()
    assert render_email("withdrawn", vietnamese).subject.startswith("Update on your invitation")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello {{ name }} {{ password }}", "Unknown placeholder(s): password"),
        ("{% include 'base.html' %}", "not: include"),
        ("{% load static %}", "not: load"),
        ("{% if name %}unclosed", "cannot be read"),
        ("{{ name.__class__ }}", "cannot be read"),
        ("{% if secret %}x{% endif %}", "Unknown placeholder(s): secret"),
    ],
)
def test_templates_are_sandboxed_and_errors_are_form_errors(body, message):
    template = EmailTemplate(kind="invitation", language="en", subject="Hi", body=body)
    with pytest.raises(ValidationError) as excinfo:
        template.full_clean()
    assert "body" in excinfo.value.message_dict
    assert message in " ".join(excinfo.value.message_dict["body"])


def test_a_second_default_of_the_same_kind_and_language_is_refused_clearly():
    duplicate = EmailTemplate(kind="invitation", language="en", subject="x", body="y")
    with pytest.raises(ValidationError, match="default template of this kind"):
        duplicate.full_clean()


def test_without_any_template_row_the_shipped_default_is_used():
    EmailTemplate.objects.all().delete()
    invitation = InvitationFactory(expert=ExpertFactory(preferred_language="vi"))
    email = render_email("invitation", invitation, raw_token="abc")
    assert email.subject.startswith("Thư mời:")


def test_for_the_outbox_the_link_and_personal_details_are_markers():
    invitation = InvitationFactory(
        status="accepted",
        attendance="in_person",
        dietary_needs="Halal",
        passport_name="ROSS Ellen",
    )
    email = render_email("confirmation", invitation, raw_token="TOKEN123", for_outbox=True)
    stored = email.subject + email.text_body + email.html_body
    assert "TOKEN123" not in stored and "/rsvp/" not in stored
    assert "Halal" not in stored and "ROSS Ellen" not in stored
    assert "[[outbox:link:rsvp_link]]" in email.text_body
    assert "- Dietary needs: [[outbox:detail:dietary_needs]]" in email.text_body
    assert "- Passport: [[outbox:detail:passport]]" in email.text_body
    # Details not given get no marker (an {% if %} on them stays false).
    assert "accessibility_needs" not in email.text_body
    # Not personal: shown as they are.
    assert "- Attendance: In person" in email.text_body
    # The HTML keeps the markers intact for the outbox to fill in.
    assert "[[outbox:link:rsvp_link]]" in email.html_body


def test_the_outbox_resolver_gives_the_current_link_and_details_in_the_language():

    invitation = InvitationFactory(dietary_needs="Halal")
    raw = issue_token(invitation)
    invitation.save()
    values = outbox_values(
        object_ids=[invitation.pk], names={"rsvp_link", "dietary_needs"}, language="vi"
    )
    assert values == {
        invitation.pk: {
            "rsvp_link": f"http://127.0.0.1:8000/rsvp/{raw}/",
            "dietary_needs": "Halal",
        }
    }
    invitation.token_revoked_at = invitation.token_issued_at
    invitation.save()
    values = outbox_values(object_ids=[invitation.pk], names={"rsvp_link"}, language="en")
    assert values == {invitation.pk: {}}  # no link: the outbox will not send the email
