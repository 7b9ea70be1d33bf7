"""Generic test cases, in NetBox's manner: a resource's test class declares its data, and
inherits every test that applies to every resource.

An API test class names its model and router basename, makes one complete object (with its
relations), gives create / update payloads, and one ``case_<filter>`` method per filter of
its FilterSet. It inherits list, retrieve, create, update, partial update and delete for an
anonymous, an unpermitted and a permitted user; every filter (and a malformed value of
each); ordering; paging; CSV and XLSX exports; and a query count that does not grow with
the number of rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_filters import filters as django_filters
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cooperation.api import filterset_param_names
from cooperation.api_urls import router
from cooperation.filtersets import BooleanFilter, CountryFilter, CountryPairFilter

CSV_BOM = "\ufeff"


# --------------------------------------------------------------------------- helpers


def run_worker() -> None:
    """What the background worker's process does (``manage.py db_worker``): every task
    waiting, then exit."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def problem(response, status: int | None = None) -> dict[str, Any]:
    """The RFC 9457 problem an API error answers (cooperation.problems), checked for its
    media type and members; ``status`` is the one expected."""
    if status is not None:
        assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body), body
    assert body["status"] == response.status_code
    assert body["type"].endswith(body["code"])
    return body


def field_errors(response) -> dict[str, list[str]]:
    """The problem's field errors: JSON pointer (``/parties/0/institution``) or query
    parameter name -> messages."""
    errors: dict[str, list[str]] = {}
    for item in problem(response).get("errors", []):
        key = item["pointer"] if "pointer" in item else item["parameter"]
        assert item["code"], item
        errors.setdefault(key, []).append(item["detail"])
    return errors


def user_with_permissions(
    username: str, model: type[models.Model] | None = None, actions: Iterable[str] = ()
):
    """A user holding the ``<action>_<model>`` permissions (none when ``actions`` is empty)."""
    # No password: the API is reached with a token, and hashing would only slow tests down.
    user = get_user_model().objects.create_user(username, f"{username}@example.org", None)
    if model is not None and actions:
        content_type = ContentType.objects.get_for_model(model)
        codenames = [f"{action}_{model._meta.model_name}" for action in actions]
        user.user_permissions.add(
            *Permission.objects.filter(content_type=content_type, codename__in=codenames)
        )
    return user


def token_client(user) -> APIClient:
    """An API client that authenticates with the user's token, as an integration would."""
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV response (header first); checks the BOM that Excel needs."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith(CSV_BOM), "CSV must start with a UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(text[len(CSV_BOM) :])))


def read_xlsx(response) -> list[list[Any]]:
    """The rows of the first sheet of an XLSX response from its header of keys (the row of
    labels above it left out, cooperation.api.xlsx_bytes)."""
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def malformed_value(filter_: django_filters.Filter) -> str:
    """A value of the wrong shape for ``filter_``: the API must answer 400 naming it."""
    field_class = filter_.field_class
    if isinstance(filter_, CountryPairFilter):
        return "KZ"
    if isinstance(filter_, CountryFilter):
        return "XX9"
    if isinstance(filter_, BooleanFilter):
        return "maybe"
    if isinstance(filter_, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter):
        return "no-such-choice"
    if issubclass(field_class, forms.DateField):
        return "2025-13-45"
    if issubclass(field_class, forms.IntegerField | forms.DecimalField):
        return "twelve"
    if issubclass(field_class, forms.CharField):
        return "x" * (int(filter_.extra.get("max_length") or 10_000) + 1)
    raise AssertionError(f"No malformed value known for {filter_!r}")


@dataclass
class FilterCase:
    """A filter's query parameters and exactly the objects they must return."""

    params: Mapping[str, str | Sequence[str]]
    expected: Sequence[models.Model]
    # The filter must not return everything: at least this many objects are left out.
    excluded: Sequence[models.Model] = field(default_factory=list)


# --------------------------------------------------------------------------- API


