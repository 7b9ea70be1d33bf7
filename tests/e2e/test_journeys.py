"""What rectors and analysts click, type and see, in a real browser."""

import csv
import datetime
import io
import re

from playwright.sync_api import Page, expect

from events.models import Event
from tests.factories import agreement_between
from universities.models import Institution


def test_rector_finds_institution_by_cyrillic_name_and_follows_an_agreement_to_its_event(
    page: Page, demo_server, screenshot
):
    atyrau = Institution.objects.get(ror_id="05nmhtv58")
    ada = Institution.objects.get(ror_id="053ez2v94")
    forum = Event.objects.get(kind="forum")
    agreement_between(
        atyrau,
        ada,
        title="Memorandum on academic exchange (test)",
        event=forum,
        signed_on=datetime.date(2026, 4, 6),
    )

    page.goto(f"{demo_server.url}/institutions/")
    page.get_by_role("search", name="Filters").get_by_label("Search").fill("Атырауский")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Khalel Dosmukhamedov Atyrau University").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Khalel Dosmukhamedov Atyrau University"
    )
    expect(
        page.get_by_text("Атырауский государственный университет им. Х.Досмухамедова")
    ).to_be_visible()
    screenshot(page, "profile")

    page.locator("section", has=page.get_by_role("heading", name="Partners")).get_by_role(
        "link", name="ADA University"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ADA University")
    page.get_by_role("link", name="Memorandum on academic exchange (test)").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Memorandum on academic exchange (test)"
    )
    page.get_by_role("link", name=re.compile("Second Forum of Rectors")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Second Forum of Rectors")
    expect(page.get_by_role("link", name="Memorandum on academic exchange (test)")).to_be_visible()
    expect(page.get_by_text("Sayasat Nurbek")).to_be_visible()


def pick(page: Page, label: str, choice: str) -> None:
    """Pick a choice in a filter's searchable picker by typing the start of its name."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.keyboard.type(choice[:5])
    # Enter once the picker has narrowed its list to the choice (pressed earlier, it took
    # the first of the unfiltered list), and Escape until the list has closed: an open
    # list lies over the next filter.
    narrowed = re.compile(rf"^\s*{re.escape(choice)}\s*$", re.IGNORECASE)
    expect(page.locator(".ts-dropdown .option.active")).to_have_text(narrowed)
    page.keyboard.press("Enter")
    # The choice taken before the list is closed (an Escape handled first was lost in CI).
    picker = page.locator(".ts-wrapper", has=page.get_by_role("combobox", name=label, exact=True))
    expect(picker.locator(".item", has_text=choice)).to_have_count(1)
    open_list = page.locator(".ts-wrapper.dropdown-active")
    for _ in range(4):
        page.keyboard.press("Escape")
        try:
            expect(open_list).to_have_count(0, timeout=1_000)
            return
        except AssertionError:
            continue
    expect(open_list).to_have_count(0)


def test_analyst_filters_mobility_sees_the_chart_and_reads_back_the_csv(
    page: Page, demo_server, screenshot
):
    page.goto(f"{demo_server.url}/mobility/")
    pick(page, "Origin country", "Azerbaijan")
    pick(page, "Destination country", "Kazakhstan")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 result")).to_be_visible()
    chart = page.locator("#mobility-chart")
    expect(chart).to_be_visible()
    # Chart.js has drawn on the canvas: it is no longer blank.
    assert page.evaluate(
        "() => { const c = document.getElementById('mobility-chart');"
        " return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v); }"
    )
    expect(page.locator("#pivot-table")).to_contain_text("333")
    page.get_by_role("link", name="Clear all").click()
    screenshot(page, "mobility-explorer")
    pick(page, "Origin country", "Azerbaijan")
    pick(page, "Destination country", "Kazakhstan")
    page.get_by_role("button", name="Filter").click()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(row["origin_country"], row["destination_country"], row["value"]) for row in rows] == [
        ("AZ", "KZ", "333")
    ]
    assert rows[0]["host_institution_count"] == "58"

    # The pivot on screen downloads as the same numbers.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="This table as CSV").click()
    pivot_csv = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "333" in pivot_csv


def test_stated_figures_are_a_list_with_exports(page: Page, demo_server, screenshot):
    page.goto(demo_server.url)
    page.get_by_role("link", name="Every stated figure, with filters and exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stated figures")
    pick(page, "Status (signed, scheduled, announced)", "Scheduled")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("3 results")).to_be_visible()
    screenshot(page, "stated-figures")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download_info.value.suggested_filename.startswith("unibridge-stated-figures-")
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["status"] for row in rows} == {"scheduled"} and len(rows) == 3


def test_dashboard_shows_the_focus_pair(page: Page, demo_server, screenshot):
    page.goto(demo_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kazakhstan – Azerbaijan")
    expect(page.get_by_text("Currently, more than 70 Kazakhstani universities")).to_be_visible()
    screenshot(page, "dashboard")


def test_language_switcher_turns_the_dashboard_russian(page: Page, demo_server):
    page.goto(demo_server.url)
    page.get_by_label("Language").select_option("ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Академическое сотрудничество: Казахстан – Азербайджан"
    )
    expect(
        page.get_by_role("heading", name="Заявленные показатели в сравнении с реестром")
    ).to_be_visible()
    # Institution pages show the Russian name where the register has one.
    kaznu = Institution.objects.get(ror_id="03q0vrn42")
    page.goto(f"{demo_server.url}{kaznu.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Казахский национальный университет имени аль-Фараби"
    )
    # And back to English.
    page.get_by_label("Язык").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Al-Farabi Kazakh National University"
    )
