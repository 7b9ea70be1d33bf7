"""Partner maps (universities.maps): the dashboard's pair, a profile's partners and the
directory's map view place the same institutions and count the same agreements as the
lists beside them; hidden agreements draw no line; an institution without coordinates is
placed at its city, or listed beside the map."""

import json
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import InstitutionFactory, agreement_between
from universities import maps

pytestmark = pytest.mark.django_db


def embedded(response, element_id: str) -> dict:
    html = response.content.decode()
    start = html.index(f'<script id="{element_id}" type="application/json">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


@pytest.fixture
def pair():
    almaty = InstitutionFactory(
        name="Almaty University", latitude=Decimal("43.24"), longitude=Decimal("76.89")
    )
    # No coordinates of its own, in a city where the register places another institution.
    astana = InstitutionFactory(name="Astana Institute", city="Astana")
    InstitutionFactory(
        name="Astana Reference",
        city="Astana",
        latitude=Decimal("51.16"),
        longitude=Decimal("71.47"),
    )
    baku = InstitutionFactory(
        name="Baku University", country="AZ", city="Baku",
        latitude=Decimal("40.41"), longitude=Decimal("49.87"),
    )  # fmt: skip
    nowhere = InstitutionFactory(name="Ganja Academy", country="AZ", city="")
    warsaw = InstitutionFactory(
        name="Warsaw University", country="PL", city="Warsaw",
        latitude=Decimal("52.24"), longitude=Decimal("21.02"),
    )  # fmt: skip
    agreement_between(almaty, baku)
    agreement_between(almaty, baku)
    agreement_between(astana, baku)
    agreement_between(almaty, nowhere)
    agreement_between(almaty, warsaw)  # another pair: not on the KZ-AZ map
    agreement_between(astana, nowhere, is_public=False)  # hidden from anonymous readers
    return {"almaty": almaty, "astana": astana, "baku": baku, "nowhere": nowhere}


def test_dashboard_map_draws_the_pairs_partnerships(client, pair):
    response = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    data = embedded(response, "pair-map-data")
    names = {point["name"]: point for point in data["points"]}
    assert set(names) == {"Almaty University", "Astana Institute", "Baku University"}
    assert names["Astana Institute"]["approximate"] is True
    assert (names["Astana Institute"]["lat"], names["Astana Institute"]["lon"]) == (51.16, 71.47)
    assert names["Almaty University"]["approximate"] is False
    links = {(link["a_name"], link["b_name"]): link["n"] for link in data["links"]}
    assert links == {
        ("Almaty University", "Baku University"): 2,
        ("Astana Institute", "Baku University"): 1,
    }
    # Placed nowhere: listed beside the map; the hidden agreement draws nothing.
    assert [item["name"] for item in data["unplaced"]] == ["Ganja Academy"]
    html = response.content.decode()
    assert "1 institution without coordinates, not on the map" in html
    assert (
        "The map&#x27;s 2 partnerships as a list" in html
        or "The map's 2 partnerships as a list" in html
    )


def test_the_map_and_the_profile_count_the_same_agreements(client, pair):
    dashboard = embedded(client.get(reverse("dashboard") + "?pair=KZ-AZ"), "pair-map-data")
    profile = client.get(pair["baku"].get_absolute_url())
    partners = {p["institution"].name: p["agreement_count"] for p in profile.context["partners"]}
    for link in dashboard["links"]:
        assert partners[link["a_name"]] == link["n"]
    profile_map = embedded(profile, "partner-map-data")
    [focus] = [point for point in profile_map["points"] if point["focus"]]
    assert focus["name"] == "Baku University"
    assert {link["b_name"]: link["n"] for link in profile_map["links"]} == {
        "Almaty University": 2, "Astana Institute": 1,
    }  # fmt: skip


def test_a_hidden_agreement_draws_a_line_for_staff_only(admin_client, client, pair):
    anonymous = embedded(client.get(pair["astana"].get_absolute_url()), "partner-map-data")
    staff = embedded(admin_client.get(pair["astana"].get_absolute_url()), "partner-map-data")
    assert [item["name"] for item in anonymous["unplaced"]] == []
    assert [item["name"] for item in staff["unplaced"]] == ["Ganja Academy"]


def test_directory_map_follows_the_directory_filters(client, pair, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("universities:institution_map"), {"country": "AZ"})
    data = embedded(response, "directory-map-data")
    assert [point["name"] for point in data["points"]] == ["Baku University"]
    assert data["unplaced_count"] == 1
    assert f"{reverse('universities:institution_list')}?country=AZ" in response.content.decode()
    # The directory links to the map of its rows.
    listing = client.get(reverse("universities:institution_list"), {"country": "AZ", "page": 1})
    assert f"{reverse('universities:institution_map')}?country=AZ" in listing.content.decode()


def test_directory_map_says_when_it_shows_part(client, pair, monkeypatch):
    monkeypatch.setattr("universities.views.MAP_MAX_POINTS", 2)
    response = client.get(reverse("universities:institution_map"))
    assert "The map shows 2 of 6 institutions" in response.content.decode()


def test_directory_map_with_an_invalid_filter_says_so(client, pair):
    response = client.get(reverse("universities:institution_map"), {"country": "XX"})
    assert response.status_code == 200
    assert "Some filters are not valid." in response.content.decode()


def test_the_map_is_served_by_the_app():
    for path in [
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/topojson-client/topojson-client.min.js",
        maps.BASEMAP,
        "js/partner-map.js",
    ]:
        assert finders.find(path), path
