"""Edges of the background comparison of an import's names (cooperation.name_searches)
found in review: a kept comparison that cannot be read back, one whose worker saw another
register than the one it is kept for, a page following a comparison whose worker was
stopped, and remembered matches forgotten by a full matcher in the middle of a check."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from cooperation import name_searches
from cooperation.models import JobStatus, NameSearch
from tests import factories as f
from tests.base import run_worker
from universities import matching
from universities.models import InstitutionName

from .conftest import AGREEMENT_HEADER, Importer, agreement_row, another_web_worker, csv_bytes
from .test_name_search import MISSPELLED, NOT_AS_WRITTEN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_matcher")]


@pytest.fixture
def compared_in_request(monkeypatch):
    """The names a request's matcher compares with every name of the register."""
    compared: list[str] = []
    real = matching.NameMatcher._match

    def spy(self, name, *, country, limit):
        found = real(self, name, country=country, limit=limit)
        if name in NOT_AS_WRITTEN or name == "Zzyzx Institute":
            compared.append(name)
        return found

    monkeypatch.setattr(matching.NameMatcher, "_match", spy)
    return compared


@pytest.mark.parametrize(
    "kept",
    [
        {"Nakhchivan": {"query": "Nakhchivan"}},  # no verdict, no candidates
        {"Nakhchivan": ["not", "a", "match"]},
        # A release that adds a field to Candidate reads the day-old searches of the last.
        {"Nakhchivan": {"query": "Nakhchivan", "verdict": "ambiguous", "candidates": [
            {"institution_id": 1, "name": "N", "country": "AZ", "score": 80.0,
             "matched_name": "N", "rank": 1}]}},
    ],
)  # fmt: skip
def test_a_kept_comparison_that_cannot_be_read_back_is_made_again_not_a_500(
    editor_client, tmp_path, register, in_background, kept
):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    run_worker()
    NameSearch.objects.update(matches=kept)
    another_web_worker()
    page = editor_client.get(importer.preview_url)
    assert page.status_code == 200
    assert "3 names of the file are not written" in page.content.decode()
    assert NameSearch.objects.filter(status=JobStatus.QUEUED).count() == 1


def test_matches_made_with_another_registers_names_are_not_kept_for_the_first(
    editor_client, tmp_path, register, in_background
):
    """Asked when the register had no "Zzyzx Institute", compared by the worker after it
    was added: kept for the register without it, they answer once it is removed again."""
    importer = Importer(editor_client, "agreements", tmp_path)
    rows = [AGREEMENT_HEADER, agreement_row(parties="Zzyzx Institute; ADA University")]
    importer.preview(csv_bytes(rows))
    added = f.InstitutionNameFactory(institution=register["atyrau"], name="Zzyzx Institute")
    run_worker()  # the worker's register has the name: the match is sure
    InstitutionName.objects.filter(pk=added.pk).delete()  # the register is as it was
    another_web_worker()
    page = editor_client.get(importer.preview_url)
    report = page.context and page.context.get("report")
    if report is not None:  # the kept matches answered: the name must not be sure
        party = report.rows[0].parties[0]
        assert party.institution_id != register["atyrau"].pk, "a name the register no longer has"


def test_the_page_of_a_comparison_whose_worker_was_stopped_is_told_so(
    editor_client, tmp_path, register, in_background
):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    search = NameSearch.objects.get()
    NameSearch.objects.update(
        status=JobStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    state = editor_client.get(reverse("name_search_status", args=[search.pk])).json()
    # name-search.js reloads the page (which offers "Try again") on "failed" only.
    assert state["status"] == "failed"


def test_matches_remembered_from_the_worker_survive_a_full_matcher_during_the_check(
    editor_client, tmp_path, register, in_background, compared_in_request, monkeypatch
):
    """A long-lived web worker's matcher holds the matches of earlier imports: the worker's
    matches given to it must not be forgotten while the file's other names are matched."""
    monkeypatch.setattr(matching, "MATCHES_KEPT", 8)
    rows = [
        AGREEMENT_HEADER,
        agreement_row(parties="ADA University; Baku State University", kind="cooperation"),
        *MISSPELLED[1:3],
    ]
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(rows))
    run_worker()
    another_web_worker()
    earlier = matching.NameMatcher.of_register()
    for name in ("Baku", "Atyrau", "Almaty", "Nakhchivan State"):  # earlier imports
        earlier.match(name)
    compared_in_request.clear()
    preview = editor_client.get(importer.preview_url)
    assert preview.templates[0].name == "cooperation/import.html"
    assert compared_in_request == []  # the worker compared them; the request must not


