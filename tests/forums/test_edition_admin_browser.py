"""The edition's admin page and its lists fit a 1366 px laptop screen and a phone, in English
and Vietnamese: no button over the title, every column of the sessions inline, of the
reminder rules and of the invitations on screen (a real browser measures them).

Screenshots go to screenshot_dir() (a temporary folder), named edition-admin-*.png.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import roles
from forums.models import Edition
from tests.factories import EditionFactory, ExpertFactory, ForumFactory, SessionFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation
from tests.support.browser import screenshot_dir, sign_in_staff

SCREENSHOTS = screenshot_dir()
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def busy_edition() -> Edition:
    """An edition as a coordinator has it a month before: ten sessions, reminders, invitations."""
    forum = ForumFactory(name="International Conference on the South China Sea", short_name="SCS")
    edition = EditionFactory(
        forum=forum,
        number=16,
        title="The 16th International Conference on the South China Sea: Cooperation for Peace,"
        " Stability and Sustainable Development in the Region",
        start_date=timezone.localdate() + dt.timedelta(days=30),
    )
    for number in range(10):
        SessionFactory(
            edition=edition,
            title=f"Panel {number + 1}: Freedom of navigation and the law of the sea",
            room="Hall A, Diplomatic Academy",
        )
    for other in range(2, 12):  # many editions, so the filters have a long list
        EditionFactory(
            forum=forum,
            number=other,
            status=Edition.Status.HELD,
            start_date=timezone.localdate() - dt.timedelta(days=365 * (16 - other)),
        )
    staff = UserFactory(username="coordinator", groups=[roles.FORUM_COORDINATORS])
    for number in range(3):
        expert = ExpertFactory(
            given_name="Nguyễn Thị Minh",
            family_name=f"Phương {number}",
            affiliation_text="Institute for East Asian Maritime Studies and Ocean Governance",
        )
        sent_invitation(staff, edition=edition, expert=expert)
    return edition


def right_edge_overflow(page, selector: str) -> float:
    """How far (px) the right-most cell of the table at `selector` reaches past what can be
    seen: the screen, or a scrolling box around the table (a column to scroll to is clipped)."""
    return page.evaluate(
        """(selector) => {
            const table = document.querySelector(selector);
            if (!table) { throw new Error("no " + selector); }
            let visible = document.documentElement.clientWidth;
            for (let box = table.parentElement; box; box = box.parentElement) {
                if (getComputedStyle(box).overflowX !== "visible") {
                    visible = Math.min(visible, box.getBoundingClientRect().left + box.clientWidth);
                }
            }
            let right = 0;
            for (const cell of table.querySelectorAll("th, td")) {
                if (cell.offsetParent !== null) {
                    right = Math.max(right, cell.getBoundingClientRect().right);
                }
            }
            return right - visible;
        }""",
        selector,
    )


def overlaps(page, first: str, second: str) -> bool:
    return page.evaluate(
        """([first, second]) => {
            const a = document.querySelector(first).getBoundingClientRect();
            const b = document.querySelector(second).getBoundingClientRect();
            return !(a.right <= b.left || b.right <= a.left
                     || a.bottom <= b.top || b.bottom <= a.top);
        }""",
        [first, second],
    )


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_edition_page_and_its_lists_fit_a_laptop_and_a_phone(live_server, browser, language):
    edition = busy_edition()
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    change = reverse("admin:forums_edition_change", args=[edition.pk])
    sign_in_staff(page, live_server.url, username="coordinator", password=PASSWORD, next_url=change)
    if language == "vi":
        context.add_cookies([{"name": "django_language", "value": "vi", "url": live_server.url}])
    page.goto(live_server.url + change)
    page.wait_for_selector("#sessions-group")
    page.screenshot(path=str(SCREENSHOTS / f"edition-admin-1366-{language}.png"), full_page=True)
    problems = []
    if overlaps(page, ".object-tools", "#content h2"):
        problems.append("laptop: the buttons cover the title")
    if (overflow := right_edge_overflow(page, "#sessions-group table")) > 0:
        problems.append(f"laptop: the sessions inline is {overflow:.0f} px too wide")

    lists = {
        "reminders": reverse("admin:forums_reminderrule_changelist"),
        "invitations": reverse("admin:forums_invitation_changelist"),
    }
    for name, url in lists.items():
        page.goto(f"{live_server.url}{url}?edition__id__exact={edition.pk}")
        page.wait_for_selector("#result_list")
        page.screenshot(path=str(SCREENSHOTS / f"edition-{name}-1366-{language}.png"))
        if (overflow := right_edge_overflow(page, "#result_list")) > 0:
            problems.append(f"laptop: the {name} list is {overflow:.0f} px too wide")

    page.set_viewport_size(PHONE)
    page.goto(live_server.url + change)
    page.wait_for_selector("#sessions-group")
    page.screenshot(path=str(SCREENSHOTS / f"edition-admin-phone-{language}.png"), full_page=True)
    if overlaps(page, ".object-tools", "#content h2"):
        problems.append("phone: the buttons cover the title")
    # On a phone the page itself does not scroll sideways (the inline scrolls in its box).
    if (width := page.evaluate("document.documentElement.scrollWidth")) > PHONE["width"]:
        problems.append(f"phone: the page is {width} px wide")
    context.close()
    assert problems == []
