"""The register's and the directory's search at scale (issue 18): through trigram indexes on
PostgreSQL, where a misspelt word still finds; as typed on SQLite. The same behaviour is
asserted on both databases, apart from the misspellings."""

import pytest
from django.db import connection
from django.urls import reverse

from agreements.models import Agreement
from cooperation.translations import translations_contain
from tests.factories import InstitutionFactory, InstitutionNameFactory, agreement_between
from universities.models import Institution

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def register():
    almaty = InstitutionFactory(name="Almaty Technological University", country="KZ")
    InstitutionNameFactory(institution=almaty, name="Алматинский технологический университет")
    atyrau = InstitutionFactory(name="Atyrau University of Oil and Gas", country="KZ")
    baku = InstitutionFactory(name="Baku Engineering University", country="AZ")
    astana = InstitutionFactory(name="Astana Medical Academy", country="KZ")
    return {
        "almaty": almaty,
        "atyrau": atyrau,
        "baku": baku,
        "astana": astana,
        "almaty-baku": agreement_between(almaty, baku, title="Memorandum on student exchange"),
        "atyrau-baku": agreement_between(atyrau, baku, title="Memorandum on oil engineering"),
        "astana-baku": agreement_between(
            astana, baku, title="Protocol on medicine", reference_code="AMA-2025-7"
        ),
        "hidden": agreement_between(almaty, astana, title="Almaty memorandum", is_public=False),
    }


def found(client, query: str) -> set[int]:
    answer = client.get("/api/agreements/", {"q": query})
    assert answer.status_code == 200
    ids = [row["id"] for row in answer.json()["results"]]
    assert answer.json()["count"] == len(ids)
    return set(ids)


def directory(client, query: str) -> set[int]:
    answer = client.get("/api/institutions/", {"q": query})
    assert answer.status_code == 200
    return {row["id"] for row in answer.json()["results"]}


def test_every_word_in_the_title_the_code_or_a_partys_name(client, register):
    r = register
    assert found(client, "almaty") == {r["almaty-baku"].pk}  # the hidden one stays hidden
    assert found(client, "Atyrau University") == {r["atyrau-baku"].pk}
    assert found(client, "технологический") == {r["almaty-baku"].pk}  # a Russian label
    assert found(client, "Алматы") == {r["almaty-baku"].pk}  # Cyrillic finds Latin names
    assert found(client, "baku memorandum") == {r["almaty-baku"].pk, r["atyrau-baku"].pk}
    assert found(client, "ama-2025") == {r["astana-baku"].pk}  # the reference code
    assert found(client, "AMA 2025 7") == {r["astana-baku"].pk}
    assert found(client, "oil exchange") == set()  # every word, not any
    assert found(client, "Memorandum OIL") == {r["atyrau-baku"].pk}
    assert found(client, "Меморандум oil") == {r["atyrau-baku"].pk}  # titles in any script too


def test_a_generic_word_finds_what_it_finds_in_the_directory(client, register):
    """One rule for what a word finds in a name (universities.models.spelled_condition):
    "университет" finds every university, in the directory and among the parties, as
    "мұнай" finds "Oil" (universities.models.same_word_spellings)."""
    r = register
    public = {r[key].pk for key in ("almaty-baku", "atyrau-baku", "astana-baku")}
    for word, institutions in (
        ("университет", {r["almaty"].pk, r["atyrau"].pk, r["baku"].pk}),
        ("мұнай", {r["atyrau"].pk}),
        ("academy", {r["astana"].pk}),
    ):
        assert directory(client, word) == institutions
        parties_of = {
            pk
            for pk in public
            if Agreement.objects.get(pk=pk).parties.filter(institution__in=institutions).exists()
        }
        assert found(client, word) == parties_of, word


