"""Search everywhere (cooperation.search_everywhere): the page, the API and each list answer a query
alike, each kind by its own list's rule, among what the reader may see."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.base import field_errors
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    PersonFactory,
    SourceFactory,
    agreement_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    farabi = InstitutionFactory(name="Al-Farabi Kazakh National University")
    InstitutionNameFactory(institution=farabi, name="КазНУ", language="ru", kind="acronym")
    InstitutionNameFactory(institution=farabi, name="KazNU", language="en", kind="acronym")
    baku = InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    agreement_between(farabi, baku, title="Memorandum on student exchange")
    agreement_between(farabi, baku, title="Secret memorandum", is_public=False)
    EventFactory(title="Forum of rectors at Al-Farabi", city="Almaty")
    PersonFactory(name="Zhansulu Farabiyeva", position="Vice-rector")
    SourceFactory(title="Al-Farabi University signs with Baku")
    return {"farabi": farabi, "baku": baku}


def groups_of(response) -> dict[str, dict]:
    return {group["key"]: group for group in response.json()["groups"]}


def test_an_acronym_in_either_script_finds_the_university_and_says_which_name(register):
    for written in ["КазНУ", "казну", "KazNU"]:
        groups = groups_of(APIClient().get("/api/search/", {"q": written}))
        [result] = groups["institutions"]["results"]
        assert result["label"] == "Al-Farabi Kazakh National University"
        assert result["matched"] == ("KazNU" if written == "KazNU" else "КазНУ")
        assert result["url"] == register["farabi"].get_absolute_url()


def test_every_group_is_its_lists_search(client, register):
    """Each kind's count is what its list counts for ?q= (the page and the API alike)."""
    api = groups_of(APIClient().get("/api/search/", {"q": "farabi", "limit": 10}))
    assert set(api) == {"institutions", "agreements", "events", "people", "sources"}
    lists = {
        "institutions": "/api/institutions/",
        "agreements": "/api/agreements/",
        "events": "/api/events/",
        "people": "/api/people/",
        "sources": "/api/sources/",
    }
    for key, url in lists.items():
        listed = APIClient().get(url, {"q": "farabi"}).json()["count"]
        assert api[key]["count"] == listed == len(api[key]["results"]), key
        if api[key]["list_url"]:
            page = client.get(api[key]["list_url"])
            assert page.context["table"].paginator.count == listed, key
    # The agreement tells itself apart by its parties.
    [agreement] = api["agreements"]["results"]
    assert (
        "Al-Farabi Kazakh National University (KZ); Baku State University (AZ)"
        in agreement["detail"]
    )


def test_a_hidden_agreement_is_found_by_staff_only(client, admin_client, register):
    anonymous = client.get(reverse("search"), {"q": "secret"})
    assert "Nothing in the register matches “secret”." in anonymous.content.decode()
    staff = admin_client.get(reverse("search"), {"q": "secret"})
    assert [r["label"] for g in staff.context["groups"] for r in g["results"]] == [
        "Secret memorandum"
    ]


def test_bad_input_is_a_400_naming_the_parameter(register):
    api = APIClient()
    assert "q" in field_errors(api.get("/api/search/"))
    assert "q" in field_errors(api.get("/api/search/", {"q": "x" * 201}))
    assert "limit" in field_errors(api.get("/api/search/", {"q": "farabi", "limit": "0"}))
    assert "limit" in field_errors(api.get("/api/search/", {"q": "farabi", "limit": "ten"}))
    assert "page" in field_errors(api.get("/api/search/", {"q": "farabi", "page": "2"}))


def test_the_page_without_a_query_or_with_a_long_one(client):
    empty = client.get(reverse("search"))
    assert empty.status_code == 200 and empty.context["groups"] == []
    long = client.get(reverse("search"), {"q": "x" * 300})
    assert "A search holds at most 200 characters." in long.content.decode()


def test_a_count_stops_at_its_limit(register, monkeypatch):
    monkeypatch.setattr("cooperation.search_everywhere.COUNT_LIMIT", 1)
    for n in range(3):
        EventFactory(title=f"Farabi readings {n}")
    events = groups_of(APIClient().get("/api/search/", {"q": "farabi", "limit": 1}))["events"]
    assert events["more"] is True and events["count_text"] == "more than 1"


def test_query_count_does_not_grow_with_matches(register, django_assert_max_num_queries):
    for n in range(20):
        agreement_between(register["farabi"], register["baku"], title=f"Farabi protocol {n}")
    with django_assert_max_num_queries(25):
        response = APIClient().get("/api/search/", {"q": "farabi", "limit": 10})
    assert response.status_code == 200
