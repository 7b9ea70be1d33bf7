"""Probing the register with crafted parameters: page sizes, and ids of hidden agreements.

- Every list page (``?per_page=``) and every API list (``?page_size=``) takes a page size
  from 1 to ``cooperation.paging.MAX_PAGE_SIZE``; anything else is a 400 that says so, never
  a 500 nor a page of another size.
- An agreement a reader may not see is, to that reader, an agreement that does not exist:
  it is not named as a parent or a renewed agreement (JSON, CSV, XLSX, pages), filtering by
  its id finds nothing, and writing its id as a parent or a renewed agreement is refused
  with the message a nonexistent id gets.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from cooperation.paging import MAX_PAGE_SIZE
from cooperation.roles import ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from cooperation.views import FilteredListView
from tests import factories as f
from tests.base import field_errors

from .helpers import admin_form_data, api_client, make_user

pytestmark = pytest.mark.django_db

BAD_SIZES = ["-1", "0", "abc", "1.5", str(MAX_PAGE_SIZE + 1)]


def url_names() -> list[tuple[str, object]]:
    """(qualified URL name, view callback) of every named URL without arguments."""
    found = []

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if pattern.pattern.regex.groups:
                    continue  # takes an id or a format
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, pattern.callback))

    walk(get_resolver().url_patterns, None)
    return found


# Every page served by a FilteredListView (filter + table + export), and every API list,
# found in the URL configuration rather than listed by hand.
LIST_PAGES = sorted(
    {
        reverse(name)
        for name, view in url_names()
        if issubclass(getattr(view, "view_class", object), FilteredListView)
    }
)
API_LISTS = sorted(
    {
        reverse(name)
        for name, view in url_names()
        if name.startswith("api:") and name.endswith("-list") and hasattr(view, "actions")
    }
)


def test_the_list_pages_are_found():
    assert {"/agreements/", "/institutions/", "/events/", "/mobility/", "/sources/"} <= set(
        LIST_PAGES
    )
    assert "/mobility/scholarships/" in LIST_PAGES
    assert {"/api/agreements/", "/api/mobility-figures/", "/api/sources/"} <= set(API_LISTS)


@pytest.fixture
def some_rows(settings):
    settings.UNIBRIDGE_PUBLIC_READ = True
    kz, az = f.InstitutionFactory(), f.InstitutionFactory(country="AZ")
    f.agreement_between(kz, az)
    f.EventFactory()
    f.SourceFactory()


@pytest.mark.parametrize("url", LIST_PAGES)
@pytest.mark.parametrize("size", BAD_SIZES)
def test_list_page_refuses_a_bad_page_size(client, some_rows, url, size):
    response = client.get(url, {"per_page": size})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"rows per page from 1 to {MAX_PAGE_SIZE}" in body
    assert response.context["table"].paginator.count == 0  # no rows shown under the error


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_page_takes_a_page_size_up_to_the_cap(client, some_rows, url):
    response = client.get(url, {"per_page": MAX_PAGE_SIZE})
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == MAX_PAGE_SIZE
    response = client.get(url, {"per_page": 1})
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == 1


def test_list_page_size_pages_rows(client, some_rows):
    f.SourceFactory()
    f.SourceFactory()
    first = client.get("/sources/", {"per_page": 2})
    assert len(first.context["table"].page.object_list) == 2
    second = client.get("/sources/", {"per_page": 2, "page": 2})
    assert second.status_code == 200
    assert len(second.context["table"].page.object_list) == 1
    assert {str(row.record) for row in first.context["table"].page.object_list}.isdisjoint(
        {str(row.record) for row in second.context["table"].page.object_list}
    )


@pytest.mark.parametrize("url", API_LISTS)
@pytest.mark.parametrize("size", BAD_SIZES)
def test_api_list_refuses_a_bad_page_size(some_rows, url, size):
    response = APIClient().get(url, {"page_size": size})
    assert response.status_code == 400
    assert f"from 1 to {MAX_PAGE_SIZE}" in field_errors(response)["page_size"][0]


@pytest.mark.parametrize("url", API_LISTS)
def test_api_list_takes_a_page_size_up_to_the_cap(some_rows, url):
    response = APIClient().get(url, {"page_size": MAX_PAGE_SIZE})
    assert response.status_code == 200
    assert "results" in response.json()


# --------------------------------------------------------------------------- hidden ids

NOWHERE = 10**9  # an id no agreement has


@pytest.fixture
def linked(settings):
    """A public agreement (``child``) under a non-public one and renewing it; a figure and a
    scholarship under the non-public one; a university editor with a draft of their own."""
    settings.UNIBRIDGE_PUBLIC_READ = True
    kz, az = f.InstitutionFactory(name="Open University"), f.InstitutionFactory(country="AZ")
    own = f.InstitutionFactory(name="Own University")
    hidden = f.agreement_between(kz, az, title="Confidential framework", is_public=False)
    public = f.agreement_between(kz, az, title="Public framework")
    child = f.agreement_between(
        kz, az, title="Public protocol", parent=hidden, renews=hidden, valid_from=None
    )
    draft = f.agreement_between(
        own, az, title="Own draft", status=AgreementStatus.DRAFT, signed_on=None
    )
    f.MobilityFigureFactory(agreement=hidden)
    f.ScholarshipProgrammeFactory(agreement=hidden)
    editor = make_user("uni", UNIVERSITY_EDITOR, institutions=[own])
    return {"hidden": hidden, "public": public, "child": child, "draft": draft, "editor": editor}


def readers(linked) -> dict[str, object]:
    return {
        "anonymous": None,
        "university editor": linked["editor"],
        "analyst": make_user("analyst", ANALYST),
    }


def test_parent_and_renews_of_a_hidden_agreement_are_null_in_json_csv_and_xlsx(linked):
    hidden, child = linked["hidden"], linked["child"]
    for kind, user in readers(linked).items():
        expected = hidden.pk if kind == "analyst" else None
        client = api_client(user)
        detail = client.get(f"/api/agreements/{child.pk}/").json()
        assert (detail["parent"], detail["renews"]) == (expected, expected), kind
        rows = client.get("/api/agreements/", {"page_size": 100}).json()["results"]
        row = next(row for row in rows if row["id"] == child.pk)
        assert (row["parent"], row["renews"]) == (expected, expected), kind

        response = client.get("/api/agreements/", {"format": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = list(csv.DictReader(io.StringIO(text)))
        line = next(line for line in lines if line["id"] == str(child.pk))
        cell = str(expected) if expected else ""
        assert (line["parent"], line["renews"]) == (cell, cell), kind

        response = client.get("/api/agreements/", {"format": "xlsx"})
        body = getattr(response, "content", None) or b"".join(response.streaming_content)
        sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        header = list(values[1])  # the keys, under the labels
        line = next(v for v in values[2:] if v[header.index("id")] == child.pk)
        assert line[header.index("parent")] in (expected, str(expected) if expected else None)
        assert line[header.index("renews")] in (expected, str(expected) if expected else None)


def test_agreement_page_does_not_name_a_hidden_parent(client, linked):
    page = client.get(reverse("agreements:agreement_detail", args=[linked["child"].pk]))
    assert page.status_code == 200
    assert "Confidential framework" not in page.content.decode()


def rows_of(response) -> list[int]:
    if "results" in response.json():
        return [row["id"] for row in response.json()["results"]]
    return [row["id"] for row in response.json()]


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/mobility-figures/", "agreement_id"),
        ("/api/scholarships/", "agreement_id"),
        ("/api/agreements/", "parent_id"),
        ("/api/agreements/", "renews_id"),
    ],
)
def test_filtering_by_a_hidden_agreement_finds_what_an_unknown_id_finds(linked, url, param):
    hidden = linked["hidden"].pk
    for kind, user in readers(linked).items():
        client = api_client(user)
        found = client.get(url, {param: hidden})
        unknown = client.get(url, {param: NOWHERE})
        assert found.status_code == unknown.status_code == 200
        assert rows_of(unknown) == []
        if kind == "analyst":
            assert len(rows_of(found)) == 1
        else:
            assert rows_of(found) == [], kind
        # Totals and counts read the same filter.
    totals = APIClient().get("/api/mobility-figures/totals/", {"agreement_id": hidden})
    assert totals.status_code == 200 and totals.json()["results"] == []


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/mobility/", "agreement_id"),
        ("/mobility/scholarships/", "agreement_id"),
        ("/agreements/", "parent_id"),
        ("/agreements/", "renews_id"),
    ],
)
def test_list_pages_filter_a_hidden_agreement_as_an_unknown_one(client, linked, url, param):
    hidden = client.get(url, {param: linked["hidden"].pk})
    unknown = client.get(url, {param: NOWHERE})
    assert hidden.status_code == unknown.status_code == 200
    assert hidden.context["table"].paginator.count == 0
    assert unknown.context["table"].paginator.count == 0
    analyst = Client()
    analyst.force_login(make_user("analyst", ANALYST))
    assert analyst.get(url, {param: linked["hidden"].pk}).context["table"].paginator.count == 1


def refusal(response, field: str, pk: int) -> str:
    assert response.status_code == 400, response.content
    return field_errors(response)[f"/{field}"][0].replace(str(pk), "<id>")


@pytest.mark.parametrize("field", ["parent", "renews"])
def test_api_refuses_a_hidden_agreement_as_parent_or_renewed_like_a_missing_one(linked, field):
    editor, draft, hidden = linked["editor"], linked["draft"], linked["hidden"]
    client = api_client(editor)
    url = f"/api/agreements/{draft.pk}/"
    refused = refusal(client.patch(url, {field: hidden.pk}, format="json"), field, hidden.pk)
    missing = refusal(client.patch(url, {field: NOWHERE}, format="json"), field, NOWHERE)
    assert refused == missing
    draft.refresh_from_db()
    assert getattr(draft, f"{field}_id") is None
    # On a new draft too.
    payload = {
        "title": "New draft",
        "kind": draft.kind,
        "status": "draft",
        "parties": [{"institution": p.institution_id} for p in draft.parties.all()],
    }
    created = client.post("/api/agreements/", {**payload, field: hidden.pk}, format="json")
    assert refusal(created, field, hidden.pk) == missing
    assert not Agreement.objects.filter(title="New draft").exists()
    # An agreement they may see is taken.
    allowed = client.patch(url, {field: linked["public"].pk}, format="json")
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()[field] == linked["public"].pk


def test_api_keeps_a_hidden_link_the_editor_sends_back_as_read(linked):
    editor, draft, hidden = linked["editor"], linked["draft"], linked["hidden"]
    Agreement.objects.filter(pk=draft.pk).update(parent=hidden)  # set by the ministry
    client = api_client(editor)
    read = client.get(f"/api/agreements/{draft.pk}/").json()
    assert read["parent"] is None
    written = client.patch(
        f"/api/agreements/{draft.pk}/", {"parent": None, "title": "Renamed"}, format="json"
    )
    assert written.status_code == 200, written.content
    assert written.json()["parent"] is None
    draft.refresh_from_db()
    assert (draft.title, draft.parent_id) == ("Renamed", hidden.pk)


@pytest.mark.parametrize("field", ["parent", "renews"])
def test_admin_refuses_a_hidden_agreement_as_parent_or_renewed_like_a_missing_one(linked, field):
    editor, draft, hidden = linked["editor"], linked["draft"], linked["hidden"]
    client = Client()
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[draft.pk])
    data = admin_form_data(client.get(url))

    def error(pk: int) -> str:
        response = client.post(url, {**data, field: str(pk)})
        assert response.status_code == 200  # the form again, with the error
        errors = response.context["adminform"].form.errors[field]
        return errors[0]

    assert error(hidden.pk) == error(NOWHERE)
    draft.refresh_from_db()
    assert getattr(draft, f"{field}_id") is None
    ministry = Client()
    ministry.force_login(make_user("ministry", MINISTRY_EDITOR))
    data = admin_form_data(ministry.get(url))
    saved = ministry.post(url, {**data, field: str(hidden.pk)})
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert getattr(draft, f"{field}_id") == hidden.pk


def test_admin_keeps_a_hidden_link_of_a_draft_the_editor_saves(linked):
    editor, draft, hidden = linked["editor"], linked["draft"], linked["hidden"]
    Agreement.objects.filter(pk=draft.pk).update(parent=hidden, renews=hidden)  # the ministry's
    client = Client()
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[draft.pk])
    page = client.get(url)
    assert "Confidential framework" not in page.content.decode()
    response = client.post(url, {**admin_form_data(page), "title": "Renamed draft"})
    assert response.status_code == 302, response.content[:1000]
    draft.refresh_from_db()
    assert (draft.title, draft.parent_id, draft.renews_id) == (
        "Renamed draft",
        hidden.pk,
        hidden.pk,
    )


def test_mobility_explorer_with_an_invalid_filter_is_not_a_500(client, some_rows):
    # The pivot totals an empty queryset (none()) when a filter or the page size is refused.
    assert client.get("/mobility/", {"year_min": "abc"}).status_code == 200
    assert client.get("/mobility/", {"year_min": "abc", "per_page": "0"}).status_code == 400
