"""Names sort in Vietnamese order (Đ after D, not after Z; tones only break ties) wherever staff
list experts or institutions by name: changelists, autocompletes, exports, the reminder plan.
The order comes from a stored key column, so SQLite and PostgreSQL give the same one."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from experts.exports import ExpertExport
from experts.models import Expert, expert_name_sort_key
from forums.resources import InvitationExport
from forums.services import plan_reminders
from partners.importing import import_partner_file
from partners.models import Institution, institution_name_sort_key
from partners.resources import InstitutionExport, MOUExport
from tests.factories import EditionFactory, ExpertFactory, InstitutionFactory, MOUFactory
from tests.forums.invitation_factories import InvitationFactory
from tests.partners.import_rows import csv_bytes, row
from tests.support.exports import column, read_rows

pytestmark = pytest.mark.django_db

# Family names in Vietnamese order; created shuffled.
FAMILY_NAMES = ["Anh", "Ánh", "Bùi", "Dương", "Đặng", "Zhang"]
SHUFFLED = ["Zhang", "Đặng", "Bùi", "Ánh", "Dương", "Anh"]
INSTITUTIONS = [
    "Đại học Quốc gia Hà Nội",
    "Dublin Institute",
    "Ánh Dương Foundation",
    "Zurich Centre",
    "Anh Quốc Society",
    "Bùi Research",
]
# Tones only break ties: "Ánh Dương" comes before "Anh Quốc" (d before q).
INSTITUTIONS_IN_ORDER = [
    "Ánh Dương Foundation",
    "Anh Quốc Society",
    "Bùi Research",
    "Dublin Institute",
    "Đại học Quốc gia Hà Nội",
    "Zurich Centre",
]


def make_experts(**kwargs):
    # Family name first, as a Vietnamese name is written: "Đặng Minh".
    return [
        ExpertFactory(
            family_name=family,
            given_name="Minh",
            name_order=Expert.NameOrder.FAMILY_FIRST,
            **kwargs,
        )
        for family in SHUFFLED
    ]


def full_names():
    return [f"{family} Minh" for family in FAMILY_NAMES]


def cells(html, field):
    """The text of each changelist cell of `field`, top to bottom (a link or plain text)."""
    found = re.findall(rf'class="field-{field}"[^>]*>(?:<a [^>]*>)?([^<]*)<', html)
    return [re.sub(r"\s+", " ", text).strip() for text in found]


def changelist_and_export_in_vietnamese_order(admin_client):
    experts = make_experts()
    response = admin_client.get(reverse("admin:experts_expert_changelist"))
    assert cells(response.text, "name_display") == full_names()

    # Sorting by the name column, both ways.
    response = admin_client.get(reverse("admin:experts_expert_changelist"), {"o": "-1"})
    assert cells(response.text, "name_display") == full_names()[::-1]

    rows = read_rows(ExpertExport().content(Expert.objects.all(), file_format="csv"), "csv")
    assert column(rows, "Family name") == FAMILY_NAMES

    edition = EditionFactory()
    for expert in experts:
        InvitationFactory(edition=edition, expert=expert)
    response = admin_client.get(reverse("admin:forums_invitation_changelist"), {"o": "1"})
    assert cells(response.text, "expert_display") == full_names()
    export = InvitationExport().content(edition.invitations.all(), file_format="xlsx")
    assert column(read_rows(export, "xlsx"), "Expert") == full_names()


def test_experts_in_vietnamese_order_in_the_changelist_and_exports(admin_client):
    changelist_and_export_in_vietnamese_order(admin_client)


def test_experts_in_vietnamese_order_on_postgresql(require_postgres, admin_client):
    changelist_and_export_in_vietnamese_order(admin_client)


def test_the_expert_autocomplete_lists_names_in_vietnamese_order(admin_client):
    make_experts()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "forums", "model_name": "sessionrole", "field_name": "expert", "term": ""},
    )
    assert [r["text"] for r in response.json()["results"]] == full_names()


def test_the_remind_now_plan_lists_experts_in_vietnamese_order():
    edition = EditionFactory()
    for expert in make_experts():
        InvitationFactory(edition=edition, expert=expert)
    plan = plan_reminders(edition.invitations.all())
    listed = plan.to_remind + [skipped.invitation for skipped in plan.skipped]
    assert [i.expert.family_name for i in listed] == FAMILY_NAMES


def test_given_name_breaks_a_tie_of_family_names_and_tones_come_second():
    for given in ["Đức", "Dũng", "Du", "An"]:
        ExpertFactory(family_name="Nguyễn", given_name=given)
    ExpertFactory(family_name="Nguyên", given_name="Zung")
    assert [(e.family_name, e.given_name) for e in Expert.objects.all()] == [
        ("Nguyên", "Zung"),
        ("Nguyễn", "An"),
        ("Nguyễn", "Du"),
        ("Nguyễn", "Dũng"),
        ("Nguyễn", "Đức"),
    ]


def test_the_key_follows_a_renamed_expert():
    expert = ExpertFactory(family_name="Zhang", given_name="Wei")
    expert.family_name = "Đặng"
    expert.save()
    expert.refresh_from_db()
    assert expert.name_sort_key == expert_name_sort_key(family_name="Đặng", given_name="Wei")


def institutions_in_vietnamese_order(admin_client):
    for name in INSTITUTIONS:
        MOUFactory(institution=InstitutionFactory(name=name, acronym=""))
    response = admin_client.get(reverse("admin:partners_institution_changelist"))
    assert cells(response.text, "name_display") == INSTITUTIONS_IN_ORDER
    rows = read_rows(
        InstitutionExport().content(Institution.objects.all(), file_format="csv"), "csv"
    )
    assert column(rows, "Name") == INSTITUTIONS_IN_ORDER
    mous = read_rows(MOUExport().content(MOUExport.model.objects.all(), file_format="csv"), "csv")
    assert [row[0] for row in mous[1:]] == INSTITUTIONS_IN_ORDER


def test_institutions_in_vietnamese_order_in_the_partners_admin_and_exports(admin_client):
    institutions_in_vietnamese_order(admin_client)


def test_institutions_in_vietnamese_order_on_postgresql(require_postgres, admin_client):
    institutions_in_vietnamese_order(admin_client)


def test_the_affiliation_autocomplete_lists_institutions_in_vietnamese_order(admin_client):
    for name in INSTITUTIONS:
        InstitutionFactory(name=name, acronym="")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "experts", "model_name": "expert", "field_name": "affiliation", "term": ""},
    )
    assert [r["text"] for r in response.json()["results"]] == INSTITUTIONS_IN_ORDER


def test_imported_institutions_get_the_key_save_gives():
    data = csv_bytes(
        [
            row(**{"Institution name": name, "MOU title": f"MOU {n}"})
            for n, name in enumerate(INSTITUTIONS)
        ]
    )
    result = import_partner_file(data, file_name="partners.csv", dry_run=False)
    assert result.ok, result.errors
    assert [i.name for i in Institution.objects.all()] == INSTITUTIONS_IN_ORDER
    for institution in Institution.objects.all():
        assert institution.name_sort_key == institution_name_sort_key(institution.name)


@pytest.mark.parametrize(
    ("app", "migration", "model"),
    [
        ("experts", "0005_name_sort_key", Expert),
        ("partners", "0005_institution_name_sort_key", Institution),
    ],
)
def test_the_migration_fills_the_key_of_existing_rows(app, migration, model):
    make_experts()
    model.objects.update(name_sort_key="")
    module = importlib.import_module(f"{app}.migrations.{migration}")
    module.fill_name_sort_key(apps, None)
    for obj in model.objects.all():
        before = obj.name_sort_key
        obj.save()
        assert before == obj.name_sort_key != ""
