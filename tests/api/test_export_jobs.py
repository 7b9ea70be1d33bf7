"""Exports too long for a request are prepared in the background (cooperation.export_jobs,
cooperation.exports.export_plan): the API answers ``202 Accepted`` with the job, the list
page goes to the job's page; the real worker (``manage.py db_worker --batch``) writes the
file, which holds the very bytes the request would have streamed. Past the largest export
built row by row the API answers a 400 naming ``format`` and the page goes back to the list
with the message."""

import datetime
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cooperation import export_jobs
from cooperation.models import ExportJob, ExportJobStatus
from tests.base import field_errors, run_worker
from tests.factories import EventFactory, MobilityFigureFactory

# The job reaches the worker when the request's transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bounds(settings):
    """Three rows are written at once, up to five in the background, more refused; a CSV
    that PostgreSQL writes goes to the background past three rows."""
    settings.UNIBRIDGE_EXPORT_MAX_ROWS = 3
    settings.UNIBRIDGE_EXPORT_JOB_MAX_ROWS = 5
    settings.UNIBRIDGE_EXPORT_SYNC_ROWS = 3


_names = itertools.count()


def a_reader():
    return get_user_model().objects.create_user(f"reader{next(_names)}", password="pw")


def forums(n: int, word: str = "Shusha") -> None:
    for i in range(n):
        EventFactory(title=f"{word} forum {i}")


