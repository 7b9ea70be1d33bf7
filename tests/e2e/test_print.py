"""The register, a profile and the dashboard printed on A4 (issue 16): no page holding only
a heading, every column of a table within the page, the filters and the date stated."""

import io
import re

from playwright.sync_api import Page
from pypdf import PdfReader

from universities.models import Institution

A4_PRINTABLE_WIDTH = 718  # CSS pixels: 210 mm less the 10 mm margins (static/css/unibridge.css)


def printed_pages(page: Page) -> list[str]:
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def clipped_cells(page: Page) -> list[str]:
    """Header cells of the main content drawn beyond the printable width."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PRINTABLE_WIDTH, "height": 1000})
    return page.evaluate(
        """(width) => [...document.querySelectorAll('main th')]
            .filter((th) => th.getClientRects().length)
            .filter((th) => th.getBoundingClientRect().right > width + 1)
            .map(th => th.textContent.trim())""",
        A4_PRINTABLE_WIDTH,
    )


def test_the_filtered_register_prints_its_filters_date_and_every_column(page: Page, demo_server):
    page.goto(f"{demo_server.url}/agreements/?kind=memorandum&kind=framework&partner_country=AZ")
    pages = printed_pages(page)
    first = pages[0]
    assert "Agreement register" in first
    assert re.search(r"printed on \w+\.? \d+, \d{4}", first)
    assert (
        "Filters: Kind: Memorandum of understanding; Kind: Framework agreement; "
        "A party is an institution of this country: Azerbaijan"
    ) in " ".join(first.split())
    # The table starts under the heading, on the same page.
    assert "Parties" in first and "Memorandum between" in " ".join(first.split())
    assert "Menu" not in first and "Export these rows" not in first
    assert clipped_cells(page) == []


def test_a_profile_and_the_dashboard_print_without_a_lone_heading(page: Page, demo_server):
    kaznu = Institution.objects.get(ror_id="03q0vrn42")
    for path in (kaznu.get_absolute_url(), "/"):
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(demo_server.url + path)
        pages = printed_pages(page)
        assert "printed on" in pages[0], path
        for number, text in enumerate(pages, 1):
            lines = [line for line in text.splitlines() if line.strip()]
            assert len(lines) > 3, f"{path}: page {number} holds only {lines}"
        assert clipped_cells(page) == [], path
