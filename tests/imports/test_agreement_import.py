"""Import of agreements: matching as in the signing session, every bad row, all-or-nothing,
the names a person settles, and the export that imports back unchanged."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agreements.models import Agreement, CooperationArea
from tests import factories as f
from universities.models import Institution

from .conftest import (
    AGREEMENT_HEADER,
    Importer,
    agreement_row,
    csv_bytes,
    expect_error,
    row_errors,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(editor_client, tmp_path, register):
    return Importer(editor_client, "agreements", tmp_path)


def test_preview_shows_matches_then_confirm_saves_all_with_history(importer, register, editor):
    event = f.EventFactory(title="Second Forum of Rectors", start_date=datetime.date(2026, 4, 6))
    rows = [
        AGREEMENT_HEADER,
        agreement_row(),
        agreement_row(parties="Казахский национальный университет; ADA University",
                      kind="exchange", signatories="", areas="joint_research; student_exchange"),
    ]  # fmt: skip
    preview = importer.preview(csv_bytes(rows), "forum.csv", event=event.pk)
    report = preview.context["report"]
    assert report.valid and report.counts["ok"] == 2
    body = preview.content.decode()
    assert "Signed at event: Second Forum of Rectors" in body
    assert "Казахский национальный университет → <strong>Al-Farabi Kazakh National" in body
    assert Agreement.objects.count() == 0, "the preview saved something"

    done = importer.confirm()
    assert done.status_code == 302, row_errors(done)
    page = importer.client.get(done.headers["Location"])
    assert "2 rows of “forum.csv” saved." in page.content.decode()
    first, second = Agreement.objects.order_by("pk")
    assert {p.institution for p in first.parties.all()} == {register["kaznu"], register["bsu"]}
    assert [p.signatory.name for p in first.parties.order_by("pk")] == [
        "Zhanseit Tuymebayev", "Elchin Babayev"]  # fmt: skip
    assert (first.valid_until, first.event, first.status) == (
        datetime.date(2031, 4, 5), event, "signed")  # fmt: skip
    assert sorted(second.areas.values_list("code", flat=True)) == [
        "joint_research", "student_exchange"]  # fmt: skip
    assert {h.history_user for h in Agreement.history.all()} == {editor}


def test_party_columns_and_excel_date_cells(importer, register):
    header = ["Party 1", "Party 2", "Party 3", "Kind", "Signed on", "Valid until"]
    row = ["Al-Farabi Kazakh National University", "Baku State University", "ADA University",
           "memorandum", datetime.datetime(2026, 4, 6), datetime.date(2030, 12, 31)]  # fmt: skip
    preview = importer.preview(xlsx_bytes({"Agreements": [header, row]}), "three.xlsx")
    assert preview.context["report"].valid, row_errors(preview)
    importer.confirm()
    agreement = Agreement.objects.get()
    assert agreement.parties.count() == 3
    day, end = datetime.date(2026, 4, 6), datetime.date(2030, 12, 31)
    assert (agreement.signed_on, agreement.valid_from, agreement.valid_until) == (day, day, end)
    assert agreement.title.startswith("Memorandum of understanding between")


def test_cp1251_names_are_matched(importer, register):
    rows = [AGREEMENT_HEADER, agreement_row(
        parties="Казахский национальный университет; Baku State University",
        signatories="Жансеит Туймебаев; Эльчин Бабаев")]  # fmt: skip
    preview = importer.preview(csv_bytes(rows, encoding="cp1251", delimiter=";"))
    assert preview.context["report"].valid, row_errors(preview)
    assert "Read as CSV in Windows-1251 (Cyrillic)." in preview.context["report"].notes
    importer.confirm()
    names = set(Agreement.objects.get().parties.values_list("signatory__name", flat=True))
    assert names == {"Жансеит Туймебаев", "Эльчин Бабаев"}


def test_each_bad_row_is_reported_with_its_column(importer, register):
    f.agreement_between(register["atyrau"], register["ada"], kind="memorandum",
                        valid_from=datetime.date(2025, 1, 1), valid_until=None)  # fmt: skip
    rows = [
        AGREEMENT_HEADER,
        agreement_row(),  # 2: fine
        agreement_row(kind="friendship"),  # 3
        agreement_row(**{"valid from": "06/04/2026"}),  # 4
        agreement_row(**{"valid until": "2020-01-01"}),  # 5
        agreement_row(
            parties="Baku State University; Bakı Dövlət Universiteti; ADA University",
            **{"signed on": "2026-04-07"},
        ),  # 6: BSU twice
        agreement_row(
            parties="Al-Farabi Kazakh National University (XX); ADA University",
            **{"signed on": "2026-04-08"},
        ),  # 7
        agreement_row(parties="Institute of Nowhere; ADA University"),  # 8
        agreement_row(parties="Baku State University"),  # 9: one party
        agreement_row(),  # 10: the same as row 2
        agreement_row(parties="Khalel Dosmukhamedov Atyrau University; ADA University"),  # 11
    ]
    f.InstitutionNameFactory(institution=register["bsu"], name="Bakı Dövlət Universiteti")
    preview = importer.preview(csv_bytes(rows))
    errors = row_errors(preview)
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, errors

    expect_error(errors, 3, "kind", "Unknown kind “friendship”")
    expect_error(
        errors, 4, "valid from", "“06/04/2026” is not a date; write YYYY-MM-DD or DD.MM.YYYY"
    )
    expect_error(errors, 5, "valid until", "cannot be before")
    expect_error(errors, 6, "parties", "Baku State University is a party twice")
    expect_error(errors, 7, "parties", "“XX” is not a country code")
    expect_error(errors, 8, "parties", "No institution matches “Institute of Nowhere”")
    expect_error(errors, 9, "parties", "two or more parties")
    expect_error(errors, 10, "parties", "Duplicates row(s) 2")
    expect_error(errors, 2, "parties", "Duplicates row(s) 10")
    expect_error(errors, 11, "parties", "already in the register")
    response = importer.confirm()
    assert "Nothing was saved." in response.content.decode()
    assert Agreement.objects.count() == 1


def test_an_error_on_the_last_row_saves_nothing(importer, register):
    rows = [agreement_row(**{"signed on": f"2026-04-{day:02d}", "valid from": "",
                             "valid until": ""}) for day in range(1, 29)]  # fmt: skip
    for row in rows:
        row[AGREEMENT_HEADER.index("kind")] = "cooperation"
    rows = [agreement_row(kind=k, **{"valid until": ""}) for k in
            ("memorandum", "exchange", "dual_degree", "framework")]  # fmt: skip
    rows.append(agreement_row(kind="cooperation", **{"valid until": "1999-01-01"}))
    importer.preview(csv_bytes([AGREEMENT_HEADER, *rows]))
    response = importer.confirm()
    assert list(row_errors(response)) == [6]
    assert Agreement.objects.count() == 0


def test_ambiguous_and_unknown_names_are_settled_once_then_saved(importer, register):
    rows = [
        AGREEMENT_HEADER,
        agreement_row(parties="Al-Farabi Kazakh National University; Nakhchivan"),
        agreement_row(parties="Nakhchivan; Khalel Dosmukhamedov Atyrau University",
                      kind="exchange"),
        agreement_row(parties="Al-Farabi Kazakh National University; Ganja Tech (AZ)",
                      kind="cooperation"),
    ]  # fmt: skip
    preview = importer.preview(csv_bytes(rows))
    report = preview.context["report"]
    settle = {item["written"]: item for item in report.to_settle}
    assert set(settle) == {"Nakhchivan", "Ganja Tech"}
    assert settle["Nakhchivan"]["rows"] == [2, 3]
    assert {c.institution_id for c in settle["Nakhchivan"]["candidates"]} >= {
        register["nakh"].pk, register["nakh_state"].pk}  # fmt: skip
    assert settle["Ganja Tech"]["create_in"][0] == "AZ"
    assert 'id="confirm-import"' not in preview.content.decode()
    choices = {settle["Nakhchivan"]["field"]: str(register["nakh_state"].pk),
               settle["Ganja Tech"]["field"]: "new:AZ"}  # fmt: skip
    checked = importer.client.post(importer.preview_url, {"action": "choose", **choices},
                                   follow=True)  # fmt: skip
    assert checked.context["report"].valid, row_errors(checked)
    assert Agreement.objects.count() == 0
    assert importer.confirm().status_code == 302
    assert Agreement.objects.count() == 3
    ganja = Institution.objects.get(name="Ganja Tech")
    assert ganja.country.code == "AZ"
    assert Agreement.objects.filter(parties__institution=register["nakh_state"]).count() == 2


def _reimport_export(client, fmt: str) -> bytes:
    response = client.get(reverse("agreements:import_export"), {"format": fmt})
    assert response.status_code == 200
    return response.content


def test_round_trip_through_the_export_for_reimport(importer, register):
    person = f.PersonFactory(name="Galymkair Mutanov")
    a = f.agreement_between(register["kaznu"], register["bsu"], kind="memorandum",
                            title="Memorandum on joint research",
                            signed_on=datetime.date(2024, 5, 1),
                            valid_from=datetime.date(2024, 5, 1),
                            valid_until=datetime.date(2029, 4, 30))  # fmt: skip
    a.parties.filter(institution=register["kaznu"]).update(signatory=person)
    a.areas.add(*[CooperationArea.objects.get_or_create(code=c)[0]
                  for c in ("joint_research", "conferences")])  # fmt: skip
    f.agreement_between(register["atyrau"], register["ada"], register["nakh"], kind="exchange",
                        title="Exchange", signed_on=datetime.date(2025, 9, 1),
                        valid_from=datetime.date(2025, 9, 1), valid_until=None)  # fmt: skip
    client = importer.client
    before = {fmt: _reimport_export(client, fmt) for fmt in ("csv", "xlsx")}
    assert before["csv"].startswith("\ufeffparties,title,kind".encode())

    for fmt in ("csv", "xlsx"):
        Agreement.objects.all().delete()
        preview = importer.preview(before[fmt], f"register.{fmt}")
        assert preview.context["report"].valid, row_errors(preview)
        importer.confirm()
        assert Agreement.objects.count() == 2
        assert _reimport_export(client, "csv") == before["csv"], fmt
        rows = load_workbook(io.BytesIO(_reimport_export(client, "xlsx"))).active.values
        expected = load_workbook(io.BytesIO(before["xlsx"])).active.values
        assert list(rows) == list(expected)


def test_the_export_keeps_the_register_filters(importer, register):
    f.agreement_between(register["kaznu"], register["bsu"], kind="memorandum")
    f.agreement_between(register["atyrau"], register["ada"], kind="exchange")
    response = importer.client.get(reverse("agreements:import_export"),
                                   {"format": "csv", "kind": "exchange"})  # fmt: skip
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Atyrau" in lines[1]
    bad = importer.client.get(reverse("agreements:import_export"), {"format": "pdf"})
    assert bad.status_code == 400


# The columns of the register's export that the import carries (the others name the row
# itself, or what the import does not write: status, event, conditions, time stamps…).
CARRIED = ("title", "kind", "signed_on", "valid_from", "valid_until", "areas")
PARTY_FACTS = ("institution", "institution_name", "country", "signatory_name")


def _carried(data: bytes, fmt: str) -> list[tuple]:
    if fmt == "xlsx":
        _labels, header, *rows = load_workbook(io.BytesIO(data)).worksheets[0].values
        rows = [dict(zip(header, row, strict=True)) for row in rows]
    else:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    facts = []
    for row in rows:
        parties = [tuple(p[k] for k in PARTY_FACTS) for p in json.loads(row["parties"])]
        facts.append((*(str(row[k]) for k in CARRIED), tuple(parties)))
    return sorted(facts)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_pages_export_imports_back(importer, register, fmt):
    """The agreement register's own CSV and XLSX (the API's columns) import back: the same
    parties (by institution id), signatories, title, kind, dates and areas."""
    person = f.PersonFactory(name="Galymkair Mutanov")
    a = f.agreement_between(register["kaznu"], register["bsu"], kind="memorandum",
                            title="=Memorandum, on “joint” research",
                            signed_on=datetime.date(2024, 5, 1),
                            valid_from=datetime.date(2024, 5, 1),
                            valid_until=datetime.date(2029, 4, 30))  # fmt: skip
    a.parties.filter(institution=register["kaznu"]).update(signatory=person)
    a.areas.add(*[CooperationArea.objects.get_or_create(code=c)[0]
                  for c in ("joint_research", "conferences")])  # fmt: skip
    f.agreement_between(register["atyrau"], register["ada"], register["nakh"], kind="exchange",
                        title="Exchange", signed_on=datetime.date(2025, 9, 1),
                        valid_from=datetime.date(2025, 9, 1), valid_until=None)  # fmt: skip
    url = reverse("agreements:agreement_list")

    def export() -> bytes:
        response = importer.client.get(url, {"_export": fmt})
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    before = export()
    Agreement.objects.all().delete()
    preview = importer.preview(before, f"register.{fmt}")
    report = preview.context["report"]
    assert report.valid, row_errors(preview)
    assert not [note for note in report.notes if "Ignored" in note]  # every column known
    importer.confirm()
    assert Agreement.objects.count() == 2
    assert _carried(export(), fmt) == _carried(before, fmt)


def test_names_added_or_changed_between_preview_and_confirmation_are_seen(importer, register):
    """The register's names are matched by a matcher each process keeps between requests
    (universities.matching.NameMatcher.of_register): a name added, an institution renamed,
    are seen by the next check, never an old reading of the register."""
    rows = [AGREEMENT_HEADER, agreement_row(parties="Caspian Technical University; ADA University")]
    preview = importer.preview(csv_bytes(rows))
    assert [item["written"] for item in preview.context["report"].to_settle] == [
        "Caspian Technical University"
    ]
    caspian = f.InstitutionFactory(name="Caspian Technical University", country="AZ")
    assert importer.client.get(importer.preview_url).context["report"].valid
    # Renamed: its old name is no longer one the register records.
    caspian.name = "Caspian Polytechnic"
    caspian.save()
    response = importer.confirm()
    assert response.status_code == 200
    assert [item["written"] for item in response.context["report"].to_settle] == [
        "Caspian Technical University"
    ]
    assert Agreement.objects.count() == 0
    f.InstitutionNameFactory(institution=caspian, name="Каспийский технический университет")
    rows = [
        AGREEMENT_HEADER,
        agreement_row(parties="Каспийский технический университет; ADA University"),
    ]
    importer.preview(csv_bytes(rows))
    assert importer.confirm().status_code == 302
    assert set(Agreement.objects.get().parties.values_list("institution", flat=True)) == {
        caspian.pk,
        register["ada"].pk,
    }


def test_checking_names_costs_the_same_queries_for_4_rows_as_for_60(importer, register):
    """Names in several languages and scripts, each matched in memory: the preview and the
    confirmation of 60 rows query the database no more than those of 4."""
    written = [
        "Al-Farabi Kazakh National University; Baku State University",
        "Казахский национальный университет; ADA University",
        "Khalel Dosmukhamedov Atyrau University; Nakhchivan State University",
        "Baku State University; Khalel Dosmukhamedov Atyrau University",
    ]

    def rows(count: int) -> bytes:
        # One year each, so that none is a duplicate of another.
        years = [1950 + count + i for i in range(count)]
        return csv_bytes(
            [AGREEMENT_HEADER]
            + [
                agreement_row(
                    parties=written[i % 4],
                    **{
                        "signed on": f"{year}-01-01",
                        "valid from": "",
                        "valid until": f"{year}-06-30",
                    },
                )
                for i, year in enumerate(years)
            ]
        )

    queries = {}
    for count in (4, 60):
        with CaptureQueriesContext(connection) as preview:
            importer.preview(rows(count))
        with CaptureQueriesContext(connection) as confirm:
            assert importer.confirm().status_code == 302
        queries[count] = (len(preview), len(confirm))
    assert queries[60] <= queries[4], queries
    assert Agreement.objects.count() == 64
