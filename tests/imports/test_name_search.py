"""An import's names that the register does not record as written are compared with the
register by the background worker when they are many (cooperation.name_searches): the
page shows how far it has got, the API answers 202 until the same file sent again can be
answered, and the preview or report that follows is the one the request would have made
itself. The real worker (``manage.py db_worker --batch``) does the work; "another web
worker" is the process's matcher forgotten, so that only what the search kept can answer."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from cooperation.models import JobStatus, NameSearch
from cooperation.roles import MINISTRY_EDITOR
from mobility.models import MobilityFigure
from tests import factories as f
from tests.base import run_worker
from tests.security.helpers import api_client, make_user
from universities import matching

from .conftest import (
    AGREEMENT_HEADER,
    MOBILITY_HEADER,
    Importer,
    agreement_row,
    another_web_worker,
    csv_bytes,
    mobility_row,
)

# The search reaches the worker when the request's transaction commits, as in production.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_matcher")]

MISSPELLED = [
    AGREEMENT_HEADER,
    agreement_row(
        parties="Al-Farabi Kazakh Nationl University; Khalel Dosmuhamedov Atyrau University"
    ),
    agreement_row(parties="Nakhchivan; ADA University", kind="exchange"),
    agreement_row(parties="ADA University; Baku State University", kind="cooperation"),
]  # fmt: skip
NOT_AS_WRITTEN = {
    "Al-Farabi Kazakh Nationl University",
    "Khalel Dosmuhamedov Atyrau University",
    "Nakhchivan",
}


def preview_summary(report) -> dict:
    """What a person reads in a preview: each row's status and parties, the names to settle
    with their candidates."""
    return {
        "rows": [
            (
                row.number,
                row.status,
                [(p.written, p.institution_id, p.verdict) for p in row.parties],
            )
            for row in report.rows
        ],
        "settle": [
            (item["written"], [(c.institution_id, c.score) for c in item["candidates"]])
            for item in report.to_settle
        ],
    }


@pytest.fixture
def expected(editor_client, tmp_path, register):
    """The preview the request makes itself when the names are few."""
    preview = Importer(editor_client, "agreements", tmp_path).preview(csv_bytes(MISSPELLED))
    assert preview.templates[0].name == "cooperation/import.html"
    another_web_worker()
    return preview_summary(preview.context["report"])


def test_misspelled_names_are_compared_in_the_background_then_previewed_as_at_once(
    expected, editor_client, editor, tmp_path, in_background, django_assert_max_num_queries
):
    importer = Importer(editor_client, "agreements", tmp_path)
    waiting = importer.preview(csv_bytes(MISSPELLED), "forum.csv")
    assert waiting.status_code == 200
    body = waiting.content.decode()
    assert "3 names of the file are not written as the register records them." in body
    assert 'id="name-search-progress"' in body and "Waiting for the background worker." in body
    search = NameSearch.objects.get()
    assert set(search.names) == NOT_AS_WRITTEN
    assert (search.status, search.user) == (JobStatus.QUEUED, editor)

    # The page follows it; nobody else may.
    status_url = reverse("name_search_status", args=[search.pk])
    assert editor_client.get(status_url).json() == {
        "status": "queued", "done": 0, "total": 3, "percent": 0, "stalled": False}  # fmt: skip
    other = Client()
    other.force_login(make_user("other", MINISTRY_EDITOR))
    assert other.get(status_url).status_code == 404
    assert Client().get(status_url).status_code == 404

    # Asked again (another worker, a confirmation): the same search, nothing saved.
    another_web_worker()
    with django_assert_max_num_queries(12):
        again = editor_client.get(importer.preview_url)
    assert "3 names of the file" in again.content.decode()
    assert importer.confirm()["Location"] == importer.preview_url  # to the page that waits
    assert NameSearch.objects.count() == 1 and Agreement.objects.count() == 0

    run_worker()
    search.refresh_from_db()
    assert (search.status, search.done, search.percent) == (JobStatus.DONE, 3, 100)
    assert editor_client.get(status_url).json()["status"] == "done"
    another_web_worker()
    preview = editor_client.get(importer.preview_url)
    assert preview.templates[0].name == "cooperation/import.html"
    assert preview_summary(preview.context["report"]) == expected
    assert NameSearch.objects.count() == 1

    # Settled and confirmed like any preview.
    report = preview.context["report"]
    nakhchivan = next(item for item in report.to_settle if item["written"] == "Nakhchivan")
    done = importer.confirm(
        **{nakhchivan["field"]: str(nakhchivan["candidates"][0].institution_id)}
    )
    assert done.status_code == 302
    assert Agreement.objects.count() == 3


def test_a_change_to_the_registers_names_compares_them_again(
    editor_client, tmp_path, register, in_background
):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    run_worker()
    assert editor_client.get(importer.preview_url).templates[0].name == "cooperation/import.html"
    f.InstitutionNameFactory(
        institution=register["atyrau"], name="Khalel Dosmuhamedov Atyrau University"
    )
    waiting = editor_client.get(importer.preview_url)
    assert "2 names of the file are not written" in waiting.content.decode()
    assert NameSearch.objects.count() == 2


def test_an_interrupted_comparison_is_said_and_tried_again(
    editor_client, tmp_path, register, in_background
):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    NameSearch.objects.update(
        status=JobStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    failed = editor_client.get(importer.preview_url)
    body = failed.content.decode()
    assert "The names could not be compared with the register." in body
    assert "interrupted before it finished" in body and 'value="retry"' in body
    retried = editor_client.post(importer.preview_url, {"action": "retry"})
    assert retried.status_code == 302
    assert NameSearch.objects.filter(status=JobStatus.QUEUED).count() == 1
    run_worker()
    preview = editor_client.get(importer.preview_url)
    assert preview.context["report"].counts["ok"] == 2


def test_a_stalled_comparison_says_no_worker_took_it(
    editor_client, tmp_path, register, in_background
):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    NameSearch.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    page = editor_client.get(importer.preview_url).content.decode()
    assert "No background worker has taken this work for more than a minute." in page
    assert 'id="name-search-stalled" hidden' not in page


def test_the_api_answers_202_until_the_names_are_compared(
    editor, register, settings, in_background
):
    def post(**fields):
        upload = SimpleUploadedFile("rows.csv", csv_bytes(rows), content_type="text/csv")
        return client.post("/api/agreements/import/", {"file": upload, **fields}, "multipart")

    client = api_client(editor)
    rows = [MISSPELLED[0], MISSPELLED[1], MISSPELLED[3]]  # the names all sure once compared
    settings.UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST = 10**12
    expected = post(dry_run="true")
    assert expected.status_code == 200, expected.content
    another_web_worker()

    settings.UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST = 0
    accepted = post(dry_run="true")
    assert accepted.status_code == 202
    assert accepted.headers["Retry-After"] == "5"
    body = accepted.json()
    assert (body["status"], body["names"], body["names_compared"]) == ("queued", 2, 0)
    assert "send the same request again" in body["detail"]
    assert post().status_code == 202 and NameSearch.objects.count() == 1

    run_worker()
    another_web_worker()
    checked = post(dry_run="true")
    assert checked.status_code == 200
    assert checked.json() == expected.json()
    saved = post()
    assert saved.status_code == 201 and Agreement.objects.count() == 2


def test_a_figure_import_compares_its_institutions_names_too(
    editor_client, tmp_path, source, register, in_background
):
    data = csv_bytes(
        [
            MOBILITY_HEADER,
            mobility_row(source, **{"home institution": "Khalel Dosmuhamedov Atyrau University"}),
            mobility_row(
                source, year=2023, **{"as of": "", "host institution": str(register["kaznu"].pk)}
            ),
        ]
    )
    importer = Importer(editor_client, "mobility", tmp_path)
    waiting = importer.preview(data)
    assert "1 name of the file is not written as the register records it." in (
        waiting.content.decode()
    )
    assert NameSearch.objects.get().names == ["Khalel Dosmuhamedov Atyrau University"]
    run_worker()
    another_web_worker()
    preview = editor_client.get(importer.preview_url)
    assert preview.context["report"].valid
    assert importer.confirm().status_code == 302
    assert MobilityFigure.objects.filter(home_institution=register["atyrau"]).count() == 1


def test_few_names_are_compared_within_the_request(editor_client, tmp_path, register):
    preview = Importer(editor_client, "agreements", tmp_path).preview(csv_bytes(MISSPELLED))
    assert preview.templates[0].name == "cooperation/import.html"
    assert not NameSearch.objects.exists()


def test_two_people_importing_the_same_names_each_follow_their_own_until_one_is_done(
    editor_client, tmp_path, register, in_background
):
    first = Importer(editor_client, "agreements", tmp_path)
    first.preview(csv_bytes(MISSPELLED))
    colleague = Client()
    colleague.force_login(make_user("colleague", MINISTRY_EDITOR))
    second = Importer(colleague, "agreements", tmp_path)
    waiting = second.preview(csv_bytes(MISSPELLED))
    theirs = NameSearch.objects.get(user__username="colleague")
    assert colleague.get(reverse("name_search_status", args=[theirs.pk])).status_code == 200
    assert "3 names of the file" in waiting.content.decode()

    run_worker()
    another_web_worker()
    assert colleague.get(second.preview_url).context["report"].counts["ok"] == 2
    third = Importer(colleague, "agreements", tmp_path)
    assert third.preview(csv_bytes(MISSPELLED)).context["report"].counts["ok"] == 2
    assert NameSearch.objects.count() == 2


SESSION_LINES = (
    "Al-Farabi Kazakh Nationl University;Khalel Dosmuhamedov Atyrau University;;exchange;"
    "2026-04-06;2031-04-05\n"
    "ADA University;Baku State University;;memorandum;2026-04-06;2031-04-05"
)


def test_a_signing_session_waits_for_its_names_then_is_checked_as_at_once(
    editor_client, register, settings, in_background
):
    event = f.EventFactory()
    form = {
        "event": event.pk,
        "new_event_kind": "forum",
        "kind": "memorandum",
        "rows": SESSION_LINES,
        "check": "1",
    }
    url = reverse("agreements:signing_session")
    waiting = editor_client.post(url, form)
    body = waiting.content.decode()
    assert "2 names of these lines are not written as the register records them." in body
    assert 'data-resubmit="session-form"' in body and "js/name-search.js" in body
    # The lines stay in the form, to be sent again once the names are compared.
    assert "Al-Farabi Kazakh Nationl University;Khalel" in body
    assert waiting.context["form"]["rows"].value() == SESSION_LINES
    assert NameSearch.objects.get().total == 2 and Agreement.objects.count() == 0

    run_worker()
    another_web_worker()
    checked = editor_client.post(url, form)
    assert "search" not in checked.context
    assert checked.context["result"].valid
    parties = [p.institution_id for p in checked.context["result"].rows[0].parties]
    assert parties == [register["kaznu"].pk, register["atyrau"].pk]
    saved = editor_client.post(url, {**form, "save": "1"})
    assert saved.status_code == 302 and Agreement.objects.count() == 2


def test_the_bulk_api_answers_202_until_the_names_are_compared(editor, register, in_background):
    client = api_client(editor)
    payload = {
        "defaults": {"kind": "memorandum", "signed_on": "2026-04-06"},
        "rows": [
            {"parties": ["Al-Farabi Kazakh Nationl University", "ADA University"]},
            {"parties": ["Khalel Dosmuhamedov Atyrau University", "Baku State University"]},
        ],
        "dry_run": True,
    }
    accepted = client.post("/api/agreements/bulk/", payload, format="json")
    assert accepted.status_code == 202 and accepted.headers["Retry-After"] == "5"
    assert accepted.json()["names"] == 2
    run_worker()
    another_web_worker()
    checked = client.post("/api/agreements/bulk/", payload, format="json")
    assert checked.status_code == 200, checked.json()
    assert [row["parties"][0]["institution"] for row in checked.json()["rows"]] == [
        register["kaznu"].pk,
        register["atyrau"].pk,
    ]


def test_too_many_comparisons_under_way_are_refused_with_a_message(
    editor, editor_client, tmp_path, register, settings, in_background
):
    settings.UNIBRIDGE_NAME_SEARCHES_WAITING = 1
    Importer(editor_client, "agreements", tmp_path).preview(csv_bytes(MISSPELLED))
    other_names = [MISSPELLED[0], agreement_row(parties="Nakhchivan; Baku Stat University")]
    busy = Importer(editor_client, "agreements", tmp_path).preview(csv_bytes(other_names))
    body = busy.content.decode()
    assert "The names of the file cannot be compared yet." in body
    assert "1 of your comparisons of names are still being made" in body
    upload = SimpleUploadedFile("rows.csv", csv_bytes(other_names), content_type="text/csv")
    refused = api_client(editor).post(
        "/api/agreements/import/", {"file": upload, "dry_run": "true"}, "multipart"
    )
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.json()["code"] == "names_busy"
    assert NameSearch.objects.count() == 1

    run_worker()  # the first is done: the second may start
    assert "2 names of the file" in editor_client.get(busy.wsgi_request.path).content.decode()


def test_a_failed_comparison_is_said_to_the_api_then_made_again_later(
    editor, register, in_background
):
    client = api_client(editor)

    def post():
        upload = SimpleUploadedFile("rows.csv", csv_bytes(MISSPELLED), content_type="text/csv")
        return client.post(
            "/api/agreements/import/", {"file": upload, "dry_run": "true"}, "multipart"
        )

    assert post().status_code == 202
    NameSearch.fail(NameSearch.objects.get().pk, "The worker ran out of memory.")
    failed = post()
    assert failed.status_code == 503 and failed.json()["code"] == "names_failed"
    assert failed.json()["detail"] == "The worker ran out of memory."
    assert 290 <= int(failed.headers["Retry-After"]) <= 301
    assert NameSearch.objects.count() == 1  # sending again does not start it again at once
    NameSearch.objects.update(finished_at=timezone.now() - datetime.timedelta(minutes=6))
    assert post().status_code == 202 and NameSearch.objects.count() == 2


def test_a_long_comparison_that_progresses_is_not_taken_for_interrupted(
    editor_client, tmp_path, register, in_background
):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    search = NameSearch.objects.get()
    NameSearch.objects.update(
        status=JobStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    NameSearch.progress(search.pk, done=2)  # the worker, a second ago
    page = editor_client.get(importer.preview_url).content.decode()
    assert "Names compared: 2 of 3." in page
    assert editor_client.get(reverse("name_search_status", args=[search.pk])).json()["status"] == (
        "running"
    )
    # Silent for longer than a worker ever is: its worker was stopped.
    NameSearch.objects.update(progressed_at=timezone.now() - datetime.timedelta(minutes=11))
    assert (
        "interrupted before it finished" in editor_client.get(importer.preview_url).content.decode()
    )


def test_a_new_edition_of_the_matching_rules_compares_the_names_again(
    editor_client, tmp_path, register, in_background, monkeypatch
):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes(MISSPELLED))
    run_worker()
    another_web_worker()
    assert editor_client.get(importer.preview_url).templates[0].name == "cooperation/import.html"
    monkeypatch.setattr(matching, "RULES_EDITION", matching.RULES_EDITION + 1)
    another_web_worker()
    assert "3 names of the file" in editor_client.get(importer.preview_url).content.decode()
    assert NameSearch.objects.count() == 2
