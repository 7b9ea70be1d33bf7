"""POST /api/agreements/{id}/renew/ and /terminate/."""

from __future__ import annotations

import datetime

import pytest

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from cooperation.roles import ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from tests import factories as f
from tests.base import field_errors
from tests.security.helpers import api_client, make_user

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def kz():
    return f.InstitutionFactory(name="Al-Farabi Kazakh National University")


@pytest.fixture
def az():
    return f.InstitutionFactory(name="Baku State University", country="AZ", city="Baku")


@pytest.fixture
def agreement(kz, az):
    return f.agreement_between(
        kz, az, signed_on=D(2020, 5, 1), valid_from=D(2020, 5, 1), valid_until=D(2025, 4, 30)
    )


@pytest.fixture
def ministry():
    return api_client(make_user("ministry", MINISTRY_EDITOR))


def renew_url(agreement) -> str:
    return f"/api/agreements/{agreement.pk}/renew/"


def terminate_url(agreement) -> str:
    return f"/api/agreements/{agreement.pk}/terminate/"


def test_renew_answers_201_with_the_new_agreement(ministry, agreement, kz, az):
    response = ministry.post(
        renew_url(agreement),
        {"valid_from": "2025-05-01", "valid_until": "2030-04-30", "title": "Renewed", "version": 1},
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert data["renews"] == agreement.pk and data["title"] == "Renewed"
    assert data["valid_from"] == "2025-05-01" and data["status"] == "signed"
    assert [party["institution"] for party in data["parties"]] == [kz.pk, az.pk]
    assert response["Location"].endswith(f"/api/agreements/{data['id']}/")
    # The ETag of the new agreement's representation, as a read of it gives.
    assert response["ETag"] == ministry.get(f"/api/agreements/{data['id']}/")["ETag"]
    detail = ministry.get(f"/api/agreements/{agreement.pk}/").data
    assert detail["version"] == 1  # the original is not changed


def test_renew_bad_input_is_400_by_field(ministry, agreement):
    cases = [
        ({}, "valid_from"),
        ({"valid_from": "yesterday"}, "valid_from"),
        ({"valid_from": "2019-01-01"}, "valid_from"),
        ({"valid_from": "2025-05-01", "valid_until": "2025-01-01"}, "valid_until"),
        ({"valid_from": "2025-05-01", "status": "terminated"}, "status"),
        ({"valid_from": "2025-05-01", "title": "x" * 501}, "title"),
        ({"valid_from": "2025-05-01", "version": 0}, "version"),
        ({"valid_from": "2025-05-01", "signed_on": "2019-12-31"}, "signed_on"),
    ]
    for payload, field in cases:
        response = ministry.post(renew_url(agreement), payload)
        assert response.status_code == 400, (payload, response.data)
        assert f"/{field}" in field_errors(response), (payload, response.data)
    assert Agreement.objects.count() == 1


def test_renew_conflicts_are_409(ministry, agreement, kz, az):
    stale = ministry.post(renew_url(agreement), {"valid_from": "2025-05-01", "version": 3})
    assert stale.status_code == 409 and stale.data["code"] == "edit_conflict"
    if_match = ministry.post(
        renew_url(agreement), {"valid_from": "2025-05-01"}, HTTP_IF_MATCH='"3"'
    )
    assert if_match.status_code == 412
    draft = f.agreement_between(kz, az, status=AgreementStatus.DRAFT, signed_on=None)
    refused = ministry.post(renew_url(draft), {"valid_from": "2025-05-01"})
    assert refused.status_code == 409 and refused.data["code"] == "draft"
    assert Agreement.objects.count() == 2
    ok = ministry.post(renew_url(agreement), {"valid_from": "2025-05-01"})
    assert ok.status_code == 201
    twice = ministry.post(renew_url(agreement), {"valid_from": "2026-05-01"})
    assert twice.status_code == 400 and "already renewed" in field_errors(twice)["/valid_from"][0]


def test_terminate(ministry, agreement):
    response = ministry.post(
        terminate_url(agreement), {"terminated_on": "2023-09-01", "reason": "Withdrawn"}
    )
    assert response.status_code == 200, response.data
    assert response.data["status"] == "terminated"
    assert response.data["terminated_on"] == "2023-09-01"
    assert response.data["termination_reason"] == "Withdrawn"
    assert response.data["version"] == 2
    assert response["ETag"] == ministry.get(f"/api/agreements/{agreement.pk}/")["ETag"]
    again = ministry.post(
        terminate_url(agreement), {"terminated_on": "2023-09-02", "reason": "Again"}
    )
    assert again.status_code == 409 and again.data["code"] == "already_terminated"
    renew = ministry.post(renew_url(agreement), {"valid_from": "2025-05-01"})
    assert renew.status_code == 409 and renew.data["code"] == "terminated"


def test_terminate_bad_input_is_400_by_field(ministry, agreement):
    future = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    cases = [
        ({"reason": "x"}, "terminated_on"),
        ({"terminated_on": "2023-09-01"}, "reason"),
        ({"terminated_on": "2023-09-01", "reason": "   "}, "reason"),
        ({"terminated_on": "2019-09-01", "reason": "x"}, "terminated_on"),
        ({"terminated_on": "2026-09-01", "reason": "x"}, "terminated_on"),
        ({"terminated_on": future, "reason": "x"}, "terminated_on"),
        ({"terminated_on": "2023-09-01", "reason": "x\x00"}, "reason"),
    ]
    for payload, field in cases:
        response = ministry.post(terminate_url(agreement), payload)
        assert response.status_code == 400, (payload, response.data)
        assert f"/{field}" in field_errors(response), (payload, response.data)
    stale = ministry.post(
        terminate_url(agreement), {"terminated_on": "2023-09-01", "reason": "x", "version": 5}
    )
    assert stale.status_code == 409 and stale.data["code"] == "edit_conflict"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED and agreement.version == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), (None, 403), (ANALYST, 403), (UNIVERSITY_EDITOR, 403)],
)
def test_roles_without_permission_are_refused(agreement, kz, role, expected):
    client = api_client(make_user("someone", role, institutions=[kz]))
    renew = client.post(renew_url(agreement), {"valid_from": "2025-05-01"})
    terminate = client.post(
        terminate_url(agreement), {"terminated_on": "2023-01-01", "reason": "x"}
    )
    assert (renew.status_code, terminate.status_code) == (expected, expected)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED and Agreement.objects.count() == 1


def test_unknown_agreement_is_404(ministry):
    assert (
        ministry.post("/api/agreements/999999/renew/", {"valid_from": "2025-05-01"}).status_code
        == 404
    )


def test_schema_documents_the_actions(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    renew = schema["paths"]["/api/agreements/{id}/renew/"]["post"]
    terminate = schema["paths"]["/api/agreements/{id}/terminate/"]["post"]
    assert {"201", "400", "403", "409", "412"} <= set(renew["responses"])
    assert {"200", "400", "403", "409"} <= set(terminate["responses"])
    body = renew["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("AgreementRenewRequest")
    component = schema["components"]["schemas"]["AgreementTerminateRequest"]
    assert set(component["required"]) == {"terminated_on", "reason"}
