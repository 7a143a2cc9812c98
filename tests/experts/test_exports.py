"""Expert list export: every selected expert once over several chunks, read back, logged."""

import itertools

import pytest
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from experts.exports import ExpertExport
from experts.models import Expert
from tests.factories import ExpertFactory, ExpertiseAreaFactory, UserFactory
from tests.support.exports import action_post, body, column, read_rows

pytestmark = pytest.mark.django_db
URL = reverse("admin:experts_expert_changelist")
NUMBERS = itertools.count()


def same_name_experts(count, **kwargs):
    return [
        ExpertFactory(
            given_name="Hùng Sơn",
            family_name="Nguyễn",
            name_order=Expert.NameOrder.FAMILY_FIRST,
            email=f"son.{next(NUMBERS)}@example.vn",
            **kwargs,
        )
        for _ in range(count)
    ]


def exported_ids(rows):
    by_email = dict(Expert.objects.values_list("email", "pk"))
    return [by_email[email] for email in column(rows, "Email")]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_experts_sharing_every_name_are_each_exported_once_and_logged(
    client, settings, file_format
):
    settings.EXPORT_CHUNK_SIZE = 3
    area = ExpertiseAreaFactory(name="Luật biển")
    experts = same_name_experts(10)
    for expert in experts:
        expert.expertise_areas.add(area)
    ExpertFactory()  # not in the filter
    client.force_login(UserFactory(groups=[roles.VIEWERS]))

    response = action_post(
        client,
        URL,
        f"export_{file_format}",
        [experts[0].pk],
        select_across=True,
        query=f"?expertise_areas__id__exact={area.pk}",
    )

    rows = read_rows(body(response), file_format)
    ids = exported_ids(rows)
    assert ids == [e.pk for e in experts]
    assert column(rows, "Expert") == ["Nguyễn Hùng Sơn"] * 10
    assert column(rows, "Expertise areas") == ["Luật biển"] * 10
    log = AccessLog.objects.get()
    assert (log.model_label, log.object_ids, log.personal_details) == (
        "experts.expert",
        ids,
        False,
    )


def test_a_join_that_repeats_an_expert_still_exports_them_once():
    first, second = ExpertiseAreaFactory(), ExpertiseAreaFactory()
    [expert] = same_name_experts(1)
    expert.expertise_areas.add(first, second)
    joined = Expert.objects.filter(expertise_areas__in=[first, second])
    assert joined.count() == 2  # the join repeats the expert

    assert ExpertExport().selected_ids(joined) == [expert.pk]
    rows = read_rows(ExpertExport().content(joined, file_format="csv"), "csv")
    assert exported_ids(rows) == [expert.pk]