def test_a_misspelt_party_found_on_postgresql_only(client, register):
    """PostgreSQL takes a word found nowhere as typed for a misspelling; SQLite finds
    words as typed."""
    r = register
    expected = {r["almaty-baku"].pk} if POSTGRESQL else set()
    assert found(client, "Almatty") == expected
    assert found(client, "Almatty exchange") == expected
    assert directory(client, "Almatty") == ({r["almaty"].pk} if POSTGRESQL else set())
    assert directory(client, "Almatty university") == ({r["almaty"].pk} if POSTGRESQL else set())


def test_a_word_found_as_typed_finds_no_look_alikes(client, register):
    """The exact match comes first: "Astana" is not taken for a misspelt "Atyrau" or
    "Almaty" when some names hold it."""
    r = register
    assert found(client, "astana") == {r["astana-baku"].pk}
    assert directory(client, "Astana") == {r["astana"].pk}
    assert directory(client, "Xyzzyq") == set()  # like nothing at all


def test_a_misspelt_title_word_found_on_postgresql(client, register):
    expected = {register["atyrau-baku"].pk} if POSTGRESQL else set()
    assert found(client, "enginering oil") == expected


def test_page_search_queries_are_bounded(
    client, register, django_assert_max_num_queries, monkeypatch
):
    for n in range(30):
        agreement_between(register["almaty"], register["baku"], title=f"Exchange {n}")
    for url in (reverse("agreements:agreement_list"), "/api/agreements/"):
        with django_assert_max_num_queries(14):
            assert client.get(url, {"q": "almaty baku exchange memorandum"}).status_code == 200
        with django_assert_max_num_queries(14):
            assert client.get(url, {"q": "Almatty"}).status_code == 200
    for url in (reverse("universities:institution_list"), "/api/institutions/"):
        with django_assert_max_num_queries(10):
            assert client.get(url, {"q": "Almatty university"}).status_code == 200


@pytest.mark.skipif(not POSTGRESQL, reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Institution.objects.search("almaty"), "institution_search_trgm"),
        (lambda: Institution.objects.search("almatty"), "institution_search_trgm"),
        (lambda: Agreement.objects.filter(title__icontains="Memo"), "agreement_title_trgm"),
        (
            lambda: Agreement.objects.filter(reference_code__icontains="ama"),
            "agreement_reference_trgm",
        ),
        # The titles' translations (cooperation.translations): each language a column of
        # one index per table.
        (
            lambda: Agreement.objects.filter(translations_contain("title", "мұнай")),
            "agreement_title_translations_trgm",
        ),
        # The register's ?q=: one key per agreement (agreements.SearchKey).
        (lambda: Agreement.objects.search("мұнай"), "agreement_search_key_trgm"),
        (lambda: Agreement.objects.search("almaty memorandum"), "agreement_search_key_trgm"),
        (lambda: event_search("форум"), "event_title_translations_trgm"),
        (lambda: event_search("форум"), "event_city_translations_trgm"),
        # The events' and people's ?q= (EventFilterSet, PersonFilterSet, search everywhere).
        (lambda: event_search("forum"), "event_title_trgm"),
        (lambda: event_search("forum"), "event_city_trgm"),
        (lambda: event_search("forum"), "event_description_trgm"),
        (lambda: person_search("rashad"), "person_name_trgm"),
        (lambda: person_search("рашад"), "person_name_local_trgm"),
        (lambda: person_search("rector"), "person_position_trgm"),
    ],
)
def test_search_can_read_the_trigram_indexes(register, queryset, index):
    """The indexes' expressions are those the lookups write: the planner may use them
    (on a handful of rows it prefers a scan, hence seqscan off; and a walk of a key's
    primary key index, hence plain index scans off: a trigram index is read by bitmap)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset().order_by().explain()
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("SET LOCAL enable_indexscan = on")
    assert index in plan, plan


def event_search(query: str):
    from events.filtersets import EventFilterSet
    from events.models import Event

    return EventFilterSet({"q": query}, queryset=Event.objects.all()).qs


def person_search(query: str):
    from events.filtersets import PersonFilterSet
    from events.models import Person

    return PersonFilterSet({"q": query}, queryset=Person.objects.all()).qs
