"""Search everywhere from the header, with the keyboard only: type, arrow down, Enter."""

from playwright.sync_api import Page, expect


def test_header_suggestions_open_a_profile_by_keyboard(page: Page, demo_server, axe, screenshot):
    page.goto(demo_server.url + "/events/")
    box = page.get_by_role("combobox", name="Search everything")
    box.focus()
    page.keyboard.type("казну", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option").first).to_contain_text(
        "Al-Farabi Kazakh National University"
    )
    expect(listbox.get_by_role("option").first).to_contain_text("КазНУ")
    assert axe(page) == []
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-option-0")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Al-Farabi Kazakh National University"
    )


def test_enter_without_a_choice_opens_the_results_page(page: Page, demo_server, screenshot):
    page.goto(demo_server.url + "/")
    box = page.get_by_role("combobox", name="Search everything")
    box.fill("Baku")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("heading", name="Institutions")).to_be_visible()
    expect(page.get_by_role("heading", name="Events")).to_be_visible()
    screenshot(page, "search")