@pytest.mark.django_db
class APIResourceTests:
    """The tests every API resource passes. A subclass declares:

    - ``model`` and ``basename`` (the router's: ``api:<basename>-list``);
    - ``make()``: one complete object with its relations;
    - ``create_payload()``, ``update_payload(obj)`` (a PUT) and ``partial_payload(obj)``;
    - one ``case_<filter>()`` per filter of the FilterSet, returning a ``FilterCase``;
    - ``query_ceiling``: the most queries a list page may take, however many rows.
    """

    model: ClassVar[type[models.Model]]
    basename: ClassVar[str]
    query_ceiling: ClassVar[int] = 10
    # Keys every read representation carries.
    read_fields: ClassVar[Sequence[str]] = ("id", "created_at", "updated_at")

    # -- declared by the resource

    def make(self) -> models.Model:
        raise NotImplementedError

    def create_payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def update_payload(self, obj: models.Model) -> dict[str, Any]:
        raise NotImplementedError

    def partial_payload(self, obj: models.Model) -> dict[str, Any]:
        raise NotImplementedError

    # -- plumbing

    def list_url(self) -> str:
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, obj: models.Model) -> str:
        return reverse(f"api:{self.basename}-detail", args=[obj.pk])

    def permitted(self, *actions: str) -> APIClient:
        return token_client(user_with_permissions("permitted", self.model, actions))

    def unpermitted(self) -> APIClient:
        # Holds every permission but the one needed: a view permission changes nothing.
        return token_client(user_with_permissions("unpermitted", self.model, ["view"]))

    @pytest.fixture(autouse=True)
    def _public_read(self, settings):
        settings.UNIBRIDGE_PUBLIC_READ = True

    def filter_names(self) -> set[str]:
        return {name[len("case_") :] for name in dir(self) if name.startswith("case_")}

    def viewset(self):
        return next(vs for _prefix, vs, base in router.registry if base == self.basename)

    def filterset_class(self):
        return self.viewset().filterset_class

    # -- list and retrieve

    def test_list_anonymous(self):
        objects = [self.make(), self.make()]
        response = APIClient().get(self.list_url())
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == self.model.objects.count()
        assert {obj.pk for obj in objects} <= set(ids(response))

    def test_list_needs_login_when_public_read_is_off(self, settings):
        settings.UNIBRIDGE_PUBLIC_READ = False
        self.make()
        response = APIClient().get(self.list_url())
        assert response.status_code == 401
        assert self.unpermitted().get(self.list_url()).status_code == 200

    def test_retrieve(self):
        obj = self.make()
        response = APIClient().get(self.detail_url(obj))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["id"] == obj.pk
        for name in self.read_fields:
            assert name in body, f"{name} missing from the read representation"

    def test_retrieve_missing_is_404(self):
        response = APIClient().get(reverse(f"api:{self.basename}-detail", args=[987654321]))
        assert response.status_code == 404

    # -- writes

    def test_create(self):
        payload = self.create_payload()
        response = self.permitted("add").post(self.list_url(), payload, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        obj = self.model.objects.get(pk=body["id"])
        self.assert_matches(body, payload)
        self.assert_matches(self.get(obj), payload)

    def test_create_anonymous_is_401(self):
        response = APIClient().post(self.list_url(), self.create_payload(), format="json")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")

    def test_create_unpermitted_is_403(self):
        payload = self.create_payload()
        before = self.model.objects.count()
        response = self.unpermitted().post(self.list_url(), payload, format="json")
        assert response.status_code == 403
        assert self.model.objects.count() == before

    def test_create_invalid_is_400(self):
        response = self.permitted("add").post(self.list_url(), {}, format="json")
        assert response.status_code == 400
        assert response.json(), "a 400 names the fields at fault"

    def test_update(self):
        obj = self.make()
        payload = self.update_payload(obj)
        response = self.permitted("change").put(self.detail_url(obj), payload, format="json")
        assert response.status_code == 200, response.content
        self.assert_matches(response.json(), payload)
        self.assert_matches(self.get(obj), payload)

    def test_partial_update(self):
        obj = self.make()
        payload = self.partial_payload(obj)
        response = self.permitted("change").patch(self.detail_url(obj), payload, format="json")
        assert response.status_code == 200, response.content
        self.assert_matches(self.get(obj), payload)

    def test_update_unpermitted_is_403(self):
        obj = self.make()
        response = self.unpermitted().patch(
            self.detail_url(obj), self.partial_payload(obj), format="json"
        )
        assert response.status_code == 403

    def test_update_anonymous_is_401(self):
        obj = self.make()
        response = APIClient().patch(self.detail_url(obj), self.partial_payload(obj), format="json")
        assert response.status_code == 401

    def test_delete(self):
        obj = self.make()
        response = self.permitted("delete").delete(self.detail_url(obj))
        assert response.status_code == 204, response.content
        assert not self.model.objects.filter(pk=obj.pk).exists()

    def test_delete_unpermitted_is_403(self):
        obj = self.make()
        assert self.unpermitted().delete(self.detail_url(obj)).status_code == 403
        assert APIClient().delete(self.detail_url(obj)).status_code == 401
        assert self.model.objects.filter(pk=obj.pk).exists()

    def get(self, obj: models.Model) -> dict[str, Any]:
        response = APIClient().get(self.detail_url(obj))
        assert response.status_code == 200
        return response.json()

    def assert_matches(self, body: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
        """Every field sent reads back the same (lists of objects: the keys that were sent)."""
        for key, sent in payload.items():
            got = body[key]
            if isinstance(sent, list) and sent and isinstance(sent[0], Mapping):
                assert len(got) == len(sent), key
                for sent_item in sent:
                    assert any(
                        all(got_item.get(k) == v for k, v in sent_item.items()) for got_item in got
                    ), (key, sent_item, got)
            elif isinstance(sent, list):
                assert sorted(map(str, got)) == sorted(map(str, sent)), key
            else:
                assert got == sent, key

    # -- filters

    def test_every_filter_has_a_case(self):
        declared = set(filterset_param_names(self.filterset_class()))
        assert declared == self.filter_names(), (
            f"filters without a case: {sorted(declared - self.filter_names())}; "
            f"cases without a filter: {sorted(self.filter_names() - declared)}"
        )

    def test_filter(self, filter_name: str):
        case: FilterCase = getattr(self, f"case_{filter_name}")()
        assert filter_name in case.params
        response = APIClient().get(self.list_url(), {**case.params, "page_size": 1000})
        assert response.status_code == 200, response.content
        assert sorted(ids(response)) == sorted(obj.pk for obj in case.expected), case.params
        assert not {obj.pk for obj in case.excluded} & set(ids(response))

    def test_malformed_filter_is_400_naming_it(self, filter_name: str):
        filter_ = self.filterset_class().base_filters[filter_name]
        response = APIClient().get(self.list_url(), {filter_name: malformed_value(filter_)})
        assert response.status_code == 400, (filter_name, response.content)
        assert filter_name in field_errors(response)

    def test_unknown_parameter_is_400_naming_it(self):
        response = APIClient().get(self.list_url(), {"no_such_filter": "1"})
        assert response.status_code == 400
        assert "no_such_filter" in field_errors(response)
        response = APIClient().get(self.detail_url(self.make()), {"no_such_filter": "1"})
        assert response.status_code == 400

    # -- ordering and pages

    def test_ordering(self):
        self.make()
        self.make()
        viewset_fields = self.ordering_fields()
        for name in viewset_fields:
            for term in (name, f"-{name}"):
                response = APIClient().get(self.list_url(), {"ordering": term})
                assert response.status_code == 200, (term, response.content)
        response = APIClient().get(self.list_url(), {"ordering": "-id"})
        assert ids(response) == sorted(ids(response), reverse=True)
        response = APIClient().get(self.list_url(), {"ordering": "no_such_field"})
        assert response.status_code == 400
        assert "ordering" in field_errors(response)

    def ordering_fields(self) -> Sequence[str]:
        return self.viewset().ordering_fields

    def test_pages(self):
        for _ in range(3):
            self.make()
        total = self.model.objects.count()
        response = APIClient().get(self.list_url(), {"page_size": 2})
        body = response.json()
        assert len(body["results"]) == 2
        assert body["count"] == total
        assert body["next"]
        seen = ids(response) + ids(APIClient().get(self.list_url(), {"page_size": 2, "page": 2}))
        assert len(set(seen)) == min(4, total)
        assert APIClient().get(self.list_url(), {"page_size": 0}).status_code == 400
        assert APIClient().get(self.list_url(), {"page": "x"}).status_code == 400
        assert APIClient().get(self.list_url(), {"page": 999}).status_code == 404
        # Above the cap the pages share (cooperation.paging) is a 400, not another size.
        assert APIClient().get(self.list_url(), {"page_size": 10**6}).status_code == 400
        assert APIClient().get(self.list_url(), {"page_size": 1000}).status_code == 200

    # -- exports

    def test_csv_export_has_every_row(self):
        for _ in range(3):
            self.make()
        total = self.model.objects.count()
        response = APIClient().get(self.list_url(), {"format": "csv", "page_size": 1})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = read_csv(response)
        assert rows[0][0] == "id"
        assert len(rows) == total + 1, "CSV is not paginated"
        assert len(set(rows[0])) == len(rows[0]), "column names are unique"
        by_accept = APIClient().get(self.list_url(), HTTP_ACCEPT="text/csv")
        assert read_csv(by_accept)[0] == rows[0], "Accept: text/csv gives the same columns"

    def test_xlsx_export_has_every_row(self):
        for _ in range(3):
            self.make()
        total = self.model.objects.count()
        response = APIClient().get(self.list_url(), {"format": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = read_xlsx(response)
        assert rows[0] == read_csv(APIClient().get(self.list_url(), {"format": "csv"}))[0]
        assert len(rows) == total + 1

    def test_export_error_is_json(self):
        response = APIClient().get(self.list_url(), {"format": "csv", "no_such_filter": "1"})
        assert "no_such_filter" in field_errors(response)

    # -- queries

    def count_list_queries(self, params: Mapping[str, str] | None = None) -> int:
        with CaptureQueriesContext(connection) as context:
            response = APIClient().get(self.list_url(), {"page_size": 100, **(params or {})})
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(context.captured_queries)

    def test_query_count_does_not_grow_with_rows(self):
        for _ in range(5):
            self.make()
        few = self.count_list_queries()
        for _ in range(45):
            self.make()
        many = self.count_list_queries()
        assert many == few, f"{few} queries for 5 rows, {many} for 50"
        assert many <= self.query_ceiling, f"{many} queries for a page of 50"

    def test_export_query_count_does_not_grow_with_rows(self):
        for _ in range(5):
            self.make()
        few = self.count_list_queries({"format": "csv"})
        for _ in range(45):
            self.make()
        many = self.count_list_queries({"format": "csv"})
        assert many == few, f"{few} queries for 5 rows, {many} for 50"
