"""The ministry's journey: an existing event (its new-event fields hidden), a kind typed as
"memo", a duplicate shown with a link, one line skipped, the rest saved."""

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from events.models import Event
from tests.factories import InstitutionFactory, agreement_between


def test_skip_a_duplicate_line_and_save_the_rest(page: Page, demo_server, axe, screenshot):
    get_user_model().objects.create_superuser("clerk", "clerk@example.org", "a long pass phrase")
    kaznu = InstitutionFactory(name="Test Kazakh University")
    ada = InstitutionFactory(name="Test Baku University", country="AZ", city="Baku")
    InstitutionFactory(name="Test Ganja University", country="AZ", city="Ganja")
    existing = agreement_between(kaznu, ada, title="Memorandum of understanding")
    event = Event.objects.get(kind="round_table")
    before = Agreement.objects.count()

    page.goto(f"{demo_server.url}/accounts/login/?next=/agreements/session/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "a long pass phrase")
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url("**/agreements/session/")
    expect(page.locator("#new-event-fields")).to_be_visible()
    page.select_option("#id_event", str(event.pk))
    expect(page.locator("#new-event-fields")).to_be_hidden()  # only for a new event
    page.fill(
        "#id_rows",
        "Test Kazakh University;Test Baku University;;memo\n"
        "Test Kazakh University;Test Ganja University;;меморандум",
    )
    page.click("button[name=check]")
    expect(page.locator("#summary")).to_have_text("2 rows: 1 ready, 0 ambiguous, 1 with errors")
    duplicate = page.locator(".row-errors .duplicates a").first
    expect(duplicate).to_have_text("Memorandum of understanding")
    expect(duplicate).to_have_attribute("href", existing.get_absolute_url())
    expect(page.locator(".row-errors")).to_contain_text("Test Baku University (AZ)")
    screenshot(page, "ux-signing-session-duplicate-1400")
    axe(page)

    page.locator("#row-1 input[type=checkbox]").check()
    page.click("button[name=check]")
    expect(page.locator("#summary")).to_have_text(
        "1 row: 1 ready, 0 ambiguous, 0 with errors; 1 skipped"
    )
    expect(page.locator("ul.skipped")).to_contain_text("Test Baku University")
    page.click("#save-all")
    expect(page.locator(".messages")).to_contain_text("1 agreement saved. 1 line skipped.")
    assert Agreement.objects.count() == before + 1
    assert Agreement.objects.latest("pk").kind == "memorandum"
