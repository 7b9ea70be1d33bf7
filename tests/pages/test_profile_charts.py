"""The profile's charts and the dashboard's carry their numbers as tables too, and they are
the register's: agreements per year as the register counts them for the institution,
partners per country adding up to the profile's partner count."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import InstitutionFactory, agreement_between

pytestmark = pytest.mark.django_db


def test_profile_charts_agree_with_the_register(client):
    home = InstitutionFactory(name="Home University")
    partners = [
        InstitutionFactory(country="AZ", city="Baku"),
        InstitutionFactory(country="AZ", city="Baku"),
        InstitutionFactory(country="TR", city="Ankara"),
    ]
    for partner, year in zip(partners, [2019, 2019, 2024], strict=True):
        agreement_between(home, partner, signed_on=datetime.date(year, 5, 1))
    agreement_between(home, partners[2], signed_on=datetime.date(2024, 6, 1), is_public=False)
    response = client.get(home.get_absolute_url())
    charts = response.context["profile_charts"]
    assert charts["per_year"]["rows"] == [("2019", 2), ("2024", 1)]  # the hidden one left out
    for year, count in charts["per_year"]["rows"]:
        listed = client.get(
            "/api/agreements/",
            {
                "institution_id": home.pk,
                "signed_after": f"{year}-01-01",
                "signed_before": f"{year}-12-31",
            },
        ).json()["count"]
        assert listed == count
    assert charts["by_country"]["rows"] == [("Azerbaijan", 2), ("Türkiye", 1)]
    assert sum(n for _c, n in charts["by_country"]["rows"]) == response.context["partner_count"]
    html = response.content.decode()
    assert html.count('<div class="chart-data"><table>') == 2


def test_dashboard_charts_have_their_tables(client):
    a = InstitutionFactory(country="KZ")
    b = InstitutionFactory(country="AZ", city="Baku")
    agreement_between(a, b, signed_on=datetime.date(2024, 4, 6))
    response = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    assert response.context["per_year"]["rows"] == [(2024, 1)]
    assert '<div class="chart-data"><table>' in response.content.decode()
