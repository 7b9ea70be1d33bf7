"""The explorer's pivot exported exactly as shown: the same numbers, qualifiers, dates and
left-out counts, in the screen's order; the CSV validates against its data package."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.api.test_datapackage import check_with_tools, local

EXPLORER = "mobility:mobility_explorer"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


class PivotCells(HTMLParser):
    """The texts of the cells of the page's #pivot-table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "pivot-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def shown(client, params) -> list[list[str]]:
    parser = PivotCells()
    parser.feed(client.get(reverse(EXPLORER), params).content.decode())
    return parser.rows


@pytest.mark.parametrize("pivot", ["direction", "level", "measure"])
def test_the_xlsx_table_is_the_screens(client, demo, pivot):
    params = {"pivot": pivot}
    screen = shown(client, params)
    assert len(screen) > 1
    response = client.get(reverse(EXPLORER), {**params, "_export": "pivot-xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["table", "mobility-pivot", "definitions"]
    table = [["".join(str(v or "").split()) for v in row] for row in book["table"].values]
    assert table == screen


def test_the_cells_come_in_the_screens_order_with_their_qualifiers(client, demo):
    params = {"pivot": "direction", "origin": ["KZ", "AZ"], "destination": ["KZ", "AZ"]}
    page = client.get(reverse(EXPLORER), params)
    expected = [
        (str(year), column, cell.total["text"], cell.total["qualifier"])
        for year, _measure, cells in page.context["pivot_rows"]
        for column, cell in zip(page.context["pivot_columns"], cells, strict=True)
        if cell is not None
    ]
    response = client.get(reverse(EXPLORER), {**params, "_export": "pivot-csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["year"], r["column"], r["text"], r["qualifier"]) for r in rows] == expected
    kz_az = next(row for row in rows if row["column_key"] == "KZ-AZ")
    assert (kz_az["value"], kz_az["as_of"], kz_az["left_out"]) == ("164", "2025-12-31", "1")
    assert json.loads(kz_az["figures_used"])
    assert 'filename="unibridge-mobility-pivot-' in response["Content-Disposition"]


def test_the_pivot_csv_has_its_data_package(client, demo, tmp_path):
    url = reverse(EXPLORER)
    package = client.get(url, {"pivot": "level", "_export": "pivot-datapackage"}).json()
    (resource,) = package["resources"]
    assert "_export=pivot-csv" in local(resource["path"])
    frame = check_with_tools(client, resource, tmp_path)
    assert len(frame) and frame["column_key"].dtype == "string"
