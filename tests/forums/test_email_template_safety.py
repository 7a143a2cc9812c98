"""Staff-editable email templates are sandboxed (forums/template_safety.py).

Attacks through the admin form (as a forum coordinator): each is a form error on a 200 page,
never a 500 and never stored. At render time, a hostile template stored before these rules
(written straight to the table) renders bounded: the shipped wording goes out and the log names
the template, instead of a 50 MB body.
"""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from academy_portal.mail.models import OutboxMessage
from forums import template_safety
from forums.models import EmailTemplate, Invitation
from forums.services import render_email, send_invitation
from tests.factories import EditionFactory, UserFactory
from tests.forums.invitation_factories import InvitationFactory
from tests.mail.sent import written

pytestmark = pytest.mark.django_db

NESTED_IFS = "{% if name %}" * 400 + "x" + "{% endif %}" * 400
NOTS = "{% if " + "not " * 3000 + "name %}x{% endif %}"

ATTACKS = [
    # (body, what the form says)
    ("{{ name|center:'100000000' }}", "Only these filters may be used"),
    ("{{ name|ljust:'abc' }}", "not: ljust"),
    ("{{ name|no_such_filter }}", "not: no_such_filter"),
    ("{% if name|length > 3 %}x{% endif %}", "not: length"),
    ("{% if name %}unbalanced", "cannot be read"),
    ("{% endif %}", "cannot be read"),
    ("{% load static %}{% static 'x' %}", "not: load, static"),
    ("{% include 'base.html' %}", "not: include"),
    ("{% extends 'base.html' %}", "not: extends"),
    ("{% debug %}", "not: debug"),
    ("{{ x.__class__ }}", "cannot be read"),
    ("{{ name.upper }}", "have no attributes: name.upper"),
    ("{{ name|default:academy_name.split }}", "have no attributes: academy_name.split"),
    ("{{ password }}", "Unknown placeholder(s): password"),
    (NESTED_IFS, "nested at most 10 deep"),
    (NOTS, "at most 20 words"),
    ("x" * 100_001, "too long"),
]


@pytest.fixture
def coordinator_client(client):
    client.force_login(UserFactory(groups=["Forum coordinators"]))
    return client


def template_form(template, **changes):
    data = {
        "kind": template.kind,
        "language": template.language,
        "edition": template.edition_id or "",
        "subject": template.subject,
        "body": template.body,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("body", "message"), ATTACKS, ids=range(len(ATTACKS)))
def test_admin_form_refuses_hostile_templates_with_an_error_not_a_500(
    coordinator_client, body, message
):
    EditionFactory()
    template = EmailTemplate.objects.get(kind="invitation", language="en", edition=None)
    before = template.body
    url = reverse("admin:forums_emailtemplate_change", args=[template.pk])

    response = coordinator_client.post(url, template_form(template, body=body))

    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page
    assert message in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert len(page) < 2_000_000  # no rendered monster on the page
    template.refresh_from_db()
    assert template.body == before


def test_admin_form_reports_a_hostile_subject_on_the_subject(coordinator_client):
    template = EmailTemplate.objects.get(kind="invitation", language="en", edition=None)
    url = reverse("admin:forums_emailtemplate_change", args=[template.pk])
    response = coordinator_client.post(
        url, template_form(template, subject="{{ edition_title|rjust:'99999999' }}")
    )
    assert response.status_code == 200
    assert "not: rjust" in response.content.decode()
    assert response.context["adminform"].form.errors.keys() == {"subject"}


def test_the_allowed_filters_and_blocks_are_accepted_and_render(coordinator_client):
    EditionFactory()
    template = EmailTemplate.objects.get(kind="invitation", language="en", edition=None)
    body = (
        "{# a note #}{% comment %}draft{% endcomment %}Dear {{ formal_name|upper }},\n"
        "{% if session %}{{ session|capfirst }}{% elif role %}{{ role|lower }}"
        "{% else %}{{ theme|default:'Our theme'|title }}{% endif %}\n{{ rsvp_link }}"
    )
    url = reverse("admin:forums_emailtemplate_change", args=[template.pk])
    response = coordinator_client.post(url, template_form(template, body=body))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == body
    invitation = InvitationFactory()
    text = render_email("invitation", invitation, raw_token="abc").text_body
    assert invitation.expert.formal_name.upper() in text


