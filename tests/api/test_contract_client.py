"""The contract an integrator relies on: a client generated from the live schema with
openapi-python-client (offline, its CLI, in a temporary folder) lists, filters, creates,
updates, is refused a stale version with the declared 409 and a stale ETag with the
declared 412, and deletes, against a live server. What it parses is what the schema says;
a response the schema does not declare would come back unparsed (``parsed is None``)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import InstitutionFactory, SourceFactory, agreement_between

PACKAGE = "unibridge_contract_client"


def generate_client(schema: dict, folder: Path):
    (folder / "schema.json").write_text(json.dumps(schema))
    (folder / "config.yaml").write_text(
        f"post_hooks: []\nproject_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\n"
    )
    cli = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(
        [
            str(cli),
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--config",
            str(folder / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(folder))
    try:
        for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
            del sys.modules[name]
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_keeps_to_the_contract(live_server, tmp_path, django_user_model):
    superuser = django_user_model.objects.create_superuser("integrator", "i@example.org", None)
    token = Token.objects.create(user=superuser).key
    kz = InstitutionFactory(name="Al-Farabi Kazakh National University")
    az = InstitutionFactory(name="Baku State University", country="AZ")
    agreement_between(kz, az)
    SourceFactory(title="Older article")

    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as response:
        schema = json.load(response)
    generate_client(schema, tmp_path)
    client_module = importlib.import_module(f"{PACKAGE}.client")
    api = f"{PACKAGE}.api"
    models = importlib.import_module(f"{PACKAGE}.models")
    sources_list = importlib.import_module(f"{api}.sources.sources_list")
    sources_create = importlib.import_module(f"{api}.sources.sources_create")
    institutions_list = importlib.import_module(f"{api}.institutions.institutions_list")
    institutions_create = importlib.import_module(f"{api}.institutions.institutions_create")
    institutions_retrieve = importlib.import_module(f"{api}.institutions.institutions_retrieve")
    institutions_update = importlib.import_module(f"{api}.institutions.institutions_partial_update")
    institutions_destroy = importlib.import_module(f"{api}.institutions.institutions_destroy")
    stats = importlib.import_module(f"{api}.agreements.agreements_stats_retrieve")

    client = client_module.AuthenticatedClient(
        base_url=live_server.url, token=token, prefix="Token", raise_on_unexpected_status=True
    )

    # List and filter.
    page = institutions_list.sync(client=client, country=[models.CountryEnum("AZ")])
    assert [row.name for row in page.results] == ["Baku State University"]
    assert page.count == 1
    page = sources_list.sync(client=client, q="Older")
    assert [row.title for row in page.results] == ["Older article"]
    # A list parameter as generated clients send it (repeated): every value counts.
    counted = stats.sync(
        client=client,
        group_by=[
            models.AgreementsStatsRetrieveGroupByItem("year"),
            models.AgreementsStatsRetrieveGroupByItem("kind"),
        ],
    )
    assert counted.group_by == ["year", "kind"]
    assert counted.results[0].kind == models.AgreementKindEnum("memorandum")

    # Create: 201, with the new record's address.
    created = sources_create.sync_detailed(
        client=client,
        body=models.SourceRequest(title="New article", url="https://example.org/article-42"),
    )
    assert created.status_code == 201
    assert created.headers["Location"] == f"{live_server.url}/api/sources/{created.parsed.id}/"

    new = institutions_create.sync(
        client=client,
        body=models.InstitutionRequest(name="Khazar University", country=models.CountryEnum("AZ")),
    )
    read = institutions_retrieve.sync_detailed(new.id, client=client)
    etag, version = read.headers["ETag"], read.parsed.version

    # Update with the version read: 200, and a new version and ETag.
    updated = institutions_update.sync_detailed(
        new.id,
        client=client,
        body=models.PatchedInstitutionRequest(city="Baku", version=version),
    )
    assert updated.status_code == 200 and updated.parsed.version == version + 1
    assert updated.headers["ETag"] != etag

    # The same stale version again: the declared 409, parsed as the declared problem.
    stale = institutions_update.sync_detailed(
        new.id,
        client=client,
        body=models.PatchedInstitutionRequest(city="Ganja", version=version),
    )
    assert stale.status_code == 409
    assert isinstance(stale.parsed, models.Problem)
    assert stale.parsed.code == "edit_conflict" and stale.parsed.status == 409
    # A stale ETag: the declared 412.
    refused = institutions_update.sync_detailed(
        new.id, client=client, body=models.PatchedInstitutionRequest(city="Ganja"), if_match=etag
    )
    assert refused.status_code == 412 and refused.parsed.code == "precondition_failed"
    assert institutions_retrieve.sync(new.id, client=client).city == "Baku"

    # Delete, then the record is gone: the declared 404 problem.
    assert institutions_destroy.sync_detailed(new.id, client=client).status_code == 204
    gone = institutions_retrieve.sync_detailed(new.id, client=client)
    assert gone.status_code == 404 and gone.parsed.code == "not_found"
