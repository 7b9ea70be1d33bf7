"""Who may import: ministry editors and administrators; everyone else is refused, and an
upload waiting for confirmation belongs to the user who made it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from cooperation.roles import ADMINISTRATOR, ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from tests.security.helpers import make_user

from .conftest import AGREEMENT_HEADER, Importer, agreement_row, csv_bytes

pytestmark = pytest.mark.django_db
URLS = [
    ("agreements:import", ()),
    ("agreements:import_export", ()),
    ("agreements:import_preview", ("token",)),
    ("mobility:import", ()),
    ("mobility:import_preview", ("token",)),
]


def client_for(role, institutions=()) -> Client:
    client = Client()
    user = make_user(f"user-{role or 'none'}", role, institutions=institutions)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "args"), URLS)
def test_signed_out_visitors_are_sent_to_log_in(name, args):
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


@pytest.mark.parametrize("role", [None, ANALYST, UNIVERSITY_EDITOR])
@pytest.mark.parametrize(("name", "args"), URLS)
def test_other_roles_are_refused(role, name, args, register):
    client = client_for(role, institutions=[register["kaznu"]])
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize("role", [MINISTRY_EDITOR, ADMINISTRATOR])
def test_editors_import_and_see_the_links(role, register, tmp_path):
    client = client_for(role)
    register_page = client.get(reverse("agreements:agreement_list")).content.decode()
    assert 'href="/agreements/import/"' in register_page
    explorer = client.get(reverse("mobility:mobility_explorer")).content.decode()
    assert 'href="/mobility/import/"' in explorer
    importer = Importer(client, "agreements", tmp_path)
    importer.preview(csv_bytes([AGREEMENT_HEADER, agreement_row()]))
    assert importer.confirm().status_code == 302
    assert Agreement.objects.count() == 1


def test_templates_hold_no_data_and_are_open_to_anyone():
    # An analyst may prepare a file for an editor to import.
    for kind in ("agreements", "mobility"):
        response = Client().get(reverse(f"{kind}:import_template", args=["xlsx"]))
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'unibridge-{kind}-template.xlsx"')


def test_no_import_link_for_readers(register):
    for role in (ANALYST, UNIVERSITY_EDITOR):
        page = client_for(role, institutions=[register["kaznu"]]).get("/agreements/")
        assert "/import/" not in page.content.decode()


def test_an_upload_waiting_for_confirmation_is_only_its_uploaders(editor_client, tmp_path):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes([AGREEMENT_HEADER, agreement_row()]))
    other = client_for(MINISTRY_EDITOR)
    response = other.post(importer.preview_url, {"action": "confirm"})
    assert response.status_code == 302 and response.headers["Location"] == "/agreements/import/"
    assert Agreement.objects.count() == 0
    # Nor is it an upload of the other kind.
    url = importer.preview_url.replace("/agreements/", "/mobility/")
    assert editor_client.get(url).status_code == 302


def test_stale_uploads_are_deleted(editor_client, tmp_path, settings):
    importer = Importer(editor_client, "agreements", tmp_path)
    importer.preview(csv_bytes([AGREEMENT_HEADER, agreement_row()]))
    pending = list((settings.MEDIA_ROOT / "imports").iterdir())
    assert len(pending) == 1
    settings.UNIBRIDGE_IMPORT_PENDING_SECONDS = -1
    assert importer.client.get(importer.preview_url).status_code == 302
    importer.upload(b"not,a\nfile")  # any upload purges what nobody confirmed in time
    assert not pending[0].exists()