def immediate(client, path: str, params: dict, settings) -> bytes:
    """The same export written within the request (no bound; on PostgreSQL the events' CSV
    is written by COPY, events.columns)."""
    settings.UNIBRIDGE_EXPORT_MAX_ROWS = settings.UNIBRIDGE_EXPORT_SYNC_ROWS = 0
    response = client.get(path, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_api_export_past_the_bound_is_prepared_in_the_background(bounds, settings, fmt):
    forums(4)
    api = APIClient()
    accepted = api.get("/api/events/", {"format": fmt, "q": "Shusha"})
    assert accepted.status_code == 202
    assert accepted["Content-Type"].startswith("application/json")
    job = accepted.json()
    assert accepted["Location"] == job["url"]
    assert job["status"] == "queued" and job["file_url"] is None
    assert job["filename"].endswith(f".{fmt}") and job["list_name"] == "events"
    # Not ready yet: the file says so.
    assert api.get(job["url"] + "file/").status_code == 409

    run_worker()
    done = api.get(job["url"]).json()
    assert done["status"] == "done", done
    assert done["rows_total"] == 4 and done["rows_done"] == 4 and done["percent"] == 100
    download = api.get(done["file_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{job["filename"]}"'
    body = b"".join(download.streaming_content)
    assert done["size"] == len(body)
    if fmt == "csv":  # XLSX files carry the time they were written
        assert body == immediate(api, "/api/events/", {"format": fmt, "q": "Shusha"}, settings)


def test_the_same_export_asked_again_is_the_same_job_and_others_do_not_see_a_readers_job(bounds):
    forums(4)
    anonymous = APIClient().get("/api/events/", {"format": "csv"}).json()
    again = APIClient().get("/api/events/", {"format": "csv"}).json()
    assert again["id"] == anonymous["id"]  # one file for the public, however many ask
    reader = a_reader()
    signed_in = APIClient()
    signed_in.force_authenticate(reader)
    own = signed_in.get("/api/events/", {"format": "csv"}).json()
    assert own["id"] != anonymous["id"]  # their visibility is the file's
    assert ExportJob.objects.get(pk=own["id"]).user == reader
    run_worker()
    file_url = signed_in.get(own["url"]).json()["file_url"]
    assert signed_in.get(file_url).status_code == 200
    # Neither the public nor another reader reaches it, by API or page.
    for client in (APIClient(), _signed_in_client(a_reader())):
        assert client.get(own["url"]).status_code == 404
        assert client.get(file_url).status_code == 404
        assert client.get(reverse("export_job", args=[own["id"]])).status_code == 404
        assert client.get(reverse("export_job_file", args=[own["id"]])).status_code == 404


def _signed_in_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_past_the_largest_background_export_the_api_says_narrow_the_filters(bounds):
    forums(6)
    response = APIClient().get("/api/events/", {"format": "xlsx"})
    assert response.status_code == 400
    [message] = field_errors(response)["format"]
    assert "more than 5 rows" in message and "XLSX" in message
    assert not ExportJob.objects.exists()


def test_the_list_page_follows_its_export_to_the_file(client, bounds, settings):
    forums(4)
    page = reverse("events:event_list")
    response = client.get(page, {"q": "Shusha", "_export": "csv"})
    assert response.status_code == 303
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_job", args=[job.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert "The file is being prepared." in waiting
    assert "Waiting for the export worker." in waiting
    assert f'href="{page}?q=Shusha"' in waiting  # back to the list, filters kept

    run_worker()
    ready = client.get(response["Location"]).content.decode()
    assert "The file is ready." in ready and "4 rows" in ready
    file_url = reverse("export_job_file", args=[job.pk])
    assert f'href="{file_url}"' in ready
    body = b"".join(client.get(file_url).streaming_content)
    # The page's export, written now, is the same file (its own order and filters).
    assert body == immediate(client, page, {"q": "Shusha", "_export": "csv"}, settings)
    assert len(body.decode("utf-8-sig").strip().splitlines()) == 1 + 4


def test_the_job_page_speaks_the_readers_language(client, bounds):
    forums(4)
    client.cookies["django_language"] = "ru"
    location = client.get(
        reverse("events:event_list"), {"_export": "csv"}, HTTP_ACCEPT_LANGUAGE="ru"
    )["Location"]
    job = ExportJob.objects.get()
    assert job.language == "ru"
    run_worker()
    page = client.get(location, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Файл готов" in page, page


def test_a_job_whose_request_no_longer_answers_fails_with_a_reason(client):
    job = ExportJob.objects.create(
        path="/api/events/",
        query="format=csv&no_such_filter=1",  # a 400 today
        format="csv",
        language="en",
        generation=0,
        list_name="events",
        filename="unibridge-events.csv",
    )
    export_jobs.run(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED
    assert "filters may no longer be valid" in job.error
    page = client.get(job.get_absolute_url()).content.decode()
    assert "The export could not be prepared." in page and "filters may no longer" in page
    assert client.get(reverse("export_job_file", args=[job.pk])).status_code == 404


def test_old_jobs_and_their_files_are_deleted(bounds):
    forums(4)
    job_url = APIClient().get("/api/events/", {"format": "csv"}).json()["url"]
    run_worker()
    job = ExportJob.objects.get()
    path = job.file.path
    assert job.file.storage.exists(job.file.name)
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert export_jobs.prune() == 1
    assert not ExportJob.objects.exists()
    assert not job.file.storage.exists(job.file.name), path
    assert APIClient().get(job_url).status_code == 404


def test_asking_for_a_background_export_costs_few_queries(bounds, django_assert_max_num_queries):
    forums(4)
    with django_assert_max_num_queries(12):
        assert APIClient().get("/api/events/", {"format": "csv"}).status_code == 202


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes this CSV")
def test_a_csv_written_by_postgresql_goes_to_the_background_past_its_own_bound(bounds, settings):
    for year in range(2010, 2015):
        MobilityFigureFactory(year=year)
    api = APIClient()
    job = api.get("/api/mobility-figures/", {"format": "csv"}).json()
    run_worker()
    done = api.get(job["url"]).json()
    assert done["status"] == "done" and done["rows_done"] == 5
    body = b"".join(api.get(done["file_url"]).streaming_content)
    settings.UNIBRIDGE_EXPORT_SYNC_ROWS = 0
    direct = api.get("/api/mobility-figures/", {"format": "csv"})
    assert body == b"".join(direct.streaming_content)
    # The XLSX, built row by row, is not: still refused past its bound with the CSV named.
    settings.UNIBRIDGE_EXPORT_JOB_MAX_ROWS = 3
    xlsx = api.get("/api/mobility-figures/", {"format": "xlsx"})
    [message] = field_errors(xlsx)["format"]
    assert "The CSV export of this list holds every row." in message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes this CSV")
def test_a_refused_xlsx_points_to_the_csv_of_the_same_rows(bounds, client):
    """Past the largest XLSX, page and API both name the CSV of the same filtered rows,
    which holds them all: the page as a link in its message, the API as the address in its
    400; following either starts that export."""
    forums(6)
    forums(2, word="Baku")
    api = APIClient()
    refused = api.get("/api/events/", {"format": "xlsx", "q": "Shusha"})
    assert refused.status_code == 400
    [message] = field_errors(refused)["format"]
    address = message.rsplit(" ", 1)[1]
    assert address.startswith("http://testserver/api/events/?")
    assert "q=Shusha" in address and "format=csv" in address
    job = api.get(address)
    assert job.status_code == 202
    run_worker()
    done = api.get(job.json()["url"]).json()
    assert done["status"] == "done" and done["rows_done"] == 6

    page = client.get("/events/", {"_export": "xlsx", "q": "Shusha"}, follow=True)
    html = page.content.decode()
    assert "These filters select more than 5 rows" in html
    link = re.search(r'<a href="(/events/\?[^"]+)">Export as CSV</a>', html)
    assert link, html
    href = link[1].replace("&amp;", "&")
    assert "q=Shusha" in href and "_export=csv" in href
    answer = client.get(href)
    assert answer.status_code == 303 and answer["Location"].startswith("/exports/")


def test_a_reader_waits_for_their_exports_before_asking_for_more(bounds, settings, client):
    """The worker's time is shared: past UNIBRIDGE_EXPORT_JOBS_WAITING unfinished jobs a
    reader (the public counting as one) is asked to wait: a 429 in the API, the reason on
    the list page. The same export asked again is not a new job and is never refused."""
    settings.UNIBRIDGE_EXPORT_JOBS_WAITING = 2
    forums(4)
    api = APIClient()
    for q in ("forum", "Shusha"):
        assert api.get("/api/events/", {"format": "csv", "q": q}).status_code == 202
    assert api.get("/api/events/", {"format": "csv", "q": "forum"}).status_code == 202
    refused = api.get("/api/events/", {"format": "csv", "q": "Shusha forum"})
    assert refused.status_code == 429
    assert "try again in a few minutes" in refused.json()["detail"]
    page = reverse("events:event_list")
    back = client.get(page, {"q": "Shusha forum", "_export": "csv"})
    assert back.status_code == 303 and back["Location"] == f"{page}?q=Shusha+forum"
    assert "try again in a few minutes" in client.get(back["Location"]).content.decode()
    # A signed-in reader has their own share.
    assert (
        _signed_in_client(a_reader())
        .get("/api/events/", {"format": "csv", "q": "Shusha forum"})
        .status_code
        == 202
    )
    run_worker()  # once the worker is through, the public may ask again
    assert api.get("/api/events/", {"format": "csv", "q": "Shusha forum"}).status_code == 202


def test_a_job_whose_worker_stopped_mid_way_is_given_up_and_asked_anew(bounds):
    forums(4)
    api = APIClient()
    first = api.get("/api/events/", {"format": "csv"}).json()
    ExportJob.objects.filter(pk=first["id"]).update(
        status=ExportJobStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    again = api.get("/api/events/", {"format": "csv"}).json()
    assert again["id"] != first["id"] and again["status"] == "queued"
    given_up = api.get(first["url"]).json()
    assert given_up["status"] == "failed" and "interrupted" in given_up["error"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes this CSV")
def test_a_directory_csv_counted_live_for_every_row_goes_to_the_background_sooner(bounds, settings):
    """A university editor's counts are not kept ready: PostgreSQL counts them for every
    row (41 s for the whole directory at size L), so their CSV goes to the background past
    UNIBRIDGE_EXPORT_MAX_ROWS, where an analyst's (read from the kept counts) is streamed."""
    from accounts.services import users_assign_role
    from cooperation.roles import UNIVERSITY_EDITOR
    from tests.factories import InstitutionFactory

    settings.UNIBRIDGE_EXPORT_SYNC_ROWS = 100
    own = InstitutionFactory()
    for _ in range(4):
        InstitutionFactory()
    editor, analyst = a_reader(), a_reader()
    users_assign_role(user=editor, role=UNIVERSITY_EDITOR, institutions=[own])
    users_assign_role(user=analyst, role="analyst", institutions=[])
    as_editor = _signed_in_client(editor).get("/api/institutions/", {"format": "csv"})
    assert as_editor.status_code == 202
    as_analyst = _signed_in_client(analyst).get("/api/institutions/", {"format": "csv"})
    assert as_analyst.status_code == 200
