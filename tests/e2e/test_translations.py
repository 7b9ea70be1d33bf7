"""The register's content in Kazakh and Azerbaijani (issue 15): an event page and the
agreement register on the demo data, each title and city in the reader's language or the
one it falls back to (kk: ru, then en; az: en), checked with axe and photographed for the
README (docs/kk-event.png, docs/az-event.png, docs/kk-register.png, docs/az-register.png)."""

import pytest
from playwright.sync_api import Page, expect

from events.models import Event

RECEPTION = "Reception of the Consulate General of Azerbaijan in Aktau"


@pytest.mark.parametrize(
    ("language", "title", "place", "heading"),
    [
        # No Kazakh title in the articles: the Russian one of article 000.
        ("kk", "Торжественный прием консульства Азербайджана в Актау", "Ақтау", "Іс-шаралар"),
        # No Azerbaijani title either: the English one; the city in Azerbaijani.
        ("az", RECEPTION, "Aktau", "Tədbirlər"),
    ],
)
def test_an_event_page_in_the_readers_language(
    page: Page, demo_server, axe, screenshot, language, title, place, heading
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": demo_server.url}]
    )
    event = Event.objects.get(title__startswith=RECEPTION)
    page.goto(demo_server.url + "/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.get_by_role("link", name=title).first.click()
    expect(page).to_have_url(demo_server.url + event.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.locator("p.subtitle")).to_contain_text(place)
    axe(page)
    screenshot(page, f"{language}-event")


@pytest.mark.parametrize(
    ("language", "heading", "first"),  # sorted by the title shown
    [
        ("kk", "Келісімдер тізілімі", "Additional protocol on the mutual recognition of diplomas"),
        ("az", "Sazişlər reyestri", "Additional protocol on the mutual recognition of diplomas"),
    ],
)
def test_the_register_in_the_readers_language(
    page: Page, demo_server, axe, screenshot, language, heading, first
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": demo_server.url}]
    )
    page.goto(demo_server.url + "/agreements/?sort=title")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("table tbody tr").first).to_contain_text(first)
    axe(page)
    screenshot(page, f"{language}-register")
