"""The edition's admin: the edition filter puts the coming editions first, "Add reminder rule"
from an edition pre-fills it, the sessions inline's inputs have accessible names."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import roles
from forums.models import Edition
from tests.factories import EditionFactory, ForumFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    return client


def in_days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def filter_labels(html: str) -> list[str]:
    section = html.split("By edition")[1].split("</ul>")[0]
    return [label.strip() for label in re.findall(r'<a href="[^"]*">([^<]+)</a>', section)]


def object_tools_add_link(html: str) -> str:
    tools = html.split('class="object-tools"')[1]
    return re.search(r'href="([^"]*)" class="addlink"', tools).group(1)


def test_the_edition_filter_lists_coming_editions_first_soonest_first(coordinator):
    forum = ForumFactory(short_name="SCS")
    for number, days in ((10, -700), (13, -30), (15, 200), (14, 40), (12, -365)):
        EditionFactory(
            forum=forum,
            number=number,
            start_date=in_days(days),
            status=Edition.Status.HELD if days < 0 else Edition.Status.PLANNING,
        )
    html = coordinator.get(reverse("admin:forums_invitation_changelist")).text
    labels = filter_labels(html)
    numbers = [label.split(" \u00b7 ")[0] for label in labels[1:]]  # after "All"
    assert numbers == ["SCS 14", "SCS 15", "SCS 13", "SCS 12", "SCS 10"]
    # Short labels: the forum, number and month, not the whole title.
    assert all(len(label) < 30 for label in labels)


def test_add_reminder_rule_from_an_editions_reminders_prefills_the_edition(coordinator):
    edition = EditionFactory()
    rules = coordinator.get(
        reverse("admin:forums_reminderrule_changelist"), {"edition__id__exact": edition.pk}
    )
    add_link = object_tools_add_link(rules.text)
    assert f"edition={edition.pk}" in add_link
    add_form = coordinator.get(add_link.replace("&amp;", "&"))
    assert add_form.status_code == 200
    assert add_form.context["adminform"].form.initial["edition"] == str(edition.pk)
    assert f'<option value="{edition.pk}" selected>' in add_form.text

    # Without an edition filter, the link is the plain one.
    unfiltered = coordinator.get(reverse("admin:forums_reminderrule_changelist")).text
    assert "edition=" not in object_tools_add_link(unfiltered)


def test_every_input_of_the_sessions_inline_has_an_accessible_name(coordinator):
    edition = EditionFactory()
    SessionFactory.create_batch(3, edition=edition)
    html = coordinator.get(reverse("admin:forums_edition_change", args=[edition.pk])).text
    group = html.split('id="sessions-group"')[1].split("</fieldset>")[0]
    inputs = re.findall(r"<(?:input|select)\b[^>]*>", group)
    visible = [tag for tag in inputs if 'type="hidden"' not in tag]
    assert len(visible) >= 3 * 8  # title, kind, 2 x (date, time), room, rule, delete
    unnamed = [tag for tag in visible if "aria-label=" not in tag]
    assert unnamed == []
    assert 'aria-label="Starts at: date"' in group and 'aria-label="Delete"' in group
