"""Files that cannot be imported at all: refused on the upload form with a message, for
both kinds of import, and nothing kept or saved."""

from __future__ import annotations

import io
import zipfile

import pytest

from agreements.models import Agreement
from mobility.models import MobilityFigure

from ..security.helpers import tiny_pdf
from .conftest import (
    AGREEMENT_HEADER,
    MOBILITY_HEADER,
    Importer,
    agreement_row,
    csv_bytes,
    mobility_row,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
KINDS = ["agreements", "mobility"]


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


@pytest.fixture
def importer(kind, editor_client, tmp_path, register, source):
    importer = Importer(editor_client, kind, tmp_path)
    importer.header = AGREEMENT_HEADER if kind == "agreements" else MOBILITY_HEADER
    importer.row = agreement_row() if kind == "agreements" else mobility_row(source)
    return importer


@pytest.fixture(autouse=True)
def nothing_saved(settings, tmp_path):
    before = (Agreement.objects.count(), MobilityFigure.objects.count())
    yield
    assert (Agreement.objects.count(), MobilityFigure.objects.count()) == before
    imports = settings.MEDIA_ROOT / "imports"
    assert not imports.exists() or not any(imports.iterdir()), "a refused file was kept"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (tiny_pdf(), "figures.csv", "This file is PDF, not a spreadsheet"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "figures.csv", "a Windows program"),
        (docx(), "figures.docx", "a Word document (.docx)"),
        (docx(), "figures.xlsx", "a Word document (.docx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old.xls", "old Excel"),
        (b"PK\x03\x04broken", "broken.xlsx", "damaged archive"),
        (bytes(range(256)) * 4, "noise.csv", "neither a CSV text"),
    ],
    ids=["pdf-as-csv", "exe-as-csv", "docx", "docx-as-xlsx", "xls", "broken-zip", "binary"],
)
def test_wrong_file_types_are_refused_by_their_content(importer, data, name, message):
    assert message in importer.refusal(data, name)


def test_empty_file(importer):
    assert "file is empty." in importer.refusal(b"", "empty.csv")
    assert "The file is empty." in importer.refusal(b"\r\n\r\n", "blank.csv")
    assert "The file is empty." in importer.refusal(xlsx_bytes({"Sheet": []}), "empty.xlsx")


def test_header_only_file(importer):
    message = importer.refusal(csv_bytes([importer.header]), "header.csv")
    assert "has a header (row 1) but no rows below it" in message
    message = importer.refusal(xlsx_bytes({"Sheet": [importer.header, [], []]}), "h.xlsx")
    assert "no rows below it" in message


def test_missing_and_unrecognised_columns_are_named(importer, kind):
    header = list(importer.header)
    row = list(importer.row)
    # Drop a required column and rename another beyond recognition.
    drop = header.index("kind" if kind == "agreements" else "value")
    rename = header.index("parties" if kind == "agreements" else "origin")
    header[rename] = "Partners!!" if kind == "agreements" else "Herkunft"
    del header[drop], row[drop]
    message = importer.refusal(csv_bytes([header, row]))
    assert "Missing columns:" in message
    assert ("“kind”" if kind == "agreements" else "“value”") in message
    if kind == "mobility":
        assert "“origin_country”" in message and "Not recognised: “Herkunft”" in message
    else:
        assert "“parties”" in message


def test_a_column_twice_is_refused(importer):
    header = [*importer.header, importer.header[1].upper()]
    message = importer.refusal(csv_bytes([header, [*importer.row, importer.row[1]]]))
    assert "appears twice" in message


def test_undecodable_csv_is_refused(importer):
    # Latin-1 accents: neither UTF-8 nor Cyrillic Windows-1251.
    data = ",".join(importer.header).encode() + "\r\nCaféé àèì ñõ\r\n".encode("latin-1")
    assert "neither a CSV text in UTF-8 or Windows-1251" in importer.refusal(data)


def test_too_many_rows_is_refused_with_the_limit(importer, kind):
    limit = 5000 if kind == "agreements" else 50_000
    rows = [importer.header] + [importer.row] * (limit + 1)
    message = importer.refusal(csv_bytes(rows))
    assert "more than" in message and "Split the file" in message


def test_too_large_a_file_is_refused(importer, settings):
    settings.UNIBRIDGE_IMPORT_MAX_BYTES = 1000
    rows = [importer.header] + [importer.row] * 50
    message = importer.refusal(csv_bytes(rows))
    assert "an import may be at most 1000" in message


def test_header_variants_in_any_case_and_language_are_accepted(importer, kind):
    header = [h.upper().replace(" ", "_") for h in importer.header]
    if kind == "mobility":
        header[header.index("ORIGIN")] = "Herkunftsland"  # not a label: refused...
        message = importer.refusal(csv_bytes([header, importer.row]))
        assert "Not recognised: “Herkunftsland”" in message
        header[header.index("Herkunftsland")] = "Origin (ISO code)"
    else:
        header[header.index("VALID_FROM")] = "Valid from (YYYY-MM-DD)"
    response = importer.preview(csv_bytes([header, importer.row]))
    assert response.context["report"].valid, response.context["report"].rows[0].errors
    # Cancelling deletes the waiting file (the autouse fixture checks) and saves nothing.
    cancelled = importer.client.post(importer.preview_url, {"action": "cancel"}, follow=True)
    assert "nothing was saved" in cancelled.content.decode()
    assert importer.client.get(importer.preview_url).status_code == 302


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_cells_headers_and_file_names_render_escaped(importer, kind):
    header = [*importer.header, PAYLOAD]
    row = [PAYLOAD] * len(header)
    preview = importer.preview(csv_bytes([header, row]), "evil<script>.csv")
    body = preview.content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body
    importer.client.post(importer.preview_url, {"action": "cancel"})


def test_a_text_file_that_is_no_table_is_refused(importer):
    message = importer.refusal("# Notes\n\nНе таблица, просто текст.\n".encode(), "notes.csv")
    assert "Row 1 should hold the column headers" in message and "“# Notes”" in message


def test_preview_queries_do_not_grow_with_rows(importer, kind, django_assert_max_num_queries):
    many = [importer.header] + [importer.row] * 400  # duplicates of each other: errors too
    importer.preview(csv_bytes(many))
    with django_assert_max_num_queries(20):
        response = importer.client.get(importer.preview_url)
    assert len(response.context["report"].rows) == 400
    assert "page 1 of 4" in response.content.decode()
    importer.client.post(importer.preview_url, {"action": "cancel"})
