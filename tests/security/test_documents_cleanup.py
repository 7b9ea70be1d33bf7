"""A replaced, cleared or orphaned signed scan leaves the disk once the change commits.

Real files in a temporary MEDIA_ROOT (tests/conftest.py), written through the admin and
deleted through the admin and the API; history pages of a version whose scan is gone
still open (agreements/documents.py says why the old scans are not kept for history).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from agreements.models import Agreement
from cooperation.roles import MINISTRY_EDITOR
from tests import factories as f

from .helpers import admin_form_data, api_client, make_user, tiny_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "scans"
    return f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the request leaves for after the commit (tests run inside a transaction)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def stored(agreement: Agreement) -> Path:
    agreement.refresh_from_db()
    return Path(agreement.document.path)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(), "application/pdf")


def admin_save(client, agreement: Agreement, **changes):
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = {**admin_form_data(client.get(url)), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:1000]
    return response


def test_replaced_scan_is_deleted_and_the_new_one_kept(admin_client_logged, agreement, on_commit):
    on_commit(lambda: admin_save(admin_client_logged, agreement, document=pdf("first.pdf")))
    first = stored(agreement)
    assert first.is_file()
    on_commit(lambda: admin_save(admin_client_logged, agreement, document=pdf("second.pdf")))
    second = stored(agreement)
    assert second.is_file() and second != first
    assert not first.exists()
    download = admin_client_logged.get(
        reverse("agreements:agreement_document", args=[agreement.pk])
    )
    assert b"".join(download.streaming_content) == tiny_pdf()


def test_cleared_scan_is_deleted(admin_client_logged, agreement, on_commit):
    on_commit(lambda: admin_save(admin_client_logged, agreement, document=pdf("scan.pdf")))
    path = stored(agreement)
    on_commit(lambda: admin_save(admin_client_logged, agreement, **{"document-clear": "on"}))
    agreement.refresh_from_db()
    assert not agreement.document
    assert not path.exists()


def test_saving_other_fields_keeps_the_scan(admin_client_logged, agreement, on_commit):
    agreement.document.save("scan.pdf", ContentFile(tiny_pdf()))
    path = stored(agreement)
    on_commit(lambda: admin_save(admin_client_logged, agreement, title="Renamed"))
    assert stored(agreement) == path and path.is_file()


def test_admin_delete_removes_the_scan(admin_client_logged, agreement, on_commit):
    agreement.document.save("scan.pdf", ContentFile(tiny_pdf()))
    path = stored(agreement)
    url = reverse("admin:agreements_agreement_delete", args=[agreement.pk])
    response = on_commit(lambda: admin_client_logged.post(url, {"post": "yes"}))
    assert response.status_code == 302
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not path.exists()


def test_api_delete_removes_the_scan(agreement, on_commit):
    agreement.document.save("scan.pdf", ContentFile(tiny_pdf()))
    path = stored(agreement)
    client = api_client(make_user("ministry", MINISTRY_EDITOR))
    response = on_commit(lambda: client.delete(f"/api/agreements/{agreement.pk}/"))
    assert response.status_code == 204
    assert not path.exists()


def test_a_rolled_back_replacement_keeps_the_old_scan(agreement, on_commit):
    agreement.document.save("scan.pdf", ContentFile(tiny_pdf()))
    path = stored(agreement)

    def replace_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            agreement.document.save("other.pdf", ContentFile(tiny_pdf()))
            raise RuntimeError("the rest of the save failed")

    on_commit(replace_then_fail)
    assert path.is_file()


def test_a_scan_another_agreement_names_is_kept(agreement, on_commit):
    agreement.document.save("shared.pdf", ContentFile(tiny_pdf()))
    path = stored(agreement)
    other = f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))
    Agreement.objects.filter(pk=other.pk).update(document=agreement.document.name)
    on_commit(agreement.delete)
    assert path.is_file()


def test_history_of_a_replaced_scan_still_opens(admin_client_logged, agreement, on_commit):
    on_commit(lambda: admin_save(admin_client_logged, agreement, document=pdf("first.pdf")))
    first = stored(agreement)
    on_commit(lambda: admin_save(admin_client_logged, agreement, document=pdf("second.pdf")))
    assert not first.exists()
    old = agreement.history.filter(document=f"agreements/{first.parent.name}/{first.name}")
    version = old.latest("history_date")
    history = admin_client_logged.get(
        reverse("admin:agreements_agreement_history", args=[agreement.pk])
    )
    assert history.status_code == 200
    form = admin_client_logged.get(
        reverse(
            "admin:agreements_agreement_simple_history",
            args=[agreement.pk, version.history_id],
        )
    )
    assert form.status_code == 200
    assert first.name in form.content.decode()
    page = admin_client_logged.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    assert page.status_code == 200
