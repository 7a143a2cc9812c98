"""Accessibility in a real browser: axe-core finds no critical or serious violation on the
staff and expert pages that matter, and a failed submit puts the focus on the error summary.

axe-core is vendored (tests/support/vendor/, see its README) and injected by the test into the
page, with the page's CSP bypassed for that context only; the focus checks run under the
portal's real CSP, so they also prove the focus script loads. Each page's axe results are
written to screenshot_dir()/axe-results.json (for the report), never into the tree.
"""

import json

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.mail.models import OutboxMessage
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ExpertiseAreaFactory,
    SessionFactory,
    UserFactory,
)
from tests.forums.invitation_factories import sent_invitation
from tests.support.browser import run_axe, screenshot_dir, sign_in_staff
from tests.support.fixtures import *  # noqa: F403  (pytest fixtures)

LAPTOP = {"width": 1366, "height": 900}
PASSWORD = "correct horse battery staple"
BLOCKING = ("critical", "serious")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name).strip("-")


def signed_in_expert_cookie(expert, live_server_url: str) -> dict:
    """A session for the expert's account (the emailed-code sign-in has its own tests)."""
    user = UserFactory(username=f"expert-{expert.pk}", email=expert.email, is_staff=False)
    EmailAddress.objects.create(user=user, email=expert.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return {"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server_url}


def world():
    coordinator = UserFactory(username="coordinator", groups=[roles.FORUM_COORDINATORS])
    edition = EditionFactory(title="The 16th International Conference on the South China Sea")
    SessionFactory.create_batch(4, edition=edition)
    expert = ExpertFactory(given_name="Jane", family_name="Doe", preferred_language="en")
    invitation, token = sent_invitation(coordinator, edition=edition, expert=expert)
    return coordinator, edition, expert, invitation, token


def test_no_critical_or_serious_violation_on_the_pages_that_matter(
    default_email_templates, live_server, browser
):
    _, edition, expert, _, token = world()
    # No partner on file and two areas: the autocomplete's empty single box and its list of
    # choices with a "remove all" cross.
    unaffiliated = ExpertFactory(affiliation=None, affiliation_text="Independent scholar")
    unaffiliated.expertise_areas.set(
        [ExpertiseAreaFactory(name="Law of the sea"), ExpertiseAreaFactory(name="Mekong")]
    )
    base = live_server.url
    staff_pages = {
        "staff home": reverse("admin:index"),
        "edition change": reverse("admin:forums_edition_change", args=[edition.pk]),
        "invitation list": reverse("admin:forums_invitation_changelist")
        + f"?edition__id__exact={edition.pk}",
        "expert change": reverse("admin:experts_expert_change", args=[expert.pk]),
        "expert change, no partner, two areas": reverse(
            "admin:experts_expert_change", args=[unaffiliated.pk]
        ),
        "expert search": reverse("admin:experts_expert_changelist") + "?q=sea",
        "outbox list": reverse("admin:mail_outboxmessage_changelist"),
    }
    expert_pages = {
        "RSVP page": reverse("forums:rsvp", args=[token]),
        "/me/": reverse("experts:me"),
        "/me/profile/": reverse("experts:edit_profile"),
    }
    assert OutboxMessage.objects.exists()
    results: dict[str, list[dict]] = {}

    context = browser.new_context(viewport=LAPTOP, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(base + reverse("account_login"))
    results["sign-in"] = run_axe(page)
    sign_in_staff(page, base, username="coordinator", password=PASSWORD, next_url="/admin/")
    for name, url in staff_pages.items():
        page.goto(base + url)
        page.wait_for_load_state()
        assert "/admin/login" not in page.url, name
        results[name] = run_axe(page)
        page.screenshot(path=str(screenshot_dir() / f"a11y-{slug(name)}.png"), full_page=True)
    context.close()

    context = browser.new_context(viewport=LAPTOP, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(20_000)
    context.add_cookies([signed_in_expert_cookie(expert, base)])
    page = context.new_page()
    for name, url in expert_pages.items():
        page.goto(base + url)
        page.wait_for_load_state()
        results[name] = run_axe(page)
        page.screenshot(path=str(screenshot_dir() / f"a11y-{slug(name)}.png"), full_page=True)
    # The RSVP form after a failed submit (error summary, invalid fields).
    page.goto(base + expert_pages["RSVP page"])
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_selector("[data-error-summary]")
    results["RSVP page with errors"] = run_axe(page)
    context.close()

    (screenshot_dir() / "axe-results.json").write_text(json.dumps(results, indent=2))
    blocking = {}
    for name, violations in results.items():
        found = [v for v in violations if v["impact"] in BLOCKING]
        if found:
            blocking[name] = [
                f"{v['impact']}: {v['id']} ({v['count']}) {v['nodes']}" for v in found
            ]
    assert blocking == {}


def test_a_failed_submit_moves_the_focus_to_the_error_summary(
    default_email_templates, live_server, browser
):
    _, _, expert, _, token = world()
    base = live_server.url
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")  # the real CSP
    context.set_default_timeout(20_000)
    context.add_cookies([signed_in_expert_cookie(expert, base)])
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    page.goto(base + reverse("forums:rsvp", args=[token]))
    assert page.evaluate("document.activeElement === document.body")  # nothing to fix yet
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_selector("[data-error-summary]")
    # A locator, not wait_for_function: a string predicate is eval'd, which the real CSP forbids.
    page.locator("[data-error-summary]:focus").wait_for()
    assert page.evaluate("document.activeElement.id") == "errors"
    # Its links lead to the fields; the focus ring shows where the keyboard is.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert outline == "rgb(23, 78, 166)"

    page.goto(base + reverse("experts:edit_profile"))
    # A language the form does not offer (as a stale or forged form would send).
    page.evaluate(
        """() => {
            const choice = document.querySelector('input[name=preferred_language]');
            choice.value = 'xx';
            choice.checked = true;
        }"""
    )
    page.get_by_role("button", name="Save my profile").click()
    page.wait_for_selector("[data-error-summary]")
    # A locator, not wait_for_function: a string predicate is eval'd, which the real CSP forbids.
    page.locator("[data-error-summary]:focus").wait_for()
    assert errors == []  # nothing blocked by the CSP
    context.close()
