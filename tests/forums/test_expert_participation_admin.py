"""The expert's admin page lists their participation: invitations, answers, roles, attendance,
read-only, in a number of queries that does not grow with the history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import roles
from forums.models import Invitation, SessionRole
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ForumFactory,
    SessionFactory,
    SessionRoleFactory,
    UserFactory,
)
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db


def participation(html: str) -> str:
    return html.split('class="participation-history stack-on-phone"')[1].split("</table>")[0]


def page(client, expert):
    return client.get(reverse("admin:experts_expert_change", args=[expert.pk]))


def history_of(expert, editions: int):
    forum = ForumFactory(short_name="SCS")
    for number in range(editions):
        edition = EditionFactory(
            forum=forum,
            number=number + 1,
            start_date=timezone.localdate() - dt.timedelta(days=400 * (editions - number)),
        )
        InvitationFactory(
            edition=edition,
            expert=expert,
            status=Invitation.Status.ACCEPTED,
            attendance=Invitation.Attendance.ONLINE,
            responded_at=timezone.now(),
        )
        session = SessionFactory(edition=edition, title=f"Panel on fisheries {number}")
        SessionRoleFactory(session=session, expert=expert, role=SessionRole.Role.MODERATOR)


def test_the_experts_page_lists_invitations_answers_roles_and_attendance(client):
    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    expert = ExpertFactory()
    forum = ForumFactory(short_name="SCS")
    held = EditionFactory(
        forum=forum, number=14, start_date=timezone.localdate() - dt.timedelta(days=300)
    )
    coming = EditionFactory(forum=forum, number=16)
    InvitationFactory(
        edition=held,
        expert=expert,
        status=Invitation.Status.ACCEPTED,
        attendance=Invitation.Attendance.IN_PERSON,
        responded_at=timezone.now(),
        dietary_needs="Vegetarian",
    )
    invitation = InvitationFactory(edition=coming, expert=expert, status=Invitation.Status.DECLINED)
    SessionRoleFactory(
        session=SessionFactory(edition=held, title="Freedom of navigation"),
        expert=expert,
        role=SessionRole.Role.SPEAKER,
    )
    ExpertFactory()  # someone else's history stays out

    response = page(client, expert)
    assert response.status_code == 200
    table = participation(response.text)
    rows = table.split("<tbody>")[1].split("</tr>")
    assert "SCS 16" in rows[0] and "Declined" in rows[0]  # latest edition first
    assert "SCS 14" in rows[1] and "Accepted" in rows[1] and "In person" in rows[1]
    assert "Speaker: Freedom of navigation" in rows[1]
    assert reverse("admin:forums_invitation_change", args=[invitation.pk]) in table
    assert "Vegetarian" not in response.text  # no personal details of the answers
    # Read-only: nothing of it is a form field.
    assert "participation_history" not in response.context["adminform"].form.fields


def test_an_expert_without_history_says_so(client):
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    response = page(client, ExpertFactory())
    assert "Not invited to any edition yet" in response.text


def test_the_history_costs_the_same_queries_for_one_edition_or_ten(client):
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    short, long = ExpertFactory(), ExpertFactory()
    history_of(short, 1)
    history_of(long, 10)
    page(client, short)  # warm caches (content types, permissions)
    counts = []
    for expert in (short, long):
        with CaptureQueriesContext(connection) as queries:
            response = page(client, expert)
        assert response.status_code == 200
        counts.append(len(queries))
    assert participation(response.text).count("Moderator: Panel on fisheries") == 10
    assert counts[0] == counts[1]
