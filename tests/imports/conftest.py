"""Real files for the import tests: CSV in several encodings and XLSX workbooks, written to
``tmp_path`` and uploaded the way a browser does."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from cooperation.roles import MINISTRY_EDITOR
from tests import factories as f
from tests.security.helpers import make_user
from universities import matching

MOBILITY_HEADER = [
    "year", "origin", "destination", "type", "level", "field", "sex", "measure", "as of",
    "qualifier", "value", "host institutions", "home institution", "host institution", "source",
]  # fmt: skip
AGREEMENT_HEADER = [
    "parties", "title", "kind", "signed on", "valid from", "valid until", "signatories", "areas",
]  # fmt: skip


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding="utf-8-sig", delimiter=",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Importer:
    """Drives the import pages as a person does: upload, preview, confirm."""

    def __init__(self, client: Client, kind: str, tmp_path: Path) -> None:
        self.client, self.kind, self.tmp_path = client, kind, tmp_path
        self.url = reverse(f"{kind}:import")

    def upload(self, data: bytes, name: str = "file.csv", **fields):
        path = self.tmp_path / name
        path.write_bytes(data)
        with path.open("rb") as handle:
            return self.client.post(self.url, {"file": handle, **fields})

    def preview(self, data: bytes, name: str = "file.csv", **fields):
        """Upload and follow to the preview; the preview response."""
        response = self.upload(data, name, **fields)
        assert response.status_code == 302, _errors(response)
        self.preview_url = response.headers["Location"]
        return self.client.get(self.preview_url)

    def confirm(self, **choices):
        return self.client.post(self.preview_url, {"action": "confirm", **choices})

    def refusal(self, data: bytes, name: str = "file.csv") -> str:
        """Upload a file that must be refused; the message on the upload form."""
        response = self.upload(data, name)
        assert response.status_code == 200, response.status_code
        return " ".join(str(e) for e in response.context["form"].errors["file"])


def _errors(response) -> Any:
    if response.context and "form" in response.context:
        return response.context["form"].errors
    return response.status_code


def expect_error(errors: dict, row: int, column: str, text: str) -> None:
    """Row ``row`` has an error on ``column`` whose message contains ``text``."""
    found = any(c == column and text in message for c, message in errors.get(row, []))
    assert found, f"row {row}, {column}: {text!r} not in {errors.get(row)}"


def row_errors(response) -> dict[int, list[tuple[str, str]]]:
    return {row.number: row.errors for row in response.context["report"].rows if row.errors}


@pytest.fixture
def editor(db):
    return make_user("editor", MINISTRY_EDITOR)


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def source(db):
    return f.SourceFactory(title="Trend: 333 students", url="https://example.org/trend-333")


@pytest.fixture
def register(db):
    kaznu = f.InstitutionFactory(name="Al-Farabi Kazakh National University")
    f.InstitutionNameFactory(institution=kaznu, name="Казахский национальный университет")
    bsu = f.InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    ada = f.InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    atyrau = f.InstitutionFactory(name="Khalel Dosmukhamedov Atyrau University", city="Atyrau")
    nakh_state = f.InstitutionFactory(name="Nakhchivan State University", country="AZ")
    nakh = f.InstitutionFactory(name="Nakhchivan University", country="AZ")
    return {"kaznu": kaznu, "bsu": bsu, "ada": ada, "atyrau": atyrau, "nakh_state": nakh_state,
            "nakh": nakh}  # fmt: skip


def mobility_row(src, **changes) -> list[Any]:
    row = {
        "year": 2024, "origin": "KZ", "destination": "AZ", "type": "degree_students",
        "level": "all", "field": "", "sex": "total", "measure": "stock", "as of": "2024-10-01",
        "qualifier": "about", "value": 333, "host institutions": 58, "home institution": "",
        "host institution": "", "source": src.url,
    }  # fmt: skip
    row.update(changes)
    return [row[h] for h in MOBILITY_HEADER]


def agreement_row(**changes) -> list[Any]:
    row = {
        "parties": "Al-Farabi Kazakh National University; Baku State University",
        "title": "Memorandum on student exchange", "kind": "memorandum",
        "signed on": "2026-04-06", "valid from": "2026-04-06", "valid until": "2031-04-05",
        "signatories": "Zhanseit Tuymebayev; Elchin Babayev", "areas": "student_exchange",
    }  # fmt: skip
    row.update(changes)
    return [row[h] for h in AGREEMENT_HEADER]


TODAY = datetime.date(2026, 4, 6)


def another_web_worker() -> None:
    """The next request is answered by a process that matched nothing yet."""
    matching._shared = None


@pytest.fixture
def fresh_matcher():
    """A test that starts and ends with no process's matcher (name comparisons)."""
    another_web_worker()
    yield
    another_web_worker()


@pytest.fixture
def in_background(settings):
    """Any name not recorded as written is compared in the background."""
    settings.UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST = 0
