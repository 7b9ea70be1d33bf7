"""The three users' journeys of issue 16 at 390 and 1400 px, each with an upper bound on the
clicks and keys it takes (README, Pages): the rector finds an institution's partners, in a
list and on a map; the ministry enters a signing session and skips a bad row; the analyst
saves a filtered view, opens it again and exports it."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from cooperation.roles import ANALYST
from events.models import Event
from savedviews.models import SavedView
from tests.factories import InstitutionFactory, agreement_between
from tests.security.helpers import make_user

from .journeys import Journey

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1400, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1400"])


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .account")).to_contain_text(username)


def open_menu_item(journey: Journey, name: str, *, editing: bool = False) -> None:
    page = journey.page
    menu_button = page.get_by_role("button", name="Menu")
    if menu_button.is_visible():  # a phone: the menu folds behind its button
        journey.click(menu_button)
    menu = page.get_by_role("navigation", name="Main")
    if editing:
        journey.click(menu.get_by_text("Editing", exact=True))
    journey.click(menu.get_by_role("link", name=name, exact=True))


@VIEWPORTS
def test_rector_finds_the_partners_of_an_institution_in_a_list_and_on_a_map(
    page: Page, demo_server, viewport
):
    page.set_viewport_size(viewport)
    journey = Journey(page, demo_server.url + "/")
    journey.type(page.get_by_role("combobox", name="Search everything"), "Farabi")
    journey.click(page.get_by_role("option", name="Al-Farabi Kazakh National University").first)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Al-Farabi Kazakh National University"
    )
    partners = page.locator("section", has=page.get_by_role("heading", name="Partners", exact=True))
    expect(
        partners.get_by_role("link", name="Azerbaijan National Academy of Sciences", exact=True)
    ).to_be_visible()
    on_map = page.locator("section", has=page.get_by_role("heading", name="Partners on a map"))
    expect(on_map.locator(".leaflet-container")).to_be_visible()
    expect(on_map.locator(".map-legend")).to_contain_text("Azerbaijan")
    # Drawn: the institution and its partner as points, the partnership as a line.
    expect(on_map.locator(".leaflet-overlay-pane canvas").first).to_be_attached()
    drawn = on_map.locator(".partner-map").evaluate(
        "(map) => JSON.parse(document.getElementById(map.dataset.source).textContent)"
    )
    assert {point["name"] for point in drawn["points"]} == {
        "Al-Farabi Kazakh National University",
        "Azerbaijan National Academy of Sciences",
    }
    assert len(drawn["links"]) == 1
    print(f"rector at {viewport['width']} px: {journey}")
    assert journey.clicks <= 2 and journey.keys <= 6, journey


@VIEWPORTS
def test_ministry_enters_a_signing_session_and_skips_a_bad_row(page: Page, demo_server, viewport):
    page.set_viewport_size(viewport)
    get_user_model().objects.create_superuser("clerk", "clerk@example.org", "a long pass phrase")
    kaznu = InstitutionFactory(name="Test Kazakh University")
    ada = InstitutionFactory(name="Test Baku University", country="AZ", city="Baku")
    InstitutionFactory(name="Test Ganja University", country="AZ", city="Ganja")
    agreement_between(kaznu, ada, title="Memorandum of understanding")
    event = Event.objects.get(kind="round_table")
    before = Agreement.objects.count()
    sign_in(page, demo_server.url, "clerk", "a long pass phrase")

    journey = Journey(page, demo_server.url + "/")
    open_menu_item(journey, "Signing session", editing=True)
    journey.select(page.get_by_label("Event", exact=True), str(event.pk))
    journey.paste(
        page.locator("#id_rows"),
        "Test Kazakh University;Test Baku University;;memo\n"
        "Test Kazakh University;Test Ganja University;;меморандум",
    )
    journey.click(page.get_by_role("button", name="Check"))
    expect(page.locator("#summary")).to_have_text("2 rows: 1 ready, 0 ambiguous, 1 with errors")
    journey.click(page.locator("#row-1 input[type=checkbox]"))
    journey.click(page.get_by_role("button", name="Check"))
    expect(page.locator("#summary")).to_contain_text("1 skipped")
    journey.click(page.locator("#save-all"))
    expect(page.locator(".messages")).to_contain_text("1 agreement saved. 1 line skipped.")
    assert Agreement.objects.count() == before + 1
    print(f"ministry at {viewport['width']} px: {journey}")
    limit = 10 if viewport is PHONE else 9  # the phone's menu button
    assert journey.clicks <= limit and journey.keys <= 2, journey


@VIEWPORTS
def test_analyst_saves_a_filtered_view_opens_it_again_and_exports_it(
    page: Page, demo_server, viewport
):
    page.set_viewport_size(viewport)
    analyst = make_user("nazira", ANALYST)
    analyst.set_password("a long pass phrase")
    analyst.save()
    sign_in(page, demo_server.url, "nazira", "a long pass phrase")

    journey = Journey(page, demo_server.url + "/")
    open_menu_item(journey, "Mobility")
    filters_button = page.get_by_role("button", name="Filters")
    if filters_button.is_visible():  # a phone: the filters fold behind their button
        journey.click(filters_button)
    for label, name in (("Origin country", "Azerbaijan"), ("Destination country", "Kazakhstan")):
        picker = page.get_by_role("combobox", name=label, exact=True)
        journey.type(picker, name[:5])
        expect(page.locator(".ts-dropdown .option.active")).to_have_text(name)
        journey.press("Enter")
        expect(page.locator(".ts-wrapper", has=picker).locator(".item")).to_contain_text(name)
        journey.press("Escape")
        expect(picker).to_have_attribute("aria-expanded", "false")
    journey.click(page.get_by_role("button", name="Filter", exact=True))
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    journey.click(page.get_by_text("Save this view"))
    journey.type(page.get_by_label("Name", exact=True), "AZ to KZ")
    journey.click(page.locator(".save-view").get_by_role("button", name="Save"))
    saved = SavedView.objects.get(owner=analyst)
    assert saved.name == "AZ to KZ"

    # Later: from the header, the saved view, its export.
    journey.click(page.locator(".site-header").get_by_role("link", name="My saved views"))
    journey.click(page.get_by_role("link", name="AZ to KZ"))
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    with page.expect_download() as download:
        journey.click(page.get_by_role("link", name="CSV", exact=True))
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
    assert [(r["origin_country"], r["destination_country"], r["value"]) for r in rows] == [
        ("AZ", "KZ", "333")
    ]
    print(f"analyst at {viewport['width']} px: {journey}")
    limit = 12 if viewport is PHONE else 10  # the phone's menu and filters buttons
    assert journey.clicks <= limit and journey.keys <= 22, journey
