"""The imports over the API: the same files and report, 200 / 201 / 400, all or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Agreement
from cooperation.roles import ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from mobility.models import MobilityFigure
from tests.base import field_errors, problem
from tests.security.helpers import api_client, make_user

from ..security.helpers import tiny_pdf
from .conftest import (
    AGREEMENT_HEADER,
    MOBILITY_HEADER,
    agreement_row,
    csv_bytes,
    mobility_row,
)

pytestmark = pytest.mark.django_db
FIGURES, AGREEMENTS = "/api/mobility-figures/import/", "/api/agreements/import/"


def post(client, url, data: bytes, name="rows.csv", **fields):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(url, {"file": upload, **fields}, format="multipart")


@pytest.fixture
def editor_api(editor):
    return api_client(editor)


def test_dry_run_then_save(editor_api, source, register):
    data = csv_bytes([MOBILITY_HEADER, mobility_row(source), mobility_row(source, year=2023,
                      **{"as of": ""})])  # fmt: skip
    dry = post(editor_api, FIGURES, data, dry_run="true")
    assert dry.status_code == 200, dry.data
    assert dry.data["summary"] == {"rows": 2, "ok": 2, "unchanged": 0, "ambiguous": 0, "error": 0}
    assert MobilityFigure.objects.count() == 0
    saved = post(editor_api, FIGURES, data)
    assert saved.status_code == 201 and saved.data["created"] == 2
    assert MobilityFigure.objects.count() == 2
    again = post(editor_api, FIGURES, data)
    assert again.status_code == 200 and again.data["summary"]["unchanged"] == 2


def test_row_errors_are_a_400_naming_row_and_column(editor_api, register):
    data = csv_bytes([AGREEMENT_HEADER, agreement_row(), agreement_row(kind="friendship",
                      **{"signed on": "2026-05-01"})])  # fmt: skip
    response = post(editor_api, AGREEMENTS, data)
    assert problem(response, 400)["code"] == "invalid_rows"
    bad = [row for row in response.data["rows"] if row["errors"]]
    assert [row["row"] for row in bad] == [3]
    assert bad[0]["errors"][0]["column"] == "kind"
    assert response.data["rows"][0]["parties"][0]["institution"] == register["kaznu"].pk
    assert Agreement.objects.count() == 0


def test_an_unreadable_file_is_a_400_on_the_file(editor_api):
    response = post(editor_api, FIGURES, tiny_pdf(), "scan.csv")
    assert response.status_code == 400 and "PDF" in field_errors(response)["/file"][0]
    response = editor_api.post(FIGURES, {}, format="multipart")
    assert response.status_code == 400 and "/file" in field_errors(response)


@pytest.mark.parametrize("url", [FIGURES, AGREEMENTS])
def test_who_may_import(url, register):
    data = csv_bytes([AGREEMENT_HEADER, agreement_row()])
    assert post(api_client(None), url, data).status_code == 401
    for role in (ANALYST, UNIVERSITY_EDITOR):
        user = make_user(f"u-{role}", role, institutions=[register["kaznu"]])
        assert post(api_client(user), url, data).status_code == 403
    assert post(api_client(make_user("m", MINISTRY_EDITOR)), url, data).status_code != 403
    assert Agreement.objects.count() <= 1


@pytest.mark.parametrize("event", ["999999", "forum"])
def test_an_unknown_event_is_a_400_on_the_event(editor_api, register, event):
    data = csv_bytes([AGREEMENT_HEADER, agreement_row()])
    response = post(editor_api, AGREEMENTS, data, event=event)
    assert response.status_code == 400
    assert event in field_errors(response)["/event"][0]
    assert Agreement.objects.count() == 0
