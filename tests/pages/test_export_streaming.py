"""The list pages stream their CSV exports: same bytes as the table export, flat memory."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation import views
from cooperation.views import ExcelFriendlyExport
from tests.factories import MobilityFigureFactory
from tests.pages.test_pages import LIST_PAGES


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def streamed(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming  # never built whole in memory
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", [name for name in LIST_PAGES if name != "dashboard"])
def test_streamed_csv_equals_the_table_export(client, demo, name, monkeypatch):
    # Small batches, so that the demo data spans several of them.
    monkeypatch.setattr(views, "EXPORT_BATCH_SIZE", 3)
    url = reverse(name)
    body = streamed(client.get(url, {"_export": "csv"}))
    view = client.get(url).context["view"]
    expected = ExcelFriendlyExport("csv", view.get_table(**view.get_table_kwargs())).export()
    assert body.startswith("\ufeff".encode())
    lines, expected_lines = body.decode("utf-8").splitlines(), expected.splitlines()
    assert lines[0] == expected_lines[0]  # the same columns, the same headers
    # The same rows and values; rows that tie on the list's ordering (figures of one year
    # and pair) may come in another order from PostgreSQL, as in two runs of either export.
    assert sorted(lines[1:]) == sorted(expected_lines[1:])
    assert body.decode("utf-8").endswith("\r\n") and expected.endswith("\r\n")


def test_streamed_csv_keeps_filters_and_order(client, db, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_BATCH_SIZE", 4)
    for year in range(2001, 2011):
        MobilityFigureFactory(year=year, origin_country="KZ", destination_country="AZ")
    MobilityFigureFactory(year=2005, origin_country="AZ", destination_country="KZ")
    url = reverse("mobility:mobility_explorer")
    lines = streamed(client.get(url, {"origin": "KZ", "sort": "year", "_export": "csv"}))
    rows = lines.decode("utf-8").lstrip("\ufeff").splitlines()
    assert rows[0].startswith("year,origin,destination")
    assert [row.split(",")[0] for row in rows[1:]] == [str(y) for y in range(2001, 2011)]


def test_streamed_csv_query_count_is_per_batch_not_per_row(client, db, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_BATCH_SIZE", 5)
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
    assert body.decode("utf-8").lstrip("\ufeff").startswith("year,origin")