def test_stored_hostile_template_is_not_rendered_and_the_answer_still_commits(
    client, caplog, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory()
    token = send_invitation(invitation, sent_by=UserFactory())
    invitation.refresh_from_db()
    hostile = EmailTemplate.objects.get(kind="confirmation", language="en", edition=None)
    # Stored before the rules (or by a migration): straight to the table, no validation.
    EmailTemplate.objects.filter(pk=hostile.pk).update(body="{{ name|center:'100000000' }}")

    with caplog.at_level(logging.ERROR, logger="forums.services.emails"):
        response = client.post(
            reverse("forums:rsvp", args=[token]),
            {
                "answer": "accepted",
                "version": invitation.version,
                "privacy_consent": "on",
                "chatham_house_acknowledged": "on",
            },
        )

        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.ACCEPTED
        # Written when sent (the answer renders nothing): with the shipped wording then.
        confirmation = written(OutboxMessage.objects.get(kind="confirmation"))
    assert len(confirmation.text_body) < 20_000  # the shipped wording, not 100 MB
    assert invitation.edition.title in confirmation.subject
    assert f"Email template {hostile.pk}" in caplog.text
    assert "Only these filters may be used" in caplog.text


def test_a_stored_template_whose_output_outgrows_the_limit_is_stopped(settings, caplog):
    settings.EMAIL_TEMPLATE_MAX_SIZE = 5_000
    edition = EditionFactory(practical_information="Bring your passport. " * 20)  # ~420 chars
    invitation = InvitationFactory(edition=edition)
    greedy = EmailTemplate.objects.get(kind="invitation", language="en", edition=None)
    EmailTemplate.objects.filter(pk=greedy.pk).update(body="{{ practical_information }}" * 100)

    with caplog.at_level(logging.ERROR, logger="forums.services.emails"):
        email = render_email("invitation", invitation, raw_token="abc")

    assert len(email.text_body) < 5_000
    assert "longer than 5000 characters" in caplog.text


def test_a_stored_subject_that_renders_too_long_does_not_lose_the_answer(client, caplog):
    # Before: queue_email refused the 600-character subject and the RSVP answered 500.
    invitation = InvitationFactory(
        edition=EditionFactory(practical_information="Bring your passport. " * 30)
    )
    token = send_invitation(invitation, sent_by=UserFactory())
    invitation.refresh_from_db()
    EmailTemplate.objects.filter(kind="confirmation", language="en", edition=None).update(
        subject="{{ practical_information }}"
    )
    with caplog.at_level(logging.ERROR, logger="forums.services.emails"):
        response = client.post(
            reverse("forums:rsvp", args=[token]),
            {
                "answer": "accepted",
                "version": invitation.version,
                "privacy_consent": "on",
                "chatham_house_acknowledged": "on",
            },
        )
        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.ACCEPTED
        confirmation = written(OutboxMessage.objects.get(kind="confirmation"))
    assert invitation.edition.title in confirmation.subject  # the shipped subject
    assert "longer than 500 characters" in caplog.text


def test_render_stops_as_soon_as_the_output_passes_the_limit(settings):
    settings.EMAIL_TEMPLATE_MAX_SIZE = 1_000
    with pytest.raises(template_safety.UnsafeTemplate, match="longer than 1000"):
        template_safety.render_template(
            "{% if name %}{{ name }}{% endif %}" * 20, {"name": "x" * 100}
        )
    # Under the limit, the same rules render normally.
    assert template_safety.render_template("{{ name|upper }}", {"name": "ok"}) == "OK"


def test_admin_change_page_of_a_stored_hostile_template_shows_the_problem(coordinator_client):
    EditionFactory()
    hostile = EmailTemplate.objects.get(kind="invitation", language="en", edition=None)
    EmailTemplate.objects.filter(pk=hostile.pk).update(body="{{ name|center:'100000000' }}")
    response = coordinator_client.get(
        reverse("admin:forums_emailtemplate_change", args=[hostile.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only these filters may be used" in page
    assert len(page) < 2_000_000


def test_model_validation_uses_the_sandbox():
    template = EmailTemplate(
        kind="invitation", language="en", subject="Hi", body="{{ name|center:'9999' }}"
    )
    with pytest.raises(ValidationError) as excinfo:
        template.full_clean()
    assert "not: center" in " ".join(excinfo.value.message_dict["body"])
