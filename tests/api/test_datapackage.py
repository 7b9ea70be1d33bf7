"""Data packages: every CSV export with its Frictionless descriptor, checked by the tools an
analyst uses (frictionless validate, pandas with the descriptor's types)."""

from __future__ import annotations

import datetime
import io
import json
from urllib.parse import urlsplit

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse
from frictionless import Resource

from tests import factories as f
from tests.pages.test_pages import LIST_PAGES

# Table Schema types as pandas reads them: codes and ISCED-F fields stay text.
PANDAS_DTYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "array": "string",
    "object": "string",
}


@pytest.fixture
def register(db):
    call_command("load_demo", stdout=io.StringIO())
    field = f.IscedFieldFactory(code="0613", level="detailed", name_en="Software development")
    f.MobilityFigureFactory(
        field=field, year=2024, measure="stock", as_of=datetime.date(2024, 10, 1),
        notes='=HYPERLINK("x"), "quoted"\nsecond line', qualifier="more_than",
    )  # fmt: skip


def body(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def check_with_tools(client, resource: dict, tmp_path) -> pd.DataFrame:
    """Fetch the resource's CSV, validate it against its descriptor with frictionless and
    read it with pandas using the descriptor's types."""
    data = body(client.get(local(resource["path"])))
    name = f"{resource['name']}.csv"
    (tmp_path / name).write_bytes(data)
    descriptor = {**resource, "path": name}
    report = Resource.from_descriptor(descriptor, basepath=str(tmp_path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    fields = resource["schema"]["fields"]
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == [field["name"] for field in fields]
    dates = [fl["name"] for fl in fields if fl["type"] in ("date", "datetime")]
    frame = pd.read_csv(
        io.BytesIO(data),
        encoding="utf-8-sig",
        dtype={fl["name"]: PANDAS_DTYPES[fl["type"]] for fl in fields if fl["name"] not in dates},
        keep_default_na=False,
        na_values=resource["schema"]["missingValues"],
    )
    for fl in fields:
        if fl["type"] == "date":
            frame[fl["name"]] = pd.to_datetime(frame[fl["name"]], format="%Y-%m-%d")
        elif fl["type"] == "datetime":
            frame[fl["name"]] = pd.to_datetime(frame[fl["name"]], format="ISO8601", utc=True)
    return frame


def test_the_register_data_package_describes_every_list(client, register, tmp_path):
    package = client.get("/datapackage.json").json()
    assert package["profile"] == "tabular-data-package"
    names = [resource["name"] for resource in package["resources"]]
    assert {"agreements", "mobility-figures", "stated-figures", "institutions"} <= set(names)
    frames = {}
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert field["description"] and field["type"]
        frames[resource["name"]] = check_with_tools(client, resource, tmp_path)
    figures = frames["mobility-figures"]
    assert figures["field"].dtype == "string" and "0613" in set(figures["field"].dropna())
    assert str(figures["as_of"].dtype).startswith("datetime64")
    assert str(figures["created_at"].dtype).startswith("datetime64")
    assert figures["year"].dtype == "Int64"
    agreements = frames["agreements"]
    assert str(agreements["signed_on"].dtype).startswith("datetime64")
    parties = json.loads(agreements["parties"].dropna().iloc[0])
    assert {"id", "institution", "institution_name", "country"} <= set(parties[0])
    # Events and institutions, written by PostgreSQL on it (events.columns,
    # universities.columns): their list-valued cells are JSON, their numbers numbers.
    events = frames["events"]
    assert str(events["start_date"].dtype).startswith("datetime64")
    people = [json.loads(cell) for cell in events["participations"].dropna()]
    assert any(people) and all(isinstance(p, list) for p in people)
    assert {"person", "person_name", "role"} <= set(next(p for p in people if p)[0])
    institutions = frames["institutions"]
    assert institutions["latitude"].dtype == "Float64" and institutions["latitude"].notna().any()
    assert institutions["agreement_count"].dtype == "Int64"
    assert institutions["agreement_count"].sum() > 0
    names = json.loads(institutions["names"].dropna().iloc[0])
    assert isinstance(names, list)
    # Code lists are enum constraints.
    schema = next(r for r in package["resources"] if r["name"] == "mobility-figures")["schema"]
    by_name = {field["name"]: field for field in schema["fields"]}
    assert by_name["measure"]["constraints"]["enum"] == ["stock", "flow"]
    assert "KZ" in by_name["origin_country"]["constraints"]["enum"]


@pytest.mark.parametrize("name", [name for name in LIST_PAGES if name != "dashboard"])
def test_each_page_export_has_its_data_package(client, register, tmp_path, name):
    url = reverse(name)
    package = client.get(url, {"_export": "datapackage"}).json()
    (resource,) = package["resources"]
    assert local(resource["path"]).startswith(f"{url}?_export=csv")
    check_with_tools(client, resource, tmp_path)


def test_a_filtered_page_export_keeps_its_filters_in_the_package(client, register, tmp_path):
    url = reverse("mobility:mobility_explorer")
    package = client.get(url, {"origin": "KZ", "_export": "datapackage"}).json()
    (resource,) = package["resources"]
    frame = check_with_tools(client, resource, tmp_path)
    assert len(frame) and set(frame["origin_country"]) == {"KZ"}


def test_every_declaration_has_the_json_keys(rf):
    """A declared list (agreements.columns, mobility.columns) names every JSON key of its
    API, in the JSON's order: the CSV and XLSX columns are the JSON keys."""
    from cooperation.api_urls import router
    from cooperation.exports import check_serializer_keys

    declared = 0
    for _prefix, viewset_class, _basename in router.registry:
        if viewset_class.export_columnset is None:
            continue
        declared += 1
        view = viewset_class(request=rf.get("/"), format_kwarg=None, action="list")
        serializer = view.get_serializer()
        assert check_serializer_keys(viewset_class.export_columnset, serializer) == []
        json_keys = [k for k, field in serializer.fields.items() if not field.write_only]
        assert viewset_class.export_columnset.keys == json_keys
    assert declared >= 2
