"""File bombs on the imports (issue 14, finding 5): small uploads made to unpack or to
read into far more than any real spreadsheet. Each is refused with a message on the file
field, by the API and the upload page alike, quickly and in bounded memory; nothing is
saved or kept. The bombs are built here, as an attacker would build them."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Agreement
from mobility.models import MobilityFigure
from tests.base import field_errors
from tests.security.helpers import api_client

from .conftest import AGREEMENT_HEADER, MOBILITY_HEADER, Importer

pytestmark = pytest.mark.django_db

SECONDS = 5  # of processor time (measured)
PEAK_BYTES = 200 * 1024 * 1024  # Python's allocations while the request is handled
API = {"agreements": "/api/agreements/import/", "mobility": "/api/mobility-figures/import/"}
HEADER = {"agreements": AGREEMENT_HEADER, "mobility": MOBILITY_HEADER}

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="figures" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook(sheet_parts, shared_parts=("<sst/>",)) -> bytes:
    """An XLSX whose sheet and shared strings are written from the given pieces, each
    compressed as it is written (the archive is small, its contents need not be)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, parts in (("xl/worksheets/sheet1.xml", sheet_parts),
                            ("xl/sharedStrings.xml", shared_parts)):  # fmt: skip
            with archive.open(name, "w") as member:
                for part in parts:
                    member.write(part.encode() if isinstance(part, str) else part)
    return out.getvalue()


def shared_string_bomb() -> bytes:
    """310 KB that unpack to one shared string of 300 MiB, shown in cell A1."""
    chunk = b"A" * (1024 * 1024)
    sheet = [SHEET_OPEN, '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>',
             "</sheetData></worksheet>"]  # fmt: skip
    shared = ['<sst count="1" uniqueCount="1"><si><t>', *[chunk] * 300, "</t></si></sst>"]
    return workbook(sheet, shared)


def wide_sheet(rows: int, columns: int, *, declared: str | None) -> list[bytes]:
    """A sheet of ``rows`` x ``columns`` cells holding 1, written by hand."""
    cells = b"<c><v>1</v></c>" * columns
    dimension = f'<dimension ref="{declared}"/>' if declared else ""
    parts = [f"{SHEET_OPEN}{dimension}<sheetData>".encode()]
    for number in range(1, rows + 1):
        parts += [f'<row r="{number}">'.encode(), cells, b"</row>"]
    return [*parts, b"</sheetData></worksheet>"]


BOMBS = {
    # name: (the file, its name, what the refusal says)
    "shared-string": (shared_string_bomb, "bomb.xlsx", "unpacks to"),
    "4000x16384": (
        lambda: workbook(wide_sheet(4000, 16384, declared="A1:XFD4000")),
        "cells.xlsx",
        "unpacks to",
    ),
    "declared-size": (
        lambda: workbook(
            [
                SHEET_OPEN,
                '<dimension ref="A1:XFD4000"/><sheetData>',
                '<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
            ]
        ),
        "declared.xlsx",
        "declares 4 000 rows by 16 384 columns",
    ),  # fmt: skip
    "wide-rows": (
        lambda: workbook(wide_sheet(3, 16384, declared=None)),
        "wide.xlsx",
        "Row 1 has 16 384 columns",
    ),
    # A header both imports read, then 20 MB of empty lines.
    "blank-lines": (
        lambda: ",".join(AGREEMENT_HEADER + MOBILITY_HEADER).encode() + b"\n" * 20_000_000,
        "blank.csv",
        "empty rows",
    ),
}
_built: dict[str, bytes] = {}


def bomb(name: str) -> tuple[bytes, str, str]:
    build, filename, message = BOMBS[name]
    if name not in _built:
        _built[name] = build()
    return _built[name], filename, message


@pytest.fixture(autouse=True)
def nothing_saved(settings):
    yield
    assert not Agreement.objects.exists() and not MobilityFigure.objects.exists()
    imports = settings.MEDIA_ROOT / "imports"
    assert not imports.exists() or not any(imports.iterdir()), "a refused file was kept"


def measured(call):
    """The call's result and the processor time it took (this process's: the request is
    handled here; other work on a shared machine does not move it as it moves wall time,
    which made this test fail at 6.2 s under a load of 16), then the peak of Python's
    allocations during the same call made again (tracing slows Python down several times:
    not timed). A bomb unpacked or read in full takes minutes of processor time."""
    started = time.process_time()
    result = call()
    seconds = time.process_time() - started
    tracemalloc.start()
    try:
        call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, seconds, peak


def test_the_bombs_are_what_they_claim():
    data, _name, _message = bomb("shared-string")
    assert len(data) < 400_000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 300 * 1024 * 1024
    data, _name, _message = bomb("4000x16384")
    assert len(data) < 3_000_000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 900 * 1024 * 1024


@pytest.mark.parametrize("kind", ["agreements", "mobility"])
@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_a_400_on_the_file_over_the_api(name, kind, editor, register, source):
    data, filename, message = bomb(name)
    client = api_client(editor)

    def post():
        upload = SimpleUploadedFile(filename, data, content_type="application/octet-stream")
        return client.post(API[kind], {"file": upload}, format="multipart")

    response, seconds, peak = measured(post)
    assert response.status_code == 400, response.content[:500]
    assert list(field_errors(response)) == ["/file"]
    assert message in field_errors(response)["/file"][0]
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("kind", ["agreements", "mobility"])
@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_a_form_error_on_the_upload_page(
    name, kind, editor_client, tmp_path, register, source
):
    data, filename, message = bomb(name)
    importer = Importer(editor_client, kind, tmp_path)
    refusal, seconds, peak = measured(lambda: importer.refusal(data, filename))
    assert message in refusal
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB"
