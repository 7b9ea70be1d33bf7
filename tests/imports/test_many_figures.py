"""A file of many figures (issue 18): the kept rows, the report and the save by columns give
the same pages, API answers and history as row by row, in queries that do not grow with the
rows, and an upload kept before the change still confirms."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agreements.imports import IMPORTER as AGREEMENTS
from cooperation.import_api import ImportResultSerializer, report_data
from cooperation.imports import SESSION_KEY, SheetRows, table_from_json, table_to_json
from mobility.imports import IMPORTER as FIGURES
from mobility.models import MobilityFigure
from universities import matching

from .conftest import (
    AGREEMENT_HEADER,
    MOBILITY_HEADER,
    Importer,
    agreement_row,
    csv_bytes,
    mobility_row,
    row_errors,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(editor_client, tmp_path, register):
    return Importer(editor_client, "mobility", tmp_path)


def flows(source, count: int, start: int = 0) -> list[list]:
    """``count`` different flows (no "as of"), one a row."""
    return [
        mobility_row(source, measure="flow", year=1950 + n % 70, value=n,
                     sex=["total", "male", "female"][n // 70 % 3],
                     level=["all", "6", "7", "8", "5"][n // 210], **{"as of": ""})
        for n in range(start, start + count)
    ]  # fmt: skip


def test_preview_and_confirm_queries_do_not_grow_with_rows(importer, source, editor):
    counts = []
    for start, size in ((0, 3), (3, 300)):
        importer.preview(csv_bytes([MOBILITY_HEADER, *flows(source, size, start)]))
        with CaptureQueriesContext(connection) as preview:
            page = importer.client.get(importer.preview_url)
        assert page.context["report"].counts["ok"] == size
        with CaptureQueriesContext(connection) as confirm:
            assert importer.confirm().status_code == 302
        counts.append((len(preview), len(confirm)))
    assert MobilityFigure.objects.count() == MobilityFigure.history.count() == 303
    (preview_few, confirm_few), (preview_many, confirm_many) = counts
    assert preview_many == preview_few <= 12, counts
    if connection.vendor == "postgresql":  # a COPY of the figures and one of their history
        assert confirm_many == confirm_few <= 18, counts
    else:  # SQLite: multi-row INSERTs of as many rows as 999 parameters hold
        assert confirm_many <= confirm_few + 2 * 300 // 40, counts


def test_the_pages_of_a_long_report_show_each_row_as_it_was_written(importer, source):
    rows = flows(source, 250)
    rows[120] = mobility_row(source, origin="XX")  # row 122
    rows[240] = rows[10]  # row 242: the same figure as row 12
    preview = importer.preview(csv_bytes([MOBILITY_HEADER, *rows]))
    report = preview.context["report"]
    assert report.counts == {"ok": 248, "unchanged": 0, "ambiguous": 0, "error": 2}
    assert len(report.rows) == 250 and not report.valid
    second = importer.client.get(importer.preview_url, {"page": 2})
    shown = second.context["page"].object_list
    assert [row.number for row in shown] == list(range(102, 202))
    bad = next(row for row in shown if row.number == 122)
    assert bad.status == "error" and bad.cells[1] == ("XX", "")
    assert bad.errors == [("origin", "“XX” is not a country code (ISO 3166-1 alpha-2, e.g. KZ).")]
    ready = shown[0]  # the source as the register names it, the value as a number
    assert ready.cells[-1] == ("Trend: 333 students", "") and ready.cells[-2] == ("100", "num")
    problems = importer.client.get(importer.preview_url, {"show": "problems"})
    assert [row.number for row in problems.context["page"].object_list] == [122, 242]
    assert "Row 12 already gives a figure" in problems.content.decode()
    assert list(row_errors(problems)) == [122, 242]


def test_an_upload_kept_row_by_row_before_the_update_still_confirms(importer, source):
    data = csv_bytes([MOBILITY_HEADER, mobility_row(source), *flows(source, 2)])
    importer.preview(data)
    token = importer.preview_url.rstrip("/").rsplit("/", 1)[1]
    path = importer.client.session[SESSION_KEY][token]["path"]
    with default_storage.open(path, "rb") as handle:
        table = table_from_json(handle.read())
    # What table_to_json wrote until issue 18: a list of [number, values] per row.
    kept = {
        "rows": [[row.number, row.values] for row in table.rows],
        "headers": table.headers,
        "unknown_headers": [],
        "empty_rows": [],
        "file_format": "csv",
        "encoding": "UTF-8 (with byte order mark)",
        "sheet": "",
        "empty_count": 0,
    }
    default_storage.delete(path)
    assert default_storage.save(path, ContentFile(json.dumps(kept).encode())) == path
    preview = importer.client.get(importer.preview_url)
    assert preview.context["report"].counts["ok"] == 3
    assert importer.confirm().status_code == 302
    assert MobilityFigure.objects.count() == 3


def test_kept_columns_give_back_every_cell_as_read():
    when = datetime.datetime(2024, 10, 1, 9, 30)
    data = xlsx_bytes(
        {
            "Figures": [
                MOBILITY_HEADER,
                [
                    2024,
                    "KZ",
                    "AZ",
                    "degree_students",
                    "all",
                    "0511",
                    "total",
                    "stock",
                    when,
                    "about",
                    333.0,
                    None,
                    "",
                    "",
                    "https://example.org/a",
                ],
                [
                    2023,
                    "KZ",
                    "AZ",
                    "degree_students",
                    7,
                    None,
                    "male",
                    "flow",
                    datetime.date(2023, 1, 2),
                    "~",
                    12,
                    3,
                    "1",
                    "",
                    5,
                ],
            ]  # fmt: skip
        }
    )
    table = FIGURES.read(data)
    assert isinstance(table.rows, SheetRows)
    back = table_from_json(table_to_json(table))
    assert back.numbers() == table.numbers() == [2, 3]
    assert [row.values for row in back.rows] == [row.values for row in table.rows]
    assert back.column("as_of") == table.column("as_of")
    assert back.column("as_of")[0] == when and isinstance(back.column("as_of")[1], datetime.date)
    assert back.column("value") == table.column("value") == [333, 12]
    assert back.column("not a column") == [None, None]
    assert (back.headers, back.sheet, back.notes()) == (table.headers, table.sheet, table.notes())
    # Repeated columns (an agreement's "party 1", "party 2") keep their cells as lists.
    header = ["party 1", "party 2", *AGREEMENT_HEADER[1:]]
    rows = [header, ["A", "B", *agreement_row()[1:]], ["", "C", *agreement_row()[1:]]]
    table = AGREEMENTS.read(csv_bytes(rows))
    assert table.column("party") == [["A", "B"], ["C"]]
    assert [r.values for r in table_from_json(table_to_json(table)).rows] == [
        r.values for r in table.rows
    ]


def test_the_api_rows_are_what_the_row_serializer_gives(editor, source, register):
    rows = [mobility_row(source), mobility_row(source), mobility_row(source, origin="XX")]
    report = FIGURES.check(FIGURES.read(csv_bytes([MOBILITY_HEADER, *rows])), options={},
                           choices={})  # fmt: skip
    assert report_data(report) == ImportResultSerializer(report.as_dict()).data
    assert [row["status"] for row in report_data(report)["rows"]] == ["ok", "error", "error"]
    table = AGREEMENTS.read(csv_bytes([AGREEMENT_HEADER, agreement_row(), agreement_row()]))
    report = AGREEMENTS.check(table, options={}, choices={})
    assert report_data(report) == ImportResultSerializer(report.as_dict()).data
    assert report_data(report)["rows"][0]["parties"][0]["institution"] == register["kaznu"].pk
    # The whole answer too, as a client reads it.
    client = APIClient()
    client.force_authenticate(editor)
    data = csv_bytes([MOBILITY_HEADER, *rows])
    upload = SimpleUploadedFile("rows.csv", data, content_type="text/csv")
    answer = client.post(
        "/api/mobility-figures/import/", {"file": upload, "dry_run": "true"}, format="multipart"
    )
    assert answer.status_code == 400
    assert answer.json()["rows"] == [
        {"row": 2, "status": "ok", "errors": []},
        {"row": 3, "status": "error", "errors": [
            {"column": "source", "message": "Row 2 already gives a figure for exactly these "
                                            "dimensions and source."}]},
        {"row": 4, "status": "error", "errors": [
            {"column": "origin", "message": "“XX” is not a country code (ISO 3166-1 alpha-2, "
                                            "e.g. KZ)."}]},
    ]  # fmt: skip


def test_figures_naming_no_institution_never_build_the_name_matcher(importer, source, editor):
    # Building the register's name matcher takes 5-6 s at size L: a file of figures whose
    # institutions are empty (or ids) has no name to ask it, on the page or the API.
    matching._shared = None
    importer.preview(csv_bytes([MOBILITY_HEADER, *flows(source, 3)]))
    assert importer.confirm().status_code == 302
    client = APIClient()
    client.force_authenticate(editor)
    upload = SimpleUploadedFile("rows.csv", csv_bytes([MOBILITY_HEADER, *flows(source, 2, 3)]))
    answer = client.post("/api/mobility-figures/import/", {"file": upload}, format="multipart")
    assert answer.status_code == 201 and answer.json()["created"] == 2
    assert matching._shared is None
