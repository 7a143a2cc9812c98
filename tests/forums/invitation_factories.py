import factory

from forums.models import EmailTemplate, Invitation, ReminderRule
from forums.services import invite_expert, send_invitation
from tests.factories import EditionFactory, ExpertFactory, UserFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    """A draft invitation; use forums.services to send and answer it."""

    class Meta:
        model = Invitation

    edition = factory.SubFactory(EditionFactory)
    expert = factory.SubFactory(ExpertFactory)
    status = Invitation.Status.DRAFT


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailTemplate

    kind = EmailTemplate.Kind.INVITATION
    language = "en"
    edition = factory.SubFactory(EditionFactory)
    subject = "Special invitation to {{ edition_title }}"
    body = "Dear {{ name }},\n\nPlease answer: {{ rsvp_link }}"


class ReminderRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderRule
        django_get_or_create = ("edition", "audience", "days")

    edition = factory.SubFactory(EditionFactory)
    audience = ReminderRule.Audience.NON_RESPONDERS
    days = 10


def sent_invitation(staff=None, *, edition=None, expert=None, **invite_kwargs):
    """An invitation invited and sent the way a coordinator does it: forums.services'
    invite_expert (the "created" event) then send_invitation (a link, the email queued).

    `invite_kwargs` go to invite_expert (offered_session, offered_role, personal_message); the
    edition and the expert are made when not given. Returns (invitation as saved, link token).
    """
    staff = staff or UserFactory()
    invitation, _ = invite_expert(
        edition or EditionFactory(),
        expert=expert or ExpertFactory(),
        invited_by=staff,
        **invite_kwargs,
    )
    token = send_invitation(invitation, sent_by=staff)
    invitation.refresh_from_db()
    return invitation, token
