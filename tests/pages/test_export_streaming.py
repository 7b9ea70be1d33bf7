"""The list pages stream their CSV exports: same bytes as the table export, flat memory."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation import api
from tests.factories import MobilityFigureFactory
from tests.pages.test_pages import LIST_PAGES


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def streamed(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming  # never built whole in memory
    return b"".join(response.streaming_content)


API_OF_PAGE = {
    "universities:institution_list": "/api/institutions/",
    "agreements:agreement_list": "/api/agreements/",
    "events:event_list": "/api/events/",
    "mobility:mobility_explorer": "/api/mobility-figures/",
    "mobility:scholarship_list": "/api/scholarships/",
    "cooperation:source_list": "/api/sources/",
    "stated_figure_list": "/api/stated-figures/",
}


@pytest.mark.parametrize("name", [name for name in LIST_PAGES if name != "dashboard"])
def test_streamed_csv_equals_the_api_export(client, demo, name, monkeypatch):
    """A list page's CSV is the API's CSV of the same list (cooperation.exports): the same
    columns (the JSON keys), the same rows and values, the same file name pattern."""
    # Small batches, so that the demo data spans several of them.
    monkeypatch.setattr(api, "EXPORT_CHUNK_SIZE", 3)
    response = client.get(reverse(name), {"_export": "csv"})
    body = streamed(response)
    api_response = client.get(API_OF_PAGE[name], {"format": "csv"})
    expected = streamed(api_response).decode("utf-8")
    assert body.startswith("\ufeff".encode())
    lines, expected_lines = body.decode("utf-8").splitlines(), expected.splitlines()
    assert lines[0] == expected_lines[0]  # the same columns, the same headers
    assert len(lines) > 1
    # The same rows and values; rows that tie on the list's ordering (figures of one year
    # and pair) may come in another order from PostgreSQL, as in two runs of either export.
    assert sorted(lines[1:]) == sorted(expected_lines[1:])
    assert body.decode("utf-8").endswith("\r\n") and expected.endswith("\r\n")
    name_of = re.compile(r'filename="unibridge-([a-z-]+)-\d{4}-\d{2}-\d{2}\.csv"')
    page_file = name_of.search(response["Content-Disposition"])
    api_file = name_of.search(api_response["Content-Disposition"])
    assert page_file and api_file and page_file[1] == api_file[1]


def test_streamed_csv_keeps_filters_and_order(client, db, monkeypatch):
    monkeypatch.setattr(api, "EXPORT_CHUNK_SIZE", 4)
    for year in range(2001, 2011):
        MobilityFigureFactory(year=year, origin_country="KZ", destination_country="AZ")
    MobilityFigureFactory(year=2005, origin_country="AZ", destination_country="KZ")
    url = reverse("mobility:mobility_explorer")
    lines = streamed(client.get(url, {"origin": "KZ", "sort": "year", "_export": "csv"}))
    rows = lines.decode("utf-8").lstrip("\ufeff").splitlines()
    assert rows[0].startswith("id,origin_country,destination_country")
    year = rows[0].split(",").index("year")
    assert [row.split(",")[year] for row in rows[1:]] == [str(y) for y in range(2001, 2011)]


def test_streamed_csv_query_count_is_per_batch_not_per_row(client, db, monkeypatch):
    monkeypatch.setattr(api, "EXPORT_CHUNK_SIZE", 5)
    url = reverse("mobility:mobility_explorer")

    def count(n: int) -> int:
        MobilityFigureFactory.create_batch(n)
        with CaptureQueriesContext(connection) as captured:
            streamed(client.get(url, {"_export": "csv"}))
        return len(captured.captured_queries)

    few = count(5)
    many = count(25)  # 30 rows: six batches instead of one
    # One select per batch at most (select_related), never one per row.
    assert many - few <= 5


def test_empty_export_still_has_the_header(client, db):
    body = streamed(client.get(reverse("mobility:mobility_explorer"), {"_export": "csv"}))
    assert body.decode("utf-8").lstrip("\ufeff").startswith("id,origin_country")
