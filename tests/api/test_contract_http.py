"""The API's HTTP contract (issue 13): one error format, no HTML, repeated and unknown
parameters, conditional requests, Location, incremental sync, throttling and CORS — each
as a client sees it, and as the schema declares it."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import Agreement
from cooperation.models import Source
from tests.base import field_errors, problem, token_client
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    SourceFactory,
    agreement_between,
)

pytestmark = pytest.mark.django_db
# The resources whose records carry a version (a stale one is a 409 edit_conflict).
VERSIONED = {"agreements", "institutions", "events", "mobility-figures"}


@pytest.fixture
def api(superuser):
    return token_client(superuser)


def agreement_payload(**changes):
    kz, az = InstitutionFactory(), InstitutionFactory(country="AZ")
    return {
        "title": "Memorandum",
        "kind": "memorandum",
        "parties": [{"institution": kz.pk}, {"institution": az.pk}],
        **changes,
    }


# ----------------------------------------------------------------------------- errors


def test_unknown_api_address_is_a_json_404():
    for path in ("/api/nonexistent/", "/api/agreements/1/nothing/", "/api/x"):
        body = problem(APIClient().get(path), 404)
        assert body["code"] == "not_found" and body["instance"] == path


def test_a_write_without_the_slash_is_served_not_a_500(api, settings):
    settings.DEBUG = True  # APPEND_SLASH cannot redirect a POST: Django raises then
    response = api.post("/api/agreements", agreement_payload(), format="json")
    assert response.status_code == 201, response.content
    assert response["Location"].endswith(f"/api/agreements/{response.json()['id']}/")
    read = APIClient().get("/api/agreements")
    assert read.status_code == 301 and read["Location"] == "/api/agreements/"


def test_unknown_format_is_a_406_problem():
    agreement = AgreementFactory()
    for url in ("/api/agreements/", f"/api/agreements/{agreement.pk}/"):
        body = problem(APIClient().get(url, {"format": "xml"}), 406)
        assert "xml" in body["detail"]
    # A spreadsheet of one record is not offered either: 406, not HTML nor a 404.
    problem(APIClient().get(f"/api/agreements/{agreement.pk}/", {"format": "csv"}), 406)


def test_nested_field_errors_point_into_the_body(api):
    payload = agreement_payload()
    payload["parties"][1]["institution"] = 10**9
    body = problem(api.post("/api/agreements/", payload, format="json"), 400)
    assert body["code"] == "invalid"
    (error,) = body["errors"]
    assert error["pointer"] == "/parties/1/institution"
    assert error["code"] == "does_not_exist" and error["detail"]


def test_an_error_is_json_even_for_a_browser():
    response = APIClient().get("/api/agreements/999999/", HTTP_ACCEPT="text/html")
    problem(response, 404)


# ----------------------------------------------------------------------------- parameters


def test_repeated_group_by_is_the_same_as_commas():
    agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
    commas = APIClient().get("/api/agreements/stats/?group_by=year,kind")
    repeated = APIClient().get("/api/agreements/stats/?group_by=year&group_by=kind")
    assert commas.status_code == repeated.status_code == 200
    assert repeated.json() == commas.json()
    assert repeated.json()["group_by"] == ["year", "kind"]
    totals = APIClient().get("/api/mobility-figures/totals/?group_by=year&group_by=origin")
    assert totals.json()["group_by"] == ["year", "origin"]


def test_repeated_ordering_is_the_same_as_commas():
    for title, kind in (("B", "memorandum"), ("A", "memorandum"), ("C", "dual_degree")):
        AgreementFactory(title=title, kind=kind)
    commas = APIClient().get("/api/agreements/?ordering=kind,-title")
    repeated = APIClient().get("/api/agreements/?ordering=kind&ordering=-title")
    titles = [row["title"] for row in repeated.json()["results"]]
    assert titles == [row["title"] for row in commas.json()["results"]] == ["C", "B", "A"]


def test_a_single_valued_parameter_twice_is_a_400_naming_it():
    response = APIClient().get("/api/agreements/?page_size=1&page_size=2")
    assert list(field_errors(response)) == ["page_size"]
    response = APIClient().get("/api/agreements/?signed_after=2020-01-01&signed_after=2021-01-01")
    assert list(field_errors(response)) == ["signed_after"]
    # A filter that takes a list may be repeated.
    assert APIClient().get("/api/agreements/?kind=memorandum&kind=protocol").status_code == 200


# ----------------------------------------------------------------------------- ETag


def test_etag_follows_the_representation(api):
    kz, az = InstitutionFactory(name="Old name"), InstitutionFactory(country="AZ")
    agreement = agreement_between(kz, az)
    url = f"/api/agreements/{agreement.pk}/"
    first = api.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    # The same body, the same tag; If-None-Match with it: 304 and no body.
    assert api.get(url)["ETag"] == etag
    cached = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304 and cached.content == b"" and cached["ETag"] == etag
    # A party renamed: the agreement's version is unchanged, its body and ETag are not.
    kz.name = "New name"
    kz.save()
    second = api.get(url)
    assert second.json()["version"] == first.json()["version"]
    assert second["ETag"] != etag
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_match_stale_is_412_malformed_is_400_current_passes(api):
    agreement = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
    url = f"/api/agreements/{agreement.pk}/"
    etag = api.get(url)["ETag"]
    changed = api.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed["ETag"] == api.get(url)["ETag"]
    stale = api.patch(url, {"title": "Again"}, format="json", HTTP_IF_MATCH=etag)
    assert problem(stale, 412)["code"] == "precondition_failed"
    for header in ("abc", '"unterminated', ","):
        malformed = api.patch(url, {"title": "Again"}, format="json", HTTP_IF_MATCH=header)
        assert problem(malformed, 400)["code"] == "malformed_precondition", header
    assert problem(api.delete(url, HTTP_IF_MATCH=etag), 412)["code"] == "precondition_failed"
    # A weak tag never matches a write.
    weak = api.delete(url, HTTP_IF_MATCH="W/" + changed["ETag"])
    assert weak.status_code == 412
    assert api.delete(url, HTTP_IF_MATCH=changed["ETag"]).status_code == 204
    assert not Agreement.objects.filter(pk=agreement.pk).exists()


def test_stale_version_is_409_edit_conflict(api):
    agreement = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
    url = f"/api/agreements/{agreement.pk}/"
    version = api.get(url).json()["version"]
    assert api.patch(url, {"title": "One", "version": version}, format="json").status_code == 200
    stale = api.patch(url, {"title": "Two", "version": version}, format="json")
    assert problem(stale, 409)["code"] == "edit_conflict"


def test_201_carries_etag_and_the_api_location(api, superuser):
    response = api.post(
        "/api/sources/",
        {"title": "An article", "url": "https://example.org/article-42"},
        format="json",
    )
    assert response.status_code == 201, response.content
    source = Source.objects.get(title="An article")
    assert response["Location"] == f"http://testserver/api/sources/{source.pk}/"
    assert response["ETag"] == api.get(f"/api/sources/{source.pk}/")["ETag"]


def test_schema_declares_the_conditional_requests():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "put", "patch", "delete") or "{id}" not in path:
                continue
            names = {p["name"] for p in operation.get("parameters", [])}
            responses = operation["responses"]
            if method == "get" and "ETag" in responses.get("200", {}).get("headers", {}):
                assert "If-None-Match" in names and "304" in responses, path
            if method in ("put", "patch", "delete"):
                assert "If-Match" in names, (method, path)
                assert {"412", "400"} <= set(responses), (method, path)
            versioned = path.split("/")[2] in VERSIONED
            if method == "delete" or (method in ("put", "patch") and versioned):
                assert "409" in responses, (method, path)
            elif method in ("put", "patch"):
                assert "409" not in responses, (method, path)  # nothing to conflict with
            if method in ("put", "patch"):
                assert "ETag" in responses["200"]["headers"], (method, path)
    detail = schema["paths"]["/api/agreements/{id}/"]
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    created = schema["paths"]["/api/sources/"]["post"]["responses"]["201"]["headers"]
    assert {"ETag", "Location"} <= set(created)
    renew = schema["paths"]["/api/agreements/{id}/renew/"]["post"]
    assert "If-Match" in {p["name"] for p in renew["parameters"]}
    error = detail["get"]["responses"]["404"]["content"]
    assert list(error) == ["application/problem+json"]


# ----------------------------------------------------------------------------- sync


def test_updated_after_lists_what_changed_since():
    old, new = SourceFactory(title="Old"), SourceFactory(title="New")
    Source.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    for url in ("/api/sources/", "/api/agreements/", "/api/institutions/"):
        assert APIClient().get(url, {"updated_after": since}).status_code == 200, url
    response = APIClient().get("/api/sources/", {"updated_after": since})
    assert [row["id"] for row in response.json()["results"]] == [new.pk]
    assert "updated_after" in field_errors(
        APIClient().get("/api/sources/", {"updated_after": "last tuesday"})
    )
    # Offsets a database refuses (PostgreSQL: past ±15:59) are read in UTC, not a 500.
    for odd in ("8995-04-24T09:17:38+16:07", "0222-05-21T09:19:40.582-20:06"):
        assert APIClient().get("/api/sources/", {"updated_after": odd}).status_code == 200
    assert "updated_after" in field_errors(
        APIClient().get("/api/sources/", {"updated_after": "0001-01-01T00:00:00+01:00"})
    )


def test_deletions_feed_names_deleted_records(api):
    before = timezone.now()
    gone, kept = SourceFactory(), SourceFactory()
    hidden = AgreementFactory(is_public=False)
    assert api.delete(f"/api/sources/{gone.pk}/").status_code == 204
    assert api.delete(f"/api/agreements/{hidden.pk}/").status_code == 204
    body = api.get("/api/deletions/", {"deleted_after": before.isoformat()}).json()
    deleted = {(row["type"], row["id"]) for row in body["results"]}
    assert deleted == {("sources", gone.pk), ("agreements", hidden.pk)}
    assert ("sources", kept.pk) not in deleted
    # An agreement an anonymous reader could never see stays out of their feed.
    anonymous = APIClient().get("/api/deletions/", {"type": "agreements"}).json()
    assert anonymous["results"] == []
    assert "type" in field_errors(APIClient().get("/api/deletions/", {"type": "planets"}))
    assert "deleted_after" in field_errors(
        APIClient().get("/api/deletions/", {"deleted_after": "soon"})
    )


# ----------------------------------------------------------------------------- limits


def test_past_the_rate_a_429_with_retry_after(settings, superuser):
    settings.UNIBRIDGE_API_RATES = {"anon": "2/minute", "user": "3/minute"}
    cache.clear()
    anonymous = APIClient()
    codes = [anonymous.get("/api/sources/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = anonymous.get("/api/sources/")
    assert problem(limited, 429)["code"] == "throttled"
    assert 0 < int(limited["Retry-After"]) <= 60
    client = token_client(superuser)
    codes = [client.get("/api/sources/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_cors_only_for_the_origins_named(settings):
    origin = "https://mirror.example.org"
    response = APIClient().get("/api/sources/", HTTP_ORIGIN=origin)
    assert "Access-Control-Allow-Origin" not in response
    settings.CORS_ALLOWED_ORIGINS = [origin]
    response = APIClient().get("/api/sources/", HTTP_ORIGIN=origin)
    assert response["Access-Control-Allow-Origin"] == origin
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_schema_declares_enums_required_fields_and_tags():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    row = components["MobilityTotalRow"]["properties"]
    for name in ("origin", "destination", "mobility_type", "level", "sex", "measure"):
        assert "Enum" in str(row[name]), name
    assert "measure" in components["MobilityTotalRow"]["required"]
    stats_row = components["AgreementStatsRow"]["properties"]
    assert stats_row["status"]["$ref"].endswith("/AgreementStatusEnum")
    assert stats_row["kind"]["$ref"].endswith("/AgreementKindEnum")
    # A model's representation sends every field: all required (version included).
    agreement = components["Agreement"]
    assert set(agreement["required"]) == set(agreement["properties"])
    assert "version" in agreement["required"]
    imports = schema["paths"]
    assert imports["/api/agreements/import/"]["post"]["tags"] == ["agreements"]
    assert imports["/api/mobility-figures/import/"]["post"]["tags"] == ["mobility-figures"]
    assert "Problem" in components
    assert "429" in imports["/api/agreements/"]["get"]["responses"]


def test_a_server_error_under_api_is_a_problem_elsewhere_the_page(rf):
    from cooperation.problems import server_error

    response = server_error(rf.get("/api/agreements/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["code"] == "server_error"
    assert server_error(rf.get("/agreements/"))["Content-Type"].startswith("text/html")
