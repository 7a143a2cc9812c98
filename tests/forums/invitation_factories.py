import factory

from forums.models import EmailTemplate, Invitation, ReminderRule
from tests.factories import EditionFactory, ExpertFactory


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
