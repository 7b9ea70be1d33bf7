"""The register's search keys (agreements.SearchKey, kept by agreements.keys): whatever
changes what an agreement is found by (its title, its parties, a party's names) changes
what the register's search finds at once, on the page, in the API and in the CSV alike;
a key rebuilt whole (after a COPY) is the key kept by the writes."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from agreements.keys import rebuild_search_keys
from agreements.models import Agreement, SearchKey
from agreements.services import agreements_bulk_create
from tests.base import read_csv
from tests.factories import (
    AgreementFactory,
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    PartyFactory,
    agreement_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    return (
        InstitutionFactory(name="Karaganda Medical University", country="KZ"),
        InstitutionFactory(name="Nakhchivan State University", country="AZ"),
    )


def found(client, query: str) -> set[int]:
    """The agreements a search finds, the same through the API, the page and its CSV."""
    api = client.get("/api/agreements/", {"q": query, "page_size": 100}).json()
    ids = {row["id"] for row in api["results"]}
    assert api["count"] == len(ids)
    page = client.get(reverse("agreements:agreement_list"), {"q": query, "per_page": 100})
    assert {row.record.pk for row in page.context["table"].page.object_list} == ids
    export = read_csv(
        client.get(reverse("agreements:agreement_list"), {"q": query, "_export": "csv"})
    )
    column = export[0].index("id")
    assert {int(row[column]) for row in export[1:]} == ids
    return ids


def test_a_changed_title_is_found_by_its_new_words(client, pair):
    agreement = agreement_between(*pair, title="Memorandum on nursing")
    assert found(client, "nursing") == {agreement.pk}
    agreement.title = "Memorandum on pharmacy"
    agreement.title_translations = {"ru": "Меморандум о фармации"}
    agreement.save()
    assert found(client, "nursing") == set()
    assert found(client, "pharmacy") == found(client, "фармации") == {agreement.pk}


def test_a_party_added_moved_or_removed(client, pair):
    karaganda, nakhchivan = pair
    agreement = agreement_between(karaganda, title="Memorandum")
    other = agreement_between(karaganda, title="Protocol")
    assert found(client, "Nakhchivan") == set()
    party = PartyFactory(agreement=agreement, institution=nakhchivan)
    assert found(client, "Nakhchivan") == {agreement.pk}
    party.agreement = other
    party.save()
    assert found(client, "Nakhchivan") == {other.pk}
    party.delete()
    assert found(client, "Nakhchivan") == set()
    assert found(client, "Karaganda") == {agreement.pk, other.pk}


def test_an_institutions_new_name_finds_its_agreements(client, pair):
    karaganda, nakhchivan = pair
    agreement = agreement_between(*pair, title="Memorandum")
    assert found(client, "КарМУ") == set()
    name = InstitutionNameFactory(institution=karaganda, name="КарМУ", kind="acronym")
    assert found(client, "КарМУ") == {agreement.pk}
    name.delete()
    assert found(client, "КарМУ") == set()
    assert found(client, "State") == {agreement.pk}
    nakhchivan.name = "Naxçıvan Müəllimlər İnstitutu"
    nakhchivan.save()
    assert found(client, "Müəllimlər") == found(client, "muallimlar") == {agreement.pk}
    assert found(client, "State") == set()


def test_deleting_an_agreement_takes_its_key(client, pair):
    agreement = agreement_between(*pair, title="Memorandum")
    agreement.delete()  # its parties' signals come after its key's delete
    assert not SearchKey.objects.exists()
    connection.check_constraints()  # no key left behind for the deleted agreement


def test_a_signing_session_is_found_at_once(client, pair):
    karaganda, nakhchivan = pair
    result = agreements_bulk_create(
        event=EventFactory(),
        rows=[{"parties": [karaganda.pk, nakhchivan.pk], "title": "Memorandum on surgery"}],
        defaults={"kind": "memorandum", "areas": ["student_exchange"]},
    )
    assert result.saved, result.rows[0].errors
    saved = Agreement.objects.get()
    assert found(client, "surgery Karaganda") == {saved.pk}


def test_a_title_in_a_script_that_does_not_fold_is_found_as_typed(client, pair):
    agreement = agreement_between(
        *pair, title="Memorandum", title_translations={"ru": "北京 备忘录"}
    )
    assert found(client, "北京") == {agreement.pk}
    assert found(client, "备忘") == {agreement.pk}


def test_the_rebuilt_keys_are_those_the_writes_kept(pair):
    agreement_between(*pair, title="Memorandum on nursing", reference_code="KMU-7")
    AgreementFactory(title="Без сторон")
    InstitutionNameFactory(institution=pair[0], name="КарМУ", kind="acronym")
    kept = dict(SearchKey.objects.values_list("agreement_id", "key"))
    assert len(kept) == Agreement.objects.count() == 2
    assert rebuild_search_keys() == 2
    assert dict(SearchKey.objects.values_list("agreement_id", "key")) == kept
    SearchKey.objects.all().delete()
    call_command("rebuild_search_keys", verbosity=0)
    assert dict(SearchKey.objects.values_list("agreement_id", "key")) == kept


def test_a_search_reads_a_bounded_number_of_queries(client, pair, django_assert_max_num_queries):
    for n in range(30):
        agreement_between(*pair, title=f"Exchange {n}")
    for query in ("университет", "Karaganda exchange", "Karagandda"):
        with django_assert_max_num_queries(12):
            assert client.get("/api/agreements/", {"q": query}).status_code == 200


def test_a_register_deleted_by_queryset_leaves_no_key(client, pair):
    agreement_between(*pair, title="Memorandum")
    agreement_between(*pair, title="Protocol")
    Agreement.objects.all().delete()
    assert not SearchKey.objects.exists()
    connection.check_constraints()


def test_agreements_loaded_from_a_fixture_are_found(
    client, pair, tmp_path, django_capture_on_commit_callbacks
):
    agreement = agreement_between(*pair, title="Memorandum on dentistry")
    fixture = tmp_path / "register.json"
    call_command(
        "dumpdata", "agreements.agreement", "agreements.party", output=str(fixture), verbosity=0
    )
    Agreement.objects.all().delete()
    assert found(client, "dentistry") == set()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", str(fixture), verbosity=0)
    assert found(client, "dentistry Nakhchivan") == {agreement.pk}
