"""Every list page and the dashboard on a phone (320, 390 px), a laptop (1400 px) and a
wide screen (1920 px): results before filters, nothing drawn over anything, no sideways
scrolling, axe-core finds nothing (issue 16)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from .layout import first_result_top, horizontal_overflow, overlaps, tables_cut

LIST_PAGES = {
    "directory": "/institutions/",
    "register": "/agreements/",
    "events": "/events/",
    "explorer": "/mobility/",
    "scholarships": "/mobility/scholarships/",
    "sources": "/sources/",
    "stated figures": "/stated-figures/",
}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1400, "height": 900}


def test_on_a_phone_the_first_result_is_above_the_fold_and_the_filters_fold(
    page: Page, demo_server
):
    page.set_viewport_size(PHONE)
    for name, path in LIST_PAGES.items():
        page.goto(demo_server.url + path)
        top = first_result_top(page)
        # The whole first line of the first row is on the first screen.
        assert top + 40 < PHONE["height"], f"{name}: first result at y={top}"
        form = page.get_by_role("search", name="Filters")
        expect(form).to_be_hidden()
        toggle = page.get_by_role("button", name="Filters")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(form).to_be_visible()
        expect(page.get_by_role("button", name="Filter", exact=True)).to_be_visible()


def test_a_refused_filter_keeps_the_filters_open_on_a_phone(page: Page, demo_server):
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_server.url}/agreements/?expiring_within=-4")
    expect(page.get_by_role("search", name="Filters")).to_be_visible()
    expect(
        page.get_by_label("In force, and ending within this many days from today")
    ).to_be_visible()


def test_the_menu_button_opens_the_menu_on_a_phone_and_the_menu_shows_on_a_laptop(
    page: Page, demo_server
):
    page.set_viewport_size(PHONE)
    page.goto(demo_server.url + "/agreements/")
    menu = page.get_by_role("navigation", name="Main")
    expect(menu).to_be_hidden()
    button = page.get_by_role("button", name="Menu")
    button.focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Institutions")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert overlaps(page) == []

    page.set_viewport_size(LAPTOP)
    expect(menu).to_be_visible()
    expect(button).to_be_hidden()


def test_key_columns_stay_on_a_phone(page: Page, demo_server):
    page.set_viewport_size(PHONE)
    page.goto(demo_server.url + "/agreements/")
    row = page.locator("main .list-results table tbody tr").first
    for column in ("Agreement", "Parties", "Status", "Valid until"):
        cell = row.locator(f'td[data-label="{column}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], column
    expect(row.locator('td[data-label="Event"]')).to_be_hidden()
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("width", [320, 390, 1400, 1920])
def test_nothing_overlaps_and_nothing_scrolls_sideways(page: Page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in {**LIST_PAGES, "dashboard": "/"}.items():
        page.goto(demo_server.url + path)
        page.wait_for_load_state("load")
        assert overlaps(page) == [], f"{name} at {width} px"
        assert horizontal_overflow(page) == 0, f"{name} at {width} px"


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1400"])
def test_axe_finds_nothing_on_the_list_pages_and_the_dashboard(
    page: Page, demo_server, axe, viewport
):
    page.set_viewport_size(viewport)
    for path in {**LIST_PAGES, "dashboard": "/"}.values():
        page.goto(demo_server.url + path)
        axe(page)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1400"])
def test_pick_countries_by_typing_then_remove_the_filter_by_its_chip(
    page: Page, demo_server, axe, viewport
):
    page.set_viewport_size(viewport)
    page.goto(demo_server.url + "/agreements/")
    everything = page.locator("main .list-results table tbody tr").count()
    if viewport is PHONE:
        page.get_by_role("button", name="Filters").click()
    # A searchable picker, not a list box of 249 countries to Ctrl-click.
    picker = page.get_by_role("combobox", name="A party is an institution of this country")
    picker.click()
    page.keyboard.type("azerb")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Filter", exact=True).click()

    chips = page.get_by_role("region", name="Active filters")
    chip = chips.get_by_role("link", name="A party is an institution of this country: Azerbaijan")
    expect(chip).to_be_visible()
    assert "partner_country=AZ" in page.url
    assert overlaps(page) == []
    axe(page)

    chip.click()
    expect(page.get_by_role("region", name="Active filters")).to_have_count(0)
    assert "partner_country" not in page.url
    expect(page.locator("main .list-results table tbody tr")).to_have_count(everything)


def test_screenshots_of_the_main_pages_at_both_widths(page: Page, demo_server, screenshot):
    """docs/layout-<page>-<width>.png, for the README and review (issue 16)."""
    pages = {
        "directory": "/institutions/?q=Farabi",
        "register": "/agreements/?country_pair=KZ,AZ",
        "explorer": "/mobility/",
        "dashboard": "/",
    }
    for viewport, label in ((PHONE, "390"), (LAPTOP, "1400")):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            page.goto(demo_server.url + path)
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # the charts' first drawing
            assert overlaps(page) == [], f"{name} at {label} px"
            screenshot(page, f"layout-{name}-{label}")


def test_without_scripts_a_phone_shows_the_results_then_the_filters_as_list_boxes(
    browser, demo_server
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="en")
    page = context.new_page()
    page.goto(f"{demo_server.url}/agreements/?kind=memorandum")
    form = page.get_by_role("search", name="Filters")
    expect(form).to_be_visible()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
    assert first_result_top(page) < form.bounding_box()["y"]
    # The list box itself, as without the picker: the form sends what it shows.
    expect(page.get_by_role("listbox", name="Kind")).to_be_visible()
    page.get_by_role("button", name="Filter", exact=True).click()
    assert "kind=memorandum" in page.url
    context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_table_is_cut_at_1400_px(browser: Browser, demo_server, language):
    """Every column of every list shows on a 1400 px screen without scrolling sideways: the
    explorer's values and sources, the scholarships' places, the back office's agreements
    with their parties (what tells identical titles apart)."""
    context = browser.new_context(locale=language, viewport=LAPTOP)
    page = context.new_page()
    for name, path in {**LIST_PAGES, "dashboard": "/"}.items():
        page.goto(demo_server.url + path)
        page.wait_for_load_state("load")
        assert tables_cut(page) == [], f"{name} in {language}"
    get_user_model().objects.create_superuser("chief", "chief@example.org", "a long pass phrase")
    page.goto(f"{demo_server.url}/admin/login/?next=/admin/agreements/agreement/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a long pass phrase")
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#result_list")).to_be_visible()
    assert tables_cut(page) == [], f"admin agreements in {language}"
    parties = page.locator("#result_list .agreement-parties").first
    expect(parties).to_be_in_viewport()
    context.close()
