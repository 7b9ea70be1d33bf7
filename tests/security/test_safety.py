"""No lost updates, PDF-only uploads, escaped output, health, deploy settings, throttling,
and a dump that restores every row."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from cooperation.models import EditConflict
from cooperation.roles import ANALYST, MINISTRY_EDITOR
from tests import factories as f
from tests.base import problem

from .helpers import admin_form_data, api_client, make_user, tiny_pdf

BASE_DIR = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- lost updates


@pytest.mark.django_db
def test_model_refuses_a_save_from_a_stale_copy():
    agreement = f.AgreementFactory()
    first, second = Agreement.objects.get(pk=agreement.pk), Agreement.objects.get(pk=agreement.pk)
    first.title = "First"
    first.save()
    second.title = "Second"
    with pytest.raises(EditConflict):
        second.save()
    agreement.refresh_from_db()
    assert (agreement.title, agreement.version) == ("First", 2)


@pytest.mark.django_db
def test_second_admin_save_is_refused_with_a_message(admin_client_logged):
    agreement = f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    # Two people open the same form...
    alice = admin_form_data(admin_client_logged.get(url))
    bob = admin_form_data(admin_client_logged.get(url))
    # ...Alice saves first, then Bob.
    assert admin_client_logged.post(url, {**alice, "title": "Alice's title"}).status_code == 302
    response = admin_client_logged.post(url, {**bob, "title": "Bob's title"})
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title == "Alice's title"
    assert agreement.version == 2


@pytest.mark.django_db
def test_second_api_save_is_409_with_version_and_412_with_if_match():
    agreement = f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))
    client = api_client(make_user("editor", MINISTRY_EDITOR))
    read = client.get(f"/api/agreements/{agreement.pk}/")
    etag, version = read.headers["ETag"], read.json()["version"]
    assert etag == client.get(f"/api/agreements/{agreement.pk}/").headers["ETag"]
    first = client.patch(f"/api/agreements/{agreement.pk}/", {"title": "First", "version": version})
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = client.patch(
        f"/api/agreements/{agreement.pk}/", {"title": "Second", "version": version}
    )
    assert problem(second, 409)["code"] == "edit_conflict"
    assert "Someone else saved" in second.json()["detail"]
    third = client.patch(f"/api/agreements/{agreement.pk}/", {"title": "Third"}, HTTP_IF_MATCH=etag)
    assert problem(third, 412)["code"] == "precondition_failed"
    agreement.refresh_from_db()
    assert agreement.title == "First"


# --------------------------------------------------------------------------- documents


@pytest.fixture
def upload_url(db):
    agreement = f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))
    return agreement, reverse("admin:agreements_agreement_change", args=[agreement.pk])


def post_document(client, url, upload):
    data = admin_form_data(client.get(url))
    data["document"] = upload
    return client.post(url, data)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("scan.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf", "not a PDF"),
        ("scan.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "not a PDF"),
        ("scan.pdf", b"%PDF-1.4\n<html>not really</html>", "application/pdf", "damaged"),
        ("scan.html", tiny_pdf(), "text/html", "extension"),
    ],
    ids=["renamed exe", "html named pdf", "broken pdf", "html extension"],
)
def test_non_pdf_uploads_are_refused(
    admin_client_logged, upload_url, name, content, content_type, message
):
    agreement, url = upload_url
    response = post_document(
        admin_client_logged, url, SimpleUploadedFile(name, content, content_type)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    agreement.refresh_from_db()
    assert not agreement.document


def test_huge_upload_is_refused(admin_client_logged, upload_url, settings):
    settings.UNIBRIDGE_MAX_DOCUMENT_BYTES = 1024
    agreement, url = upload_url
    big = tiny_pdf() + b"%" + b"x" * 4096 + b"\n"
    response = post_document(
        admin_client_logged, url, SimpleUploadedFile("scan.pdf", big, "application/pdf")
    )
    assert "documents may be at most" in response.content.decode()
    agreement.refresh_from_db()
    assert not agreement.document


def test_real_pdf_is_stored_outside_static_and_downloadable(
    admin_client_logged, upload_url, settings
):
    agreement, url = upload_url
    response = post_document(
        admin_client_logged,
        url,
        SimpleUploadedFile("Скан договора.pdf", tiny_pdf(), "application/pdf"),
    )
    assert response.status_code == 302, response.content[:500]
    agreement.refresh_from_db()
    path = Path(agreement.document.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.STATIC_ROOT))
    download = admin_client_logged.get(
        reverse("agreements:agreement_document", args=[agreement.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == tiny_pdf()


# --------------------------------------------------------------------------- XSS

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.django_db
def test_payloads_in_names_and_titles_render_escaped_everywhere(admin_client_logged):
    kz = f.InstitutionFactory(name=f"KZ {PAYLOAD}")
    az = f.InstitutionFactory(name=f"AZ {PAYLOAD}", country="AZ", city=PAYLOAD)
    f.InstitutionNameFactory(institution=kz, name=f"Name {PAYLOAD}")
    event = f.EventFactory(title=f"Forum {PAYLOAD}", host_institution=kz)
    agreement = f.agreement_between(kz, az, title=f"Memo {PAYLOAD}", event=event)
    source = f.SourceFactory(title=f"Source {PAYLOAD}", excerpt=PAYLOAD)
    agreement.sources.add(source)
    person = f.PersonFactory(name=f"Person {PAYLOAD}")
    urls = [
        "/",
        reverse("universities:institution_list"),
        reverse("universities:institution_detail", args=[kz.pk]),
        reverse("agreements:agreement_list"),
        reverse("agreements:agreement_detail", args=[agreement.pk]),
        reverse("events:event_list"),
        reverse("events:event_detail", args=[event.pk]),
        reverse("cooperation:source_list"),
        reverse("cooperation:source_detail", args=[source.pk]),
        reverse("accounts:recent_changes"),
        reverse("agreements:import"),
        reverse("mobility:import"),
        reverse("admin:agreements_agreement_changelist"),
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        reverse("admin:agreements_agreement_history", args=[agreement.pk]),
        reverse("admin:agreements_agreement_renew", args=[agreement.pk]),
        reverse("admin:agreements_agreement_terminate", args=[agreement.pk]),
        reverse("admin:universities_institution_changelist"),
        reverse("admin:events_person_change", args=[person.pk]),
    ]
    for url in urls:
        response = admin_client_logged.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
    api = api_client(None).get(f"/api/agreements/{agreement.pk}/")
    assert api.headers["Content-Type"] == "application/json"


# --------------------------------------------------------------------------- recent changes


@pytest.mark.django_db
def test_recent_changes_show_deleted_records_and_filter(admin_client_logged, superuser):
    doomed = f.SourceFactory(title="To be deleted")
    doomed.delete()
    f.InstitutionFactory(name="Kept")
    url = reverse("accounts:recent_changes")
    body = admin_client_logged.get(url).content.decode()
    assert "To be deleted" in body and "deleted" in body and "Kept" in body
    only_sources = admin_client_logged.get(url, {"model": "cooperation.source"}).content.decode()
    assert "Kept" not in only_sources and "To be deleted" in only_sources
    bad = admin_client_logged.get(url, {"since": "2025-02-01", "until": "2025-01-01"})
    assert bad.status_code == 200 and "cannot be before" in bad.content.decode()


@pytest.mark.django_db
def test_recent_changes_need_staff(django_assert_max_num_queries, admin_client_logged):
    url = reverse("accounts:recent_changes")
    client = Client()
    assert client.get(url).status_code == 302
    plain = make_user("plain")
    client.force_login(plain)
    assert client.get(url).status_code == 403
    for index in range(60):
        f.SourceFactory(title=f"Source {index}")
    # Two queries per model (count, top rows) plus the session, user and permissions.
    with django_assert_max_num_queries(60):
        response = admin_client_logged.get(url)
    assert response.context["next_query"]


# --------------------------------------------------------------------------- operations


@pytest.mark.django_db
def test_health_checks_the_database(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        # Without the e2e folder's DJANGO_ALLOW_ASYNC_UNSAFE: a deployment never sets it.
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x9" * 30 + "-production-test-key",
    "ALLOWED_HOSTS": "unibridge.example.org",
    "DEBUG": "1",  # ignored in production
}


def test_check_deploy_is_clean_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_needs_a_secret_key():
    result = run_manage("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


@pytest.mark.django_db
def test_headers_carry_a_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, settings):
    get_user_model().objects.create_user("victim", "v@example.org", "right-password")
    url = reverse("admin:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "victim", "password": "wrong"})
    locked = client.post(url, {"username": "victim", "password": "right-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_api_token_login_is_throttled_too(settings):
    get_user_model().objects.create_user("victim", "v@example.org", "right-password")
    client = api_client(None)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/auth/token/", {"username": "victim", "password": "wrong"})
    response = client.post("/api/auth/token/", {"username": "victim", "password": "right-password"})
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


# --------------------------------------------------------------------------- backups


@pytest.mark.django_db(transaction=True)
def test_dump_restores_every_row_into_an_empty_database(tmp_path):
    kz = f.InstitutionFactory(name="Атырауский университет")
    az = f.InstitutionFactory(name="Baku State University", country="AZ")
    f.InstitutionNameFactory(institution=kz, name="Atyrau University", language="en")
    agreement = f.agreement_between(kz, az, title="Меморандум")
    agreement.sources.add(f.SourceFactory())
    f.MobilityFigureFactory()
    make_user("analyst1", ANALYST)
    dump = tmp_path / "unibridge.json"
    call_command(
        "dumpdata",
        # Primary keys kept (links and URLs stay valid); content types by name, because
        # a fresh database numbers them in its own order.
        "--natural-foreign",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        "--exclude=axes",
        f"--output={dump}",
        stdout=io.StringIO(),
    )
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label not in {"contenttypes", "sessions", "axes"}
        and model._meta.label != "auth.Permission"
        and model._meta.managed
    ]
    before = {
        model._meta.label: sorted(model._default_manager.values_list("pk", flat=True))
        for model in models
    }
    assert sum(len(pks) for pks in before.values()) > 20
    call_command("flush", "--noinput", stdout=io.StringIO())
    # After a flush the post-migrate signal recreates the role groups; the dump has them too.
    from django.contrib.auth.models import Group

    Group.objects.all().delete()
    assert Agreement.objects.count() == 0
    call_command("loaddata", str(dump), stdout=io.StringIO())
    after = {
        model._meta.label: sorted(model._default_manager.values_list("pk", flat=True))
        for model in models
    }
    assert after == before
    restored = Agreement.objects.get(pk=agreement.pk)
    assert restored.title == "Меморандум" and restored.parties.count() == 2
    assert json.loads(dump.read_text())  # a readable JSON file
