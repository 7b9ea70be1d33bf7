"""Spreadsheet import, the part every kind of record shares: read an uploaded CSV or XLSX
into rows keyed by column, keep the file between the preview and the confirmation, and
write templates.

Reading uses the standard ``csv`` module and openpyxl's read-only mode rather than
tablib's or django-import-export's loaders: those load the whole sheet into a rectangular
``Dataset`` (a row longer than the header raises, empty rows vanish, so the row numbers a
person sees in Excel are lost), while here rows are streamed, a file over the row limit is
refused after reading one row too many, and every message names the row as the
spreadsheet numbers it. django-import-export's ``Resource`` saves row by row through
``save()`` (50,000 rows would be 150,000 queries) and has no place for the name matches a
person confirms; the apps' own services check and save in bulk instead. tablib still
writes the templates and exports (as the list pages' exports do).

Formats are told by their bytes, never by the file name: a PDF or a program renamed
``.csv`` is refused as what it is. A file is bounded before it is parsed and while it is
read, so that a small upload cannot take the worker's memory or time (a "zip bomb"): a
workbook's parts may unpack to at most ``max_unpacked_bytes()``, none compressed beyond
``MAX_COMPRESSION_RATIO``, its sheet may declare at most (rows + 1) x ``MAX_COLUMNS`` cells;
rows are streamed, one wider than ``MAX_COLUMNS`` is refused, and reading stops one row
past the row limit or past as many empty rows. CSV may be UTF-8 (with or without a byte order mark),
UTF-16 (Excel's "Unicode text") or Windows-1251 (Excel's "CSV" on a Russian Windows);
the report says which encoding was read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime
import io
import json
import re
import secrets
import struct
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import tablib
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cells import from_csv_cell, safe_dataset

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Uploads wait here between the preview and the confirmation. MEDIA_ROOT is never served
# (cooperation/urls.py), and the names are random tokens, not the sender's file names.
PENDING_DIR = "imports"
SESSION_KEY = "unibridge_imports"


def max_import_bytes() -> int:
    return int(getattr(settings, "UNIBRIDGE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    """The most an XLSX's parts may unpack to (a 50,000-row export of figures: 46 MB)."""
    return int(getattr(settings, "UNIBRIDGE_IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024))


# A spreadsheet's XML compresses 5 to 20 times (a 50,000-row sheet: 16); a part made to
# blow up compresses 1,000 times. Parts under RATIO_FROM bytes harm nobody and are let be.
MAX_COMPRESSION_RATIO = 100
RATIO_FROM = 1024 * 1024
MAX_ARCHIVE_PARTS = 1000  # a workbook has a dozen parts, one per sheet and picture more
MAX_COLUMNS = 100  # columns a row may reach; the imports read 16 at most
EMPTY_ROWS_KEPT = 21  # the numbers of empty rows kept to name them (the notes show 20)


def pending_lifetime() -> int:
    """Seconds an uploaded file waits for its confirmation before it is deleted."""
    return int(getattr(settings, "UNIBRIDGE_IMPORT_PENDING_SECONDS", 24 * 3600))


class ImportRefused(Exception):
    """The file as a whole cannot be read: wrong type, encoding, columns, size. The message
    is shown to the person where they uploaded it."""

    def __init__(self, message: str) -> None:
        self.message = str(message)
        super().__init__(self.message)


# --------------------------------------------------------------------------- columns


def normalise_header(text: Any) -> str:
    """ "Valid from (YYYY-MM-DD)", "valid_from", " VALID  FROM* " -> "valid from"."""
    text = str(text or "").replace("\ufeff", "").casefold()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    text = re.sub(r"[_\-./:*]+", " ", text)
    return " ".join(text.split())


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of an import file: its key, the header the template writes, the other
    headers accepted for it (English, and every interface language through ``label``),
    whether it must be there, and what the notes sheet says about it."""

    key: str
    header: str
    label: Any  # a lazy translation: the header as the interface's language writes it
    help: Any
    example: Any = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    pattern: str = ""  # a regular expression for repeated columns: "party 1", "party 2"
    stands_for: str = ""  # the key of a required column these repeated columns replace
    # A column of the list's export that the import reads and leaves alone (an id, a name
    # shown beside an id, a time stamp): neither reported as unknown nor in the template.
    ignored: bool = False

    def names(self) -> set[str]:
        names = {normalise_header(self.header), normalise_header(self.key)}
        names |= {normalise_header(alias) for alias in self.aliases}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(normalise_header(str(self.label)))
        return names


def template_headers(columns: Sequence[Column]) -> list[str]:
    return [c.header for c in columns if not (c.pattern or c.ignored)]


def map_headers(
    headers: Sequence[Any], columns: Sequence[Column]
) -> tuple[dict[int, Column], list[str], list[Column]]:
    """Which file column holds which import column, the headers not recognised, and the
    required columns that are missing."""
    lookup: dict[str, Column] = {}
    for column in columns:
        for name in column.names():
            lookup.setdefault(name, column)
    found: dict[int, Column] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for position, header in enumerate(headers):
        name = normalise_header(header)
        if not name:
            continue
        column = lookup.get(name) or next(
            (c for c in columns if c.pattern and re.fullmatch(c.pattern, name)), None
        )
        if column is None:
            unknown.append(str(header).strip())
        elif column.ignored:
            continue
        elif column.key in seen and not column.pattern:
            raise ImportRefused(
                _("The column “%(header)s” appears twice; keep one.") % {"header": header}
            )
        else:
            found[position] = column
            seen |= {column.key, column.stands_for}
    missing = [c for c in columns if c.required and c.key not in seen]
    return found, unknown, missing


# --------------------------------------------------------------------------- reading


@dataclasses.dataclass
class SheetRow:
    """A row of the file: its number as the spreadsheet shows it (the header is row 1)
    and its values by column key; a repeated column (``pattern``) gives a list."""

    number: int
    values: dict[str, Any]


class SheetRows(Sequence[SheetRow]):
    """The rows of a table kept by columns (``table_from_json``), each ``SheetRow`` drawn
    only when read: a check that goes column by column never builds 50,000 of them."""

    def __init__(self, numbers: list[int], columns: dict[str, list[Any]]) -> None:
        if any(len(values) != len(numbers) for values in columns.values()):
            raise ValueError("columns of different lengths")
        self.numbers = numbers
        self.columns = columns

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return SheetRow(
            self.numbers[index], {key: values[index] for key, values in self.columns.items()}
        )

    def __iter__(self) -> Iterator[SheetRow]:
        return (self[index] for index in range(len(self)))

    def column(self, key: str) -> list[Any]:
        return self.columns[key] if key in self.columns else [None] * len(self.numbers)


@dataclasses.dataclass
class Table:
    """What was read from a file, before any row is checked."""

    rows: list[SheetRow] | SheetRows
    headers: dict[str, str]  # column key -> the header as the file writes it
    unknown_headers: list[str]
    empty_rows: list[int]  # the first EMPTY_ROWS_KEPT empty rows between data rows
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    sheet: str = ""
    empty_count: int = 0  # all of them

    def header_of(self, key: str, columns: Sequence[Column]) -> str:
        if key in self.headers:
            return self.headers[key]
        return next((c.header for c in columns if c.key == key), key)

    def numbers(self) -> list[int]:
        """Each row's number as the spreadsheet shows it."""
        if isinstance(self.rows, SheetRows):
            return self.rows.numbers
        return [row.number for row in self.rows]

    def column(self, key: str) -> list[Any]:
        """The cells of one column, row by row (None where a row has none)."""
        if isinstance(self.rows, SheetRows):
            return self.rows.column(key)
        return [row.values.get(key) for row in self.rows]

    def notes(self) -> list[str]:
        notes = []
        if self.encoding:
            notes.append(_("Read as CSV in %(encoding)s.") % {"encoding": self.encoding})
        if self.sheet:
            notes.append(_("Read the sheet “%(sheet)s”.") % {"sheet": self.sheet})
        if self.empty_rows:
            notes.append(
                _("Skipped %(count)s empty row(s): %(rows)s.")
                % {
                    "count": max(self.empty_count, len(self.empty_rows)),
                    "rows": _row_list(self.empty_rows),
                }
            )
        if self.unknown_headers:
            notes.append(
                _("Ignored the columns not recognised: %(headers)s.")
                % {"headers": ", ".join(f"“{h}”" for h in self.unknown_headers)}
            )
        return notes


# Cells JSON writes as they are; any other (a date, a list of repeated columns) is encoded.
_PLAIN = {str, int, float, bool, type(None)}


def _encode_cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$d": value.isoformat()}
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    if isinstance(value, list):
        return [_encode_cell(item) for item in value]
    return value


def _decode_cell(value: dict) -> Any:
    # Every JSON object passes here (the columns too): only the dates' are turned back.
    if "$dt" in value:
        return datetime.datetime.fromisoformat(value["$dt"])
    if "$d" in value:
        return datetime.date.fromisoformat(value["$d"])
    return value


def table_to_json(table: Table) -> bytes:
    """The rows as read, to keep between the preview and the confirmation: reading a
    50,000-row workbook again takes longer than checking it.

    Kept by columns (each column's cells in a list, the rows' numbers in another): a list of
    plain values is what JSON reads fastest, where an object per row cost the confirmation
    of 50,000 rows half a second (issue 18), and a check reads the file column by column."""
    data = {
        field.name: getattr(table, field.name)
        for field in dataclasses.fields(table)
        if field.name != "rows"
    }
    if isinstance(table.rows, SheetRows):
        keys = dict.fromkeys(table.rows.columns)
    else:
        keys = dict.fromkeys(key for row in table.rows for key in row.values)
    columns = {}
    for key in keys:
        cells = table.column(key)
        plain = set(map(type, cells)) <= _PLAIN
        columns[key] = cells if plain else [_encode_cell(cell) for cell in cells]
    data.update(numbers=table.numbers(), columns=columns)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def table_from_json(content: bytes) -> Table:
    data = json.loads(content, object_hook=_decode_cell)
    if "rows" in data:  # kept by rows, before issue 18: an upload waiting across an update
        data["rows"] = [SheetRow(number, values) for number, values in data["rows"]]
        return Table(**data)
    rows = SheetRows(data.pop("numbers"), data.pop("columns"))
    return Table(rows, **data)


def _row_list(numbers: Sequence[int], limit: int = 20) -> str:
    text = ", ".join(str(n) for n in numbers[:limit])
    return text + (" …" if len(numbers) > limit else "")


# Signatures of files people upload by mistake, told apart from the spreadsheets we read.
SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"MZ", gettext_lazy("a Windows program")),
    (b"\x7fELF", gettext_lazy("a program")),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Excel or Word file (.xls, .doc)")),
    (b"{\\rtf", "RTF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"\x1f\x8b", "gzip"),
)


def sniff_format(data: bytes) -> str:
    """ "xlsx" or "csv" from the bytes, or ImportRefused naming what the file really is."""
    if data.startswith(b"PK\x03\x04"):
        _check_part_count(data)
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRefused(_("This file is a damaged archive, not a spreadsheet.")) from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            what = _("a Word document (.docx)")
        elif "mimetype" in names or "content.xml" in names:
            what = _("an OpenDocument file (.ods, .odt)")
        else:
            what = _("a ZIP archive")
        raise ImportRefused(
            _("This file is %(what)s. Upload a CSV or an Excel workbook (.xlsx).") % {"what": what}
        )
    for magic, what in SIGNATURES:
        if data.startswith(magic):
            raise ImportRefused(
                _("This file is %(what)s, not a spreadsheet. Upload a CSV or an Excel workbook "
                  "(.xlsx).") % {"what": what}
            )  # fmt: skip
    return "csv"


def _check_part_count(data: bytes) -> None:
    """Refuse an archive of more parts than a workbook has, from its end record, before
    ``zipfile`` reads a directory entry for each (300,000 of them fit in 20 MB)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return  # no end record: zipfile says the archive is damaged
    (parts,) = struct.unpack_from("<H", data, end + 10)
    if parts > MAX_ARCHIVE_PARTS:  # 0xFFFF: a ZIP64 archive, which no workbook needs
        raise ImportRefused(
            _("This archive holds %(count)s files; an Excel workbook holds a few dozen. Save "
              "the sheet again as .xlsx.") % {"count": f"{parts:,}".replace(",", " ")}
        )  # fmt: skip


def check_workbook_archive(data: bytes, *, max_rows: int) -> None:
    """Refuse a workbook that would unpack to more than a sheet of the import's size,
    from the archive's directory alone: nothing is unpacked or parsed here."""
    limit = max_unpacked_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total > limit:
        raise ImportRefused(
            _("This workbook unpacks to %(size)s; an import may unpack to at most %(limit)s "
              "(%(rows)s rows). Split it, or save it as CSV.")
            % {"size": filesizeformat(total), "limit": filesizeformat(limit),
               "rows": f"{max_rows:,}".replace(",", " ")}
        )  # fmt: skip
    for part in parts:
        if part.file_size >= RATIO_FROM and (
            part.file_size > MAX_COMPRESSION_RATIO * max(part.compress_size, 1)
        ):
            raise ImportRefused(
                _("This workbook is compressed %(ratio)s times (“%(part)s”); a spreadsheet "
                  "compresses 5 to 20 times. It was made to exhaust the server and is not read.")
                % {"ratio": part.file_size // max(part.compress_size, 1),
                   "part": part.filename[:100]}
            )  # fmt: skip


READ_CHUNK = 1024 * 1024


def _chunks(data: bytes) -> Iterator[memoryview]:
    view = memoryview(data)
    for start in range(0, len(data), READ_CHUNK):
        yield view[start : start + READ_CHUNK]


def _decodes_as(data: bytes, encoding: str) -> bool:
    """Whether the whole file decodes, a megabyte at a time (nothing kept)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in _chunks(data):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _cp1251_classes() -> bytes:
    """Each byte as Windows-1251 reads it: c Cyrillic, o other beyond ASCII, x a control
    character, u undefined, a ASCII."""
    classes = bytearray(b"a" * 256)
    for byte in range(256):
        try:
            char = bytes([byte]).decode("cp1251")
        except UnicodeDecodeError:
            classes[byte] = ord("u")
            continue
        if "\u0400" <= char <= "\u04ff":
            classes[byte] = ord("c")
        elif byte > 127:
            classes[byte] = ord("o")
        elif byte < 32 and char not in "\r\n\t":
            classes[byte] = ord("x")
    return bytes(classes)


CP1251_CLASSES = _cp1251_classes()
WORD = re.compile(r"[^\W\d_]+")
CYRILLIC = re.compile("[\u0400-\u04ff]")
LATIN = re.compile("[A-Za-z]")


def text_encoding(data: bytes) -> tuple[str, str]:
    """The codec a CSV is read with and the encoding's name for the report. The file is
    scanned a megabyte at a time: no copy of its text is made here."""
    if data.startswith(codecs.BOM_UTF8):
        if not _decodes_as(data, "utf-8-sig"):
            raise _not_text()
        return "utf-8-sig", _("UTF-8 (with byte order mark)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes_as(data, "utf-16"):
            raise _not_text()
        return "utf-16", "UTF-16"
    if b"\x00" in data[:65536]:
        raise _not_text()
    if _decodes_as(data, "utf-8"):
        return "utf-8", "UTF-8"
    # Not UTF-8: Excel on a Russian Windows saves "CSV" in Windows-1251. Take it when the
    # letters beyond ASCII read as Cyrillic; anything else is more likely a binary file or
    # another code page than a spreadsheet we would read correctly.
    beyond = cyrillic = words = mixed = 0
    for chunk in _chunks(data):
        classes = bytes(chunk).translate(CP1251_CLASSES)
        if b"u" in classes or b"x" in classes:
            raise _not_text()
        cyrillic += classes.count(b"c")
        beyond += classes.count(b"c") + classes.count(b"o")
        # Latin-1 or Windows-1252 text decodes to Cyrillic letters too ("Café" -> "Cafй"),
        # but into words that mix Latin and Cyrillic letters, which real names hardly do.
        for match in WORD.finditer(bytes(chunk).decode("cp1251")):
            word = match.group()
            if CYRILLIC.search(word):
                words += 1
                mixed += bool(LATIN.search(word))
    if cyrillic < 0.8 * beyond or mixed > 0.1 * words:
        raise _not_text()
    return "cp1251", _("Windows-1251 (Cyrillic)")


def _not_text() -> ImportRefused:
    return ImportRefused(
        _("This file is neither a CSV text in UTF-8 or Windows-1251 nor an Excel workbook. "
          "In Excel, use “Save as” → “CSV UTF-8” or “Excel workbook (.xlsx)”.")
    )  # fmt: skip


def _csv_rows(data: bytes, encoding: str) -> Iterator[list[Any]]:
    """The rows of a CSV, decoded as they are read (the file's text is never held whole)."""

    def text() -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")

    sample = text().read(20000)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample.strip() else ""
        delimiter = max(",;\t", key=first.count)
    try:
        for row in csv.reader(text(), delimiter=delimiter):
            # A NUL is no character of a spreadsheet's text (the first 64 KiB of a file
            # without a byte order mark are scanned for it): PostgreSQL refuses it.
            if any("\x00" in cell for cell in row):
                raise _not_text()
            yield row
    except csv.Error as exc:
        raise ImportRefused(
            _("The CSV cannot be read: %(error)s. Save it from Excel again.") % {"error": exc}
        ) from exc


def _xlsx_rows(
    data: bytes, sheet_names: Iterable[str], *, max_rows: int
) -> tuple[Iterator[list[Any]], str]:
    from openpyxl import load_workbook  # imported here: only uploads need it

    check_workbook_archive(data, max_rows=max_rows)  # before openpyxl unpacks anything
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files; all mean this
        raise ImportRefused(
            _("This Excel workbook is damaged or cannot be read. Save it again as .xlsx.")
        ) from exc
    wanted = {normalise_header(name) for name in sheet_names}
    sheets = [ws for ws in book.worksheets if ws.sheet_state == "visible"] or book.worksheets
    if not sheets:
        raise ImportRefused(_("This workbook has no sheets."))
    sheet = next((ws for ws in sheets if normalise_header(ws.title) in wanted), sheets[0])
    # The size the sheet declares (its <dimension>), when it does: rows are read one by
    # one below and stopped at the limits, but a declared 4,000 x 16,384 cells is refused
    # before the first of them is parsed.
    if sheet.max_row and sheet.max_column:
        cells = (sheet.max_row - sheet.min_row + 1) * (sheet.max_column - sheet.min_column + 1)
        if cells > (max_rows + 1) * MAX_COLUMNS:
            raise ImportRefused(
                _("The sheet “%(sheet)s” declares %(rows)s rows by %(columns)s columns; an "
                  "import reads at most %(max)s rows of %(max_columns)s columns. Delete what "
                  "is beyond the table, or split it.")
                % {"sheet": sheet.title[:100], "rows": _count(sheet.max_row),
                   "columns": _count(sheet.max_column), "max": _count(max_rows),
                   "max_columns": MAX_COLUMNS}
            )  # fmt: skip
    # Some programs write a wrong size into the sheet; read what is really there.
    with contextlib.suppress(AttributeError):
        sheet.reset_dimensions()
    title = sheet.title if len(book.worksheets) > 1 else ""
    return (list(row) for row in sheet.iter_rows(values_only=True)), title


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _clean(value: Any, *, csv_cell: bool = False) -> Any:
    """A cell as read: text stripped, empty text None. A CSV cell also loses the quote that
    an export put in front of a text that starts like a formula (cooperation.cells), so
    that every export imports back to the values it came from."""
    if isinstance(value, str):
        value = value.strip()
        if csv_cell:
            value = from_csv_cell(value).strip()
        return value or None
    return value


def _cleaner(*, csv_cell: bool) -> Callable[[Any], Any]:
    """``_clean`` computed once per distinct text: a file repeats its cells a lot (50,000
    rows of figures hold a few thousand distinct texts), and cleaning each of 750,000
    cells was a second of an upload."""
    cache: dict[str, Any] = {}

    def clean(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return cache[value]
        except KeyError:
            cache[value] = cleaned = _clean(value, csv_cell=csv_cell)
            return cleaned

    return clean


def read_table(
    data: bytes,
    *,
    columns: Sequence[Column],
    max_rows: int,
    sheet_names: Iterable[str] = (),
) -> Table:
    """Read an uploaded file into rows keyed by column, or refuse it with a message.

    The first non-empty row is the header. Headers are compared without case, spaces,
    underscores or a bracketed note ("Valid from (YYYY-MM-DD)"); the headers of every
    interface language are accepted. Empty rows are skipped and counted.

    Rows are streamed and nothing but the data rows is kept: reading stops with a message
    at a row wider than ``MAX_COLUMNS``, at the data row after ``max_rows`` and at the
    empty row after ``max_rows`` of them, so time and memory stay those of the largest
    file allowed whatever the file holds.
    """
    limit = max_import_bytes()
    if len(data) > limit:
        raise ImportRefused(
            _("The file is %(size)s; an import may be at most %(limit)s. Split it.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if not data.strip():
        raise ImportRefused(_("The file is empty."))
    file_format = sniff_format(data)
    encoding = sheet = ""
    if file_format == "xlsx":
        raw_rows, sheet = _xlsx_rows(data, sheet_names, max_rows=max_rows)
    else:
        codec, encoding = text_encoding(data)
        raw_rows = _csv_rows(data, codec)
    header: list[Any] | None = None
    header_number = 0
    first_row: tuple | None = None  # a first row that names no column, kept for its message
    second_header = False  # the row after the header may be a second one (labels, keys)
    mapping: dict[int, Column] = {}
    # The rows are kept by columns (SheetRows), as the checks and table_to_json read them.
    numbers: list[int] = []
    kept: dict[str, list[Any]] = {}
    table = Table(SheetRows(numbers, kept), {}, [], [], file_format, encoding, sheet)
    plain: list[tuple[int, list[Any]]] = []  # each single column's position and cells
    repeated: list[tuple[list[int], list[Any]]] = []  # a repeated column's positions, cells
    clean = _cleaner(csv_cell=file_format == "csv")
    empty = 0  # every empty row, for the limit
    since_data: list[int] = []  # the empty rows after the last data row (a few of them)
    since_data_count = 0
    for number, raw in enumerate(raw_rows, start=1):
        if len(raw) > MAX_COLUMNS:
            raise ImportRefused(
                _("Row %(row)s has %(count)s columns; an import reads at most %(max)s. Delete "
                  "the columns beyond the table and save the file again.")
                % {"row": number, "count": _count(len(raw)), "max": MAX_COLUMNS}
            )  # fmt: skip
        cells = list(map(clean, raw))
        if not any(cell is not None for cell in cells):
            empty += 1
            if empty > max_rows:
                raise ImportRefused(
                    _("The file has more than %(max)s empty rows. Delete the empty rows (or "
                      "the formatting below the table) and save the file again.")
                    % {"max": _count(max_rows)}
                )  # fmt: skip
            if header is not None:
                since_data_count += 1
                if len(table.empty_rows) + len(since_data) < EMPTY_ROWS_KEPT:
                    since_data.append(number)
            continue
        if header is None or second_header:
            # UniBridge's exports write two header rows, the labels above the keys: of the
            # first two rows, the one that names more of the columns is the header.
            found: tuple | None = map_headers(cells, columns)
            if header is None and (not found[0] or found[2]) and first_row is None:
                first_row = (cells, number, found)  # perhaps the labels above the keys
                continue
            if header is None and (not found[0] or found[2]):
                cells, number, found = first_row  # neither is a header: say so of the first
            elif second_header:
                second_header = False
                if not found[0] or found[2] or len(found[0]) < len(mapping):
                    found = None  # the first data row
            if found is not None:
                second_header = header is None and first_row is None
                header, header_number = cells, number
                mapping, table.unknown_headers, missing = found
                _check_header(cells, number, mapping, missing, table.unknown_headers, columns)
                table.headers.clear()
                for position, column in mapping.items():
                    table.headers.setdefault(column.key, str(cells[position]))
                continue
        if len(numbers) >= max_rows:
            raise ImportRefused(
                _("The file has more than %(max)s rows; an import takes at most %(max)s. "
                  "Split the file and import the parts one after another.")
                % {"max": _count(max_rows)}
            )  # fmt: skip
        if not numbers:  # the first data row: the header, and so the columns, are settled
            positions: dict[str, list[int]] = {}
            for position, column in mapping.items():
                positions.setdefault(column.key, []).append(position)
                if column.key not in kept:
                    kept[column.key] = []
                    if column.pattern:
                        repeated.append((positions[column.key], kept[column.key]))
                if not column.pattern:
                    plain.append((position, kept[column.key]))
        width = len(cells)
        for position, cells_of_column in plain:
            cells_of_column.append(cells[position] if position < width else None)
        for found_at, cells_of_column in repeated:  # the cells given, in the columns' order
            cells_of_column.append(
                [cells[p] for p in found_at if p < width and cells[p] is not None]
            )
        # The empty rows before this one are reported; those after the last data row not.
        table.empty_rows += since_data
        table.empty_count += since_data_count
        since_data, since_data_count = [], 0
        numbers.append(number)
    if header is None and first_row is not None:
        cells, number, (mapping, unknown, missing) = first_row
        _check_header(cells, number, mapping, missing, unknown, columns)
        header_number = number
    if header is None:
        raise ImportRefused(_("The file is empty."))
    if not table.rows:
        raise ImportRefused(
            _("The file has a header (row %(row)s) but no rows below it.") % {"row": header_number}
        )
    return table


def _check_header(
    cells: list[Any],
    number: int,
    mapping: dict[int, Column],
    missing: Sequence[Column],
    unknown: Sequence[str],
    columns: Sequence[Column],
) -> None:
    """Refuse a header that names no column this import reads, or misses a required one."""
    if not mapping:
        raise ImportRefused(
            _("Row %(row)s should hold the column headers, but none of “%(first)s” is "
              "a column this import reads. Is this the right file? The columns are: "
              "%(columns)s (see the template).")
            % {"row": number, "first": "”, “".join(map(cell_text, cells[:6]))[:200],
               "columns": ", ".join(template_headers(columns))}
        )  # fmt: skip
    if missing:
        raise ImportRefused(_missing_message(missing, unknown, columns))


def _missing_message(
    missing: Sequence[Column], unknown: Sequence[str], columns: Sequence[Column]
) -> str:
    message = _("Missing columns: %(missing)s.") % {
        "missing": ", ".join(f"“{c.header}”" for c in missing)
    }
    if unknown:
        message += " " + _("Not recognised: %(unknown)s.") % {
            "unknown": ", ".join(f"“{h}”" for h in unknown)
        }
    message += " " + _("The columns are: %(columns)s (see the template).") % {
        "columns": ", ".join(template_headers(columns))
    }
    return message


# --------------------------------------------------------------------------- cell values


def as_date(value: Any) -> datetime.date | None:
    """A date cell: what Excel gives (a date or date-time), ``YYYY-MM-DD`` or
    ``DD.MM.YYYY``; None when empty; ValueError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    parsed = None
    with contextlib.suppress(ValueError):
        parsed = parse_date(text)
    if parsed is None:
        parsed = datetime.datetime.strptime(text, "%d.%m.%Y").date()
    return parsed


def as_int(value: Any) -> int | None:
    """A whole number from a cell: 12, 12.0, "12", "1 234"; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text)) if "." in text else int(text)
    raise ValueError(value)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- pending uploads


def _pending(request) -> dict:
    return request.session.setdefault(SESSION_KEY, {})


def store_upload(request, *, kind: str, name: str, data: bytes, file_format: str) -> str:
    """Keep an uploaded file until it is confirmed; return the token that names it.

    What is kept is the file's rows as read (``table_to_json``), not asked for again, so
    that the confirmation saves exactly what was previewed; they are checked again at the
    confirmation, as the register may have changed in between, but not parsed again (a
    50,000-row workbook takes 10 s to read). The token lives in this user's session only, so
    no one else can preview or confirm it; the file goes when it is confirmed or
    cancelled, and any file older than ``pending_lifetime()`` goes at the next upload.
    """
    purge_stale()
    token = secrets.token_urlsafe(18)
    path = default_storage.save(f"{PENDING_DIR}/{token}.{file_format}", ContentFile(data))
    _pending(request)[token] = {
        "kind": kind,
        "name": name[:200],
        "path": path,
        "user": request.user.pk,
        "uploaded": time.time(),
        "choices": {},
    }
    request.session.modified = True
    return token


def pending_upload(request, *, kind: str, token: str) -> dict | None:
    """The session's record of an upload of this kind by this user, or None."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["kind"] != kind or entry["user"] != request.user.pk:
        return None
    if time.time() - entry["uploaded"] > pending_lifetime():
        discard_upload(request, token)
        return None
    return entry


def read_upload(entry: dict) -> bytes | None:
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def discard_upload(request, token: str) -> None:
    entry = request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True
    if entry:
        with contextlib.suppress(FileNotFoundError):
            default_storage.delete(entry["path"])


def purge_stale() -> None:
    """Delete pending uploads nobody confirmed in time."""
    cutoff = timezone.now() - datetime.timedelta(seconds=pending_lifetime())
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        with contextlib.suppress(FileNotFoundError, NotImplementedError):
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)


# --------------------------------------------------------------------------- writing


def book_response(
    *,
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    export_format: str,
    filename: str,
    notes: Sequence[Sequence[Any]] = (),
    notes_headers: Sequence[str] = (),
) -> HttpResponse:
    """A CSV (UTF-8 with a byte order mark, so Excel keeps Cyrillic) or an XLSX whose first
    sheet holds the rows and a second one, if given, the notes on the columns. Every cell
    follows cooperation.cells (a text is never read as a formula)."""
    data = tablib.Dataset(*rows, headers=list(headers), title=sheet_title[:31])
    if export_format == "xlsx":
        sheets = [data]
        if notes:
            sheet = tablib.Dataset(*notes, headers=list(notes_headers), title=_("notes")[:31])
            sheets.append(sheet)
        content: bytes | str = tablib.Databook(
            [safe_dataset(sheet, "xlsx") for sheet in sheets]
        ).export("xlsx")
        content_type = XLSX_TYPE
    else:
        content = "\ufeff" + safe_dataset(data, "csv").export("csv")
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def notes_rows(columns: Sequence[Column], extra: Callable[[Column], str] | None = None) -> list:
    rows = []
    for column in columns:
        rows.append(
            (
                column.header,
                _("required") if column.required else _("optional"),
                str(column.help) + (f" {extra(column)}" if extra else ""),
                cell_text(column.example),
            )
        )
    return rows
