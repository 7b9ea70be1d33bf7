"""Ministry staff take a published article in: paste, review, confirm, see it cited."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from cooperation.models import StatedFigure
from cooperation.roles import MINISTRY_EDITOR
from events.models import Event
from tests.factories import InstitutionFactory
from tests.intake.conftest import article


def test_staff_paste_an_article_review_and_confirm(page: Page, live_server, screenshot):
    InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    InstitutionFactory(name="Al-Farabi Kazakh National University")
    clerk = get_user_model().objects.create_user("clerk", "clerk@example.org", "pw")
    clerk.is_staff = True
    clerk.save()
    clerk.groups.add(Group.objects.get(name=MINISTRY_EDITOR))

    page.goto(f"{live_server.url}/admin/login/?next=/sources/intake/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/sources/intake/")

    page.fill("#id_text", article("002"))
    page.fill("#id_published_on", "2026-04-06")
    page.fill("#id_publisher", "Ministry of Science and Higher Education")
    screenshot(page, "intake-article")
    page.click("button[name=extract]")

    expect(page.locator("h1")).to_have_text("Review the proposals")
    figures = page.locator(".proposals-stated_figure .proposal")
    expect(figures).to_have_count(3)
    forum = page.locator(".proposals-event .proposal").first
    expect(forum.locator("input[name$=-title]")).to_have_value(
        "Second Forum of Rectors of Higher Education Institutions of Kazakhstan and Azerbaijan"
    )
    # The person rejects one figure and corrects the forum's city.
    figures.nth(2).locator("input[name$=-accept]").uncheck()
    forum.locator("input[name$=-city]").fill("Almaty")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "intake-review")
    page.click("button[name=confirm]")

    expect(page).to_have_url(re.compile(r"/sources/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Saved:")
    event = Event.objects.get(kind="forum")
    assert event.city == "Almaty"
    assert StatedFigure.objects.count() == 2
    assert set(event.stated_figures.values_list("value", flat=True)) == {63, 18}
