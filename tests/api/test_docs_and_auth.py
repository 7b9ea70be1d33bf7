import re

import pytest
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from rest_framework.test import APIClient

from cooperation.models import Source
from tests.base import token_client, user_with_permissions
from tests.factories import AgreementFactory

RESOURCES = (
    "institutions",
    "people",
    "events",
    "agreements",
    "scholarships",
    "mobility-figures",
    "stated-figures",
    "sources",
)


@pytest.mark.django_db
class TestSchema:
    def schema(self) -> dict:
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        return response.json()

    def test_every_resource_and_aggregate_is_described(self):
        paths = self.schema()["paths"]
        for resource in RESOURCES:
            assert set(paths[f"/api/{resource}/"]) >= {"get", "post"}
            assert set(paths[f"/api/{resource}/{{id}}/"]) >= {"get", "put", "patch", "delete"}
        assert "get" in paths["/api/mobility-figures/totals/"]
        assert "get" in paths["/api/agreements/stats/"]

    def test_filters_formats_and_errors_are_described(self):
        operation = self.schema()["paths"]["/api/agreements/"]["get"]
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        for name in ("q", "partner_country", "signed_after", "valid_until_before", "event_id"):
            assert name in parameters
        assert parameters["format"]["schema"]["enum"] == ["csv", "json", "xlsx"]
        assert parameters["institution_id"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 2**63 - 1,
        }
        content = operation["responses"]["200"]["content"]
        assert set(content) == {
            "application/json",
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
        assert "400" in operation["responses"]
        totals = self.schema()["paths"]["/api/mobility-figures/totals/"]["get"]
        names = {parameter["name"] for parameter in totals["parameters"]}
        assert {"group_by", "origin", "destination", "year_min", "format"} <= names
        assert not {"page", "ordering"} & names

    def test_delete_documents_the_conflict(self):
        delete = self.schema()["paths"]["/api/institutions/{id}/"]["delete"]
        assert "409" in delete["responses"]

    @pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
    def test_documentation_pages_use_no_cdn(self, url):
        response = APIClient().get(url)
        assert response.status_code == 200
        html = response.content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, "the page loads its scripts"
        assert not [source for source in sources if source.startswith(("http:", "https:", "//"))]
        assert "drf_spectacular_sidecar" in html


@pytest.mark.django_db
class TestAuthentication:
    def test_api_root_lists_the_resources(self):
        body = APIClient().get("/api/").json()
        assert set(body) == set(RESOURCES)

    def test_browsable_api_renders(self):
        AgreementFactory()
        response = APIClient().get("/api/agreements/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert b"Memorandum" in response.content

    def test_session_write_needs_csrf(self):
        user = user_with_permissions("clerk", Source, ["add"])
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user)
        payload = {"title": "Article"}
        assert client.post("/api/sources/", payload, format="json").status_code == 403
        secret = _get_new_csrf_string()
        client.cookies["csrftoken"] = secret
        response = client.post(
            "/api/sources/",
            payload,
            format="json",
            HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret),
        )
        assert response.status_code == 201, response.content

    def test_session_user_without_permission_is_403(self):
        client = APIClient()
        client.force_login(user_with_permissions("reader"))
        assert client.get("/api/sources/").status_code == 200
        assert client.post("/api/sources/", {"title": "x"}, format="json").status_code == 403

    def test_token_is_obtained_with_a_password(self):
        get_user_model().objects.create_user("analyst", "a@example.org", "s3cret-pass")
        response = APIClient().post(
            "/api/auth/token/", {"username": "analyst", "password": "s3cret-pass"}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/sources/").status_code == 200

    def test_bad_token_is_401(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert client.get("/api/sources/").status_code == 401

    def test_reading_needs_login_when_public_read_is_off(self, settings):
        settings.UNIBRIDGE_PUBLIC_READ = False
        assert APIClient().get("/api/mobility-figures/totals/").status_code == 401
        assert APIClient().get("/api/agreements/stats/").status_code == 401
        client = APIClient()
        client.force_login(user_with_permissions("reader"))
        assert client.get("/api/agreements/stats/").status_code == 200


@pytest.mark.django_db
def test_history_records_the_api_user():
    user = user_with_permissions("clerk", Source, ["add", "change"])
    client = token_client(user)
    response = client.post("/api/sources/", {"title": "Article"}, format="json")
    source = Source.objects.get(pk=response.json()["id"])
    client.patch(f"/api/sources/{source.pk}/", {"title": "Article, corrected"}, format="json")
    assert [(h.history_type, h.history_user) for h in source.history.order_by("history_id")] == [
        ("+", user),
        ("~", user),
    ]
