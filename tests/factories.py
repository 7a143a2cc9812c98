import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from experts.models import Expert, ExpertiseArea
from forums.models import Edition, Forum, Session, SessionRole
from forums.services import save_edition
from partners.models import MOU, AcademyUnit, Contact, Institution


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@academy.test")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Institute of Maritime Studies {n}")
    acronym = factory.Sequence(lambda n: f"IMS{n}")
    kind = Institution.Kind.THINK_TANK
    country = "SG"
    city = "Singapore"


class MOUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MOU

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"MOU on maritime cooperation {n}")
    academy_unit = AcademyUnit.EAST_SEA
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))
    effective_from = factory.LazyAttribute(lambda m: m.signed_on)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=700))
    status = MOU.Status.ACTIVE


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Faker("name")
    position = "Director"
    email = factory.Sequence(lambda n: f"contact{n}@partner.test")


class ExpertiseAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertiseArea
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Maritime security {n}")


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    honorific = "Dr."
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"expert{n}@example.org")
    nationality = "AU"
    country = "AU"
    position = "Senior Fellow"
    affiliation = factory.SubFactory(InstitutionFactory)
    capacity = Expert.Capacity.SCHOLAR
    preferred_language = "en"


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Ocean Dialogue {n}")
    short_name = factory.Sequence(lambda n: f"OD{n}")
    slug = factory.Sequence(lambda n: f"ocean-dialogue-{n}")
    organising_unit = AcademyUnit.EAST_SEA


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    forum = factory.SubFactory(ForumFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda e: f"The {e.number}th {e.forum.name}")
    theme = "Cooperation for a peaceful and sustainable sea"
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    end_date = factory.LazyAttribute(lambda e: e.start_date + dt.timedelta(days=1))
    city = "Hà Nội"
    venue = "Diplomatic Academy, 69 Chùa Láng"
    status = Edition.Status.INVITATIONS_OPEN
    capacity = 200
    rsvp_deadline = factory.LazyAttribute(lambda e: e.start_date - dt.timedelta(days=21))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the admin does: saved through the service, so it gets its default reminder rules.
        return save_edition(edition=model_class(*args, **kwargs), changed_by=None)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"Panel {n}: Maritime security")
    kind = Session.Kind.PANEL
    starts_at = factory.LazyAttribute(
        lambda s: timezone.make_aware(dt.datetime.combine(s.edition.start_date, dt.time(9, 0)))
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(hours=1, minutes=30))
    room = "Hall A"


class SessionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionRole

    session = factory.SubFactory(SessionFactory)
    expert = factory.SubFactory(ExpertFactory)
    role = SessionRole.Role.SPEAKER
