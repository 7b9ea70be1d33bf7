"""Import of mobility figures: the pages, every bad row, all-or-nothing, round trip."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mobility.models import MobilityFigure
from tests import factories as f

from .conftest import (
    MOBILITY_HEADER,
    Importer,
    csv_bytes,
    expect_error,
    mobility_row,
    row_errors,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(editor_client, tmp_path, register):
    return Importer(editor_client, "mobility", tmp_path)


def test_preview_then_confirm_saves_every_row_with_history(importer, source, editor):
    rows = [
        mobility_row(source),
        mobility_row(source, origin="AZ", destination="KZ", value=120, qualifier="exact"),
        mobility_row(source, measure="flow", **{"as of": "", "year": "2023/2024"}),
    ]
    preview = importer.preview(csv_bytes([MOBILITY_HEADER, *rows]), "figures.csv")
    report = preview.context["report"]
    assert report.valid and report.counts["ok"] == 3
    assert "Read as CSV in UTF-8 (with byte order mark)." in report.notes
    assert "Import all 3 rows" in preview.content.decode()
    assert MobilityFigure.objects.count() == 0, "the preview saved something"

    done = importer.confirm()
    assert done.status_code == 302
    assert MobilityFigure.objects.count() == 3
    page = importer.client.get(done.headers["Location"])
    assert "3 rows of “figures.csv” saved." in page.content.decode()
    flow = MobilityFigure.objects.get(measure="flow")
    assert (flow.year, flow.as_of, flow.qualifier) == (2023, None, "about")
    history = MobilityFigure.history.filter(history_type="+")
    assert history.count() == 3
    assert {h.history_user for h in history} == {editor}
    assert history.first().history_change_reason == "Spreadsheet import: figures.csv"
    # The history rows hold the figures as saved (written by the database, see services).
    assert sorted(history.values_list("id", "value", "year")) == sorted(
        MobilityFigure.objects.values_list("id", "value", "year")
    )
    # The waiting file is gone and the preview cannot be confirmed twice.
    assert importer.confirm().status_code == 302
    assert MobilityFigure.objects.count() == 3


def test_cp1251_semicolons_and_utf8_without_bom_are_read(importer):
    source = f.SourceFactory(title="Казинформ: студенты из Азербайджана", url="")
    rows = [MOBILITY_HEADER, mobility_row(source, source=source.title)]
    for encoding, note in (("cp1251", "Windows-1251 (Cyrillic)"), ("utf-8", "in UTF-8.")):
        preview = importer.preview(csv_bytes(rows, encoding=encoding, delimiter=";"))
        report = preview.context["report"]
        assert report.valid, row_errors(preview)
        assert any(note in line for line in report.notes), report.notes
    assert "Windows-1251" in importer.preview(csv_bytes(rows, encoding="cp1251")).content.decode()


def test_xlsx_cells_and_the_sheet_named_like_the_template(importer, source):
    row = mobility_row(source, value=333.0, **{"as of": datetime.datetime(2024, 10, 1)})
    data = xlsx_bytes({"notes": [["anything"]], "Figures": [MOBILITY_HEADER, row]})
    preview = importer.preview(data, "figures.xlsx")
    assert preview.context["report"].valid, row_errors(preview)
    assert "Read the sheet “Figures”." in preview.context["report"].notes
    importer.confirm()
    figure = MobilityFigure.objects.get()
    assert (figure.as_of, figure.value) == (datetime.date(2024, 10, 1), 333)
    # Without a sheet named like the template, the first sheet is read.
    MobilityFigure.objects.all().delete()
    data = xlsx_bytes({"Data": [MOBILITY_HEADER, row], "Other": [["x", "y"], [1, 2]]})
    assert importer.preview(data, "data.xlsx").context["report"].valid


def test_each_bad_cell_is_reported_by_row_and_column(importer, source):
    rows = [
        MOBILITY_HEADER,
        mobility_row(source),  # 2: fine
        mobility_row(source, origin="XX"),  # 3
        mobility_row(source, **{"as of": "01/10/2024"}),  # 4
        mobility_row(source, source="https://example.org/unknown"),  # 5
        mobility_row(source, destination="KZ"),  # 6: to itself
        mobility_row(source, measure="flow"),  # 7: a flow "as of" a date
        mobility_row(source, value="-5"),  # 8
        mobility_row(source, type="tourists", year=2024),  # 9
        mobility_row(source, year="last year"),  # 10
        mobility_row(source),  # 11: the same figure as row 2
        mobility_row(source, field="9999", **{"host institution": "Nowhere Institute"}),  # 12
        mobility_row(source, year=2025),  # 13: the year of "as of" differs
    ]
    preview = importer.preview(csv_bytes(rows))
    errors = row_errors(preview)
    report = preview.context["report"]
    assert not report.valid and report.counts == {"ok": 1, "unchanged": 0, "ambiguous": 0,
                                                   "error": 11}  # fmt: skip

    expect_error(errors, 3, "origin", "“XX” is not a country code")
    expect_error(errors, 4, "as of", "write YYYY-MM-DD")
    expect_error(errors, 5, "source", "No source has the id, URL or title")
    expect_error(errors, 6, "destination", "Origin and destination must be different")
    expect_error(errors, 7, "as of", "Only a stock is counted")
    expect_error(errors, 8, "value", "greater than or equal to 0")
    expect_error(errors, 9, "type", "“tourists” is not a mobility type")
    expect_error(errors, 10, "year", "“last year” is not a year")
    expect_error(errors, 11, "source", "Row 2 already gives a figure")
    expect_error(errors, 12, "field", "is not an ISCED-F 2013 field code")
    expect_error(errors, 12, "host institution", "No institution matches “Nowhere Institute”")
    expect_error(errors, 13, "year", "The year must be the year of the “as of” date")
    body = preview.content.decode()
    assert "The import is possible once every row is ready." in body
    assert 'id="confirm-import"' not in body
    # Confirming anyway (a stale page, a crafted POST) saves nothing.
    response = importer.confirm()
    assert response.status_code == 200 and "Nothing was saved." in response.content.decode()
    assert MobilityFigure.objects.count() == 0


def test_an_error_on_the_last_of_many_rows_saves_nothing(importer, source):
    rows = [
        mobility_row(source, year=1950 + i % 150, sex=["male", "female"][i // 150], **{"as of": ""})
        for i in range(300)
    ]
    rows[-1] = mobility_row(source, origin="ZZ")
    importer.preview(csv_bytes([MOBILITY_HEADER, *rows]))
    response = importer.confirm()
    assert "Nothing was saved." in response.content.decode()
    assert list(row_errors(response)) == [301]
    assert MobilityFigure.objects.count() == 0


def test_empty_rows_are_skipped_and_reported(importer, source):
    rows = [MOBILITY_HEADER, mobility_row(source), [], [""] * 15,
            mobility_row(source, year=2023, **{"as of": ""}), [], []]  # fmt: skip
    report = importer.preview(csv_bytes(rows)).context["report"]
    assert [row.number for row in report.rows] == [2, 5]
    assert "Skipped 2 empty row(s): 3, 4." in report.notes


def test_many_empty_rows_are_counted_and_the_first_named(importer, source):
    rows = [MOBILITY_HEADER, mobility_row(source), *[[]] * 30, mobility_row(source, year=2023)]
    report = importer.preview(csv_bytes(rows)).context["report"]
    assert [row.number for row in report.rows] == [2, 33]
    assert (
        "Skipped 30 empty row(s): 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, "
        "19, 20, 21, 22 …." in report.notes
    )


def test_figures_already_in_the_register(importer, source):
    existing = f.MobilityFigureFactory(
        origin_country="KZ", destination_country="AZ", mobility_type="degree_students",
        measure="stock", year=2024, as_of=datetime.date(2024, 10, 1), value=333,
        qualifier="about", host_institution_count=58, source=source,
    )  # fmt: skip
    same = mobility_row(source)
    changed = mobility_row(source, value=334, **{"as of": "2024-10-01"})
    report = importer.preview(csv_bytes([MOBILITY_HEADER, same])).context["report"]
    assert report.valid and report.counts["unchanged"] == 1 and report.to_save == 0
    preview = importer.preview(csv_bytes([MOBILITY_HEADER, changed]))
    assert f"already has figure #{existing.pk}" in str(row_errors(preview)[2])


def test_unknown_columns_are_ignored_and_listed(importer, source):
    rows = [[*MOBILITY_HEADER, "comment"], [*mobility_row(source), "checked by Aida"]]
    report = importer.preview(csv_bytes(rows)).context["report"]
    assert report.valid and "Ignored the columns not recognised: “comment”." in report.notes


def test_the_template_imports_as_it_is(importer, source):
    for fmt in ("csv", "xlsx"):
        template = importer.client.get(reverse("mobility:import_template", args=[fmt]))
        assert template.status_code == 200
        data = b"".join(template.streaming_content) if template.streaming else template.content
        preview = importer.preview(data, f"template.{fmt}")
        errors = row_errors(preview)
        # The example names a source URL that this register does not have.
        assert list(errors) == [2] and errors[2][0][0] == "source", errors
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[1] == "notes"
    assert [c.value for c in book["notes"][1]] == ["column", "required", "meaning", "example"]


def _explorer_export(client, fmt: str) -> bytes:
    response = client.get(reverse("mobility:mobility_explorer"), {"_export": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


# The columns that name the row itself, not its facts: a new row gets new ones.
IDENTITY = ("id", "version", "created_at", "updated_at")


def _facts_of_csv(data: bytes) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return sorted(
        ({k: v for k, v in row.items() if k not in IDENTITY} for row in rows),
        key=lambda row: sorted(row.items()),
    )


def _facts_of_xlsx(data: bytes) -> list[dict]:
    _labels, header, *rows = load_workbook(io.BytesIO(data)).worksheets[0].values
    return sorted(
        ({k: v for k, v in zip(header, row, strict=True) if k not in IDENTITY} for row in rows),
        key=lambda row: sorted((k, str(v)) for k, v in row.items()),
    )


def test_round_trip_through_the_explorer_export(importer, source, register):
    field = f.IscedFieldFactory(code="0613", level="detailed", name_en="Software development")
    other = f.SourceFactory(title="Ministry report", url="")
    f.MobilityFigureFactory(source=source, year=2024, value=333, qualifier="more_than",
                            notes="=1+2, “quoted”; and a second\nline")  # fmt: skip
    f.MobilityFigureFactory(
        source=other, origin_country="KZ", destination_country="AZ", year=2023,
        measure="stock", as_of=datetime.date(2023, 10, 1), sex="female", level="7",
        field=field, home_institution=register["kaznu"], host_institution=register["bsu"],
        host_institution_count=1, mobility_type="credit_students", value=12,
        notes="Stated at the forum",
    )  # fmt: skip
    f.MobilityFigureFactory(source=other, year=2022, value=40, qualifier="about")
    client = importer.client
    csv_before, xlsx_before = _explorer_export(client, "csv"), _explorer_export(client, "xlsx")

    # Importing the export into the register it came from changes nothing (it used to
    # conflict on every row with notes: the export had no notes column).
    for fmt, data in (("csv", csv_before), ("xlsx", xlsx_before)):
        report = importer.preview(data, f"export.{fmt}").context["report"]
        assert report.valid, fmt
        assert report.counts["unchanged"] == 3 and report.to_save == 0, fmt
        assert not report.notes or all("Ignored" not in note for note in report.notes), fmt

    # Into an empty register: the same facts back (new ids and time stamps).
    for fmt, data in (("csv", csv_before), ("xlsx", xlsx_before)):
        MobilityFigure.objects.all().delete()
        preview = importer.preview(data, f"export.{fmt}")
        assert preview.context["report"].valid, row_errors(preview)
        importer.confirm()
        assert MobilityFigure.objects.count() == 3
        assert _facts_of_csv(_explorer_export(client, "csv")) == _facts_of_csv(csv_before), fmt
        after = _facts_of_xlsx(_explorer_export(client, "xlsx"))
        assert after == _facts_of_xlsx(xlsx_before), fmt
    assert MobilityFigure.objects.get(value=12).field.code == "0613"
    assert MobilityFigure.objects.get(value=333).notes == "=1+2, “quoted”; and a second\nline"


def test_the_api_export_imports_too(importer, source):
    f.MobilityFigureFactory(source=source, year=2024, value=333)
    data = importer.client.get("/api/mobility-figures/", {"format": "csv"})
    content = b"".join(data.streaming_content) if data.streaming else data.content
    MobilityFigure.objects.all().delete()
    preview = importer.preview(content, "api.csv")
    assert preview.context["report"].valid, row_errors(preview)


def test_an_export_in_russian_imports_too(importer, source):
    f.MobilityFigureFactory(source=source, year=2024, value=333, sex="female", level="6")
    english = _explorer_export(importer.client, "csv").decode("utf-8-sig").splitlines()[0]
    importer.client.cookies["django_language"] = "ru"
    data = _explorer_export(importer.client, "csv")
    # The keys are the same in every language; the labels are translated in the XLSX: the
    # first row of its data sheet (above the keys) and its definitions sheet.
    assert data.decode("utf-8-sig").splitlines()[0] == english
    xlsx = _explorer_export(importer.client, "xlsx")
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[-1] == "definitions"
    labels = {row[0]: row[2] for row in book["definitions"].values if row[1] is None}
    assert labels["year"] == "год"
    label_row, key_row = list(book.worksheets[0].values)[:2]
    assert label_row[key_row.index("year")] == "Год"
    MobilityFigure.objects.all().delete()
    preview = importer.preview(xlsx, "выгрузка.xlsx")  # two header rows: the keys are read
    assert preview.context["report"].valid, row_errors(preview)
    importer.confirm()
    assert MobilityFigure.objects.get().sex == "female"
    MobilityFigure.objects.all().delete()
    preview = importer.preview(data, "выгрузка.csv")
    assert preview.context["report"].valid, row_errors(preview)
    importer.confirm()
    assert MobilityFigure.objects.get().sex == "female"
