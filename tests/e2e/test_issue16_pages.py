"""The pages changed for issue 16 at 1400 and 390 px: axe-core finds nothing, the pair's
dashboard lists its own events, agreements are told apart, the back office's dates."""

import pytest
from playwright.sync_api import Browser, Page, expect

from events.models import Event

from .sessions import sign_in_as_superuser

PUBLIC = [
    ("dashboard", "/"),
    ("dashboard-kz-pl", "/?pair=KZ-PL"),
    ("mobility", "/mobility/"),
    ("events", "/events/?country_pair=KZ,AZ"),
    ("agreements", "/agreements/"),
    ("scholarships", "/mobility/scholarships/?country_pair=KZ,AZ"),
    ("login", "/accounts/login/?next=/agreements/"),
]


@pytest.mark.parametrize("width", [1400, 390])
def test_changed_pages_pass_axe(page: Page, demo_server, axe, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    round_table = Event.objects.get(kind="round_table")
    for name, path in [*PUBLIC, ("event", round_table.get_absolute_url())]:
        page.goto(demo_server.url + path)
        axe(page)
        if name in ("dashboard", "dashboard-kz-pl", "event"):
            screenshot(page, f"ux-{name}-{width}")
    sign_in_as_superuser(page, demo_server.url, "boss")
    for name, path in [
        ("signing-session", "/agreements/session/"),
        ("admin-agreements", "/admin/agreements/agreement/"),
    ]:
        page.goto(demo_server.url + path)
        axe(page)
        screenshot(page, f"ux-{name}-{width}")


def test_the_dashboard_of_another_pair_shows_none_of_the_focus_pairs_events(
    page: Page, demo_server
):
    page.goto(f"{demo_server.url}/?pair=KZ-PL")
    expect(page.get_by_role("heading", name="Recent events")).to_be_visible()
    expect(page.get_by_text("Round table on expanding cooperation")).to_have_count(0)
    page.goto(f"{demo_server.url}/")
    expect(page.get_by_text("Round table on expanding cooperation").first).to_be_visible()


def test_admin_date_fields_have_no_time_zone_note_and_take_day_month_year(
    browser: Browser, demo_server
):
    # A browser far from the server's time zone (TIME_ZONE is Asia/Almaty).
    context = browser.new_context(timezone_id="America/New_York", locale="en")
    page = context.new_page()
    sign_in_as_superuser(page, demo_server.url, "boss")
    page.goto(f"{demo_server.url}/admin/events/event/add/")
    expect(
        page.locator("#id_start_date + .datetimeshortcuts, .datetimeshortcuts").first
    ).to_be_visible()
    expect(page.locator(".timezonewarning")).to_have_count(0)
    page.fill("#id_title", "Third Forum of Rectors")
    page.select_option("#id_kind", "forum")
    page.fill("#id_start_date", "06.04.2026")
    page.select_option("#id_country", "KZ")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert str(Event.objects.get(title="Third Forum of Rectors").start_date) == "2026-04-06"
    context.close()
