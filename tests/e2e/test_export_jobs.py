"""An export too long for a request, in the browser (issue 18): the list's CSV link leads to
the export's page, which follows the worker without being reloaded, announces the file
when it is ready and downloads it; a refused export comes back to the list and says why."""

import csv
import io
import re

from playwright.sync_api import Page, expect

from events.models import Event
from tests.base import run_worker

from .conftest import axe_violations


def test_a_long_export_is_followed_on_its_page_to_the_file(
    page: Page, demo_server, settings, screenshot
):
    settings.UNIBRIDGE_EXPORT_MAX_ROWS = 3
    settings.UNIBRIDGE_EXPORT_JOB_MAX_ROWS = 100_000
    events = Event.objects.count()
    assert events > 3
    page.goto(f"{demo_server.url}/events/")
    page.get_by_role("link", name="CSV", exact=True).click()
    expect(page).to_have_url(re.compile(r"/exports/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=2)).to_have_text("The file is being prepared.")
    expect(page.get_by_text("Waiting for the export worker.")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "export-job-waiting")

    # The worker runs while the page waits; the page takes the news by itself.
    run_worker()
    expect(page.get_by_role("status")).to_contain_text("The file is ready.", timeout=10_000)
    expect(page.locator("#export-progress")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "export-job-ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the CSV file").click()
    name = download_info.value.suggested_filename
    assert re.match(r"unibridge-events-\d{4}-\d\d-\d\d\.csv$", name)
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == events

    page.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")


def test_a_refused_export_comes_back_to_the_list_with_the_reason(page: Page, demo_server, settings):
    settings.UNIBRIDGE_EXPORT_MAX_ROWS = 2
    settings.UNIBRIDGE_EXPORT_JOB_MAX_ROWS = 3
    page.goto(f"{demo_server.url}/events/")
    page.get_by_role("link", name="XLSX", exact=True).click()
    expect(page).to_have_url(re.compile(r"/events/\?$|/events/$"))
    expect(page.get_by_text(re.compile("These filters select more than 3 rows"))).to_be_visible()