def test_an_unknown_or_anothers_search_is_404_in_few_queries(
    editor_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        missing = editor_client.get(
            reverse("name_search_status", args=["00000000-0000-0000-0000-000000000000"])
        )
    assert missing.status_code == 404
    assert editor_client.get("/imports/names/not-a-uuid/").status_code == 404
    assert name_searches.progress_of("00000000-0000-0000-0000-000000000000", None) is None


@pytest.mark.parametrize(
    "item",
    [{"id": "12", "name": "Foo"}, {"id": 12.0}, {"id": "x"}, {"name": None}, "12", " Foo ",
     {"name": " Bar "}, 12, {"id": 12, "name": "Foo"}, {"create": True, "name": "X"}, True],
)  # fmt: skip
def test_the_names_compared_beforehand_are_those_the_check_asks_the_matcher(item):
    from agreements.services import _resolve_party, written_names

    asked = []

    class Recorder:
        def match(self, name):
            asked.append(name)
            return matching.Match(name, matching.UNKNOWN, ())

    _resolve_party(item, Recorder(), {})
    assert written_names([{"parties": [item]}]) == asked


@pytest.mark.parametrize("background", [True, False])
def test_a_nul_in_a_csv_with_a_byte_order_mark_is_refused_not_a_500(
    editor_client, tmp_path, register, settings, background
):
    """csv_bytes writes UTF-8 with a byte order mark (Excel's "CSV UTF-8"), which the scan
    for NUL skipped; the name then reached a NameSearch, and PostgreSQL refuses NUL."""
    settings.UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST = 0 if background else 10**12
    rows = [AGREEMENT_HEADER, agreement_row(parties="Zzyzx\x00 Institute; ADA University")]
    refusal = Importer(editor_client, "agreements", tmp_path).refusal(csv_bytes(rows))
    assert "neither a CSV text" in refusal
    assert not NameSearch.objects.exists()


def test_the_bulk_api_cannot_have_names_compared_in_the_request_by_writing_them_as_ids(
    editor, register, in_background, compared_in_request
):
    """A party {"id": "<text>"} is matched as its text (_resolve_party): the names compared
    beforehand must count it, or a client sends thousands of them past the background."""
    from tests.security.helpers import api_client

    payload = {
        "defaults": {"kind": "memorandum", "signed_on": "2026-04-06"},
        "rows": [{"parties": [{"id": "Zzyzx Institute"}, "ADA University"]}],
        "dry_run": True,
    }
    answer = api_client(editor).post("/api/agreements/bulk/", payload, format="json")
    assert answer.status_code == 202, answer.status_code
    assert compared_in_request == []


def test_a_confirmation_that_meets_a_new_comparison_is_redirected_to_the_page_that_waits(
    editor_client, tmp_path, register, in_background
):
    """The register's names changed between the preview and the confirmation: the names
    are compared again. The page that says so must be a GET, since name-search.js reloads
    it when done (a reload of a POST's answer sends the confirmation again)."""
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    run_worker()
    assert editor_client.get(importer.preview_url).templates[0].name == "cooperation/import.html"
    f.InstitutionNameFactory(institution=register["ada"], name="ADA Universiteti")
    confirmed = importer.confirm()
    assert confirmed.status_code == 302 and confirmed["Location"] == importer.preview_url
    assert "3 names of the file" in editor_client.get(importer.preview_url).content.decode()
    assert Agreement.objects.count() == 0
