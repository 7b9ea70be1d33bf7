"""The benchmark's hand-written statement of the totals' rules (bench/totals.py, the "raw
SQL" that issue 18 measures ``/api/mobility-figures/totals/`` against) gives the API's
numbers on random sets of figures: the ratio in bench/RESULTS.md compares like with like.
And filters picking several values of a column select what each value selects."""

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from bench.totals import query_string, raw_totals, totals_of_api
from tests.factories import MobilityFigureFactory
from tests.test_mobility_totals import TOTALS, figure_specs, make_figures

pytestmark = pytest.mark.django_db

CASES = [
    (["year"], {}),
    (["year", "origin", "destination"], {"origin": ["KZ", "AZ"], "destination": "KZ"}),
    (["year", "mobility_type", "level", "sex"], {}),
    (["level", "field"], {"measure": "stock"}),
    (["year"], {"level": ["6", "7"], "year_min": 2025}),
    (["year"], {"level": ["all", "6"], "sex": "female"}),
    (["year", "origin", "destination", "mobility_type", "level", "field", "sex"], {}),
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's")
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=figure_specs, case=st.sampled_from(CASES))
def test_the_benchmarks_statement_gives_the_apis_totals(specs, case):
    group_by, filters = case
    with transaction.atomic():
        make_figures(specs)
        response = APIClient().get(f"{TOTALS}?{query_string(filters, group_by=','.join(group_by))}")
        assert response.status_code == 200
        with connection.cursor() as cursor:
            expected = raw_totals(cursor, group_by, filters)
        assert totals_of_api(response.json(), group_by) == expected
        transaction.set_rollback(True)


def test_several_values_of_a_column_select_each_ones_figures(client, django_assert_max_num_queries):
    MobilityFigureFactory(origin_country="KZ", destination_country="AZ", year=2024, value=10)
    MobilityFigureFactory(origin_country="AZ", destination_country="KZ", year=2024, value=20)
    MobilityFigureFactory(origin_country="TR", destination_country="KZ", year=2024, value=40)
    MobilityFigureFactory(
        origin_country="KZ",
        destination_country="AZ",
        year=2024,
        value=80,
        mobility_type="researchers",
    )
    params = {"origin": ["KZ", "AZ"], "mobility_type": ["students", "researchers"]}
    listed = APIClient().get("/api/mobility-figures/", params).json()
    assert sorted(row["value"] for row in listed["results"]) == [10, 20, 80]
    with django_assert_max_num_queries(5):
        totals = APIClient().get(TOTALS, {**params, "group_by": "origin"}).json()["results"]
    assert sorted((row["origin"], row["value"]) for row in totals) == [("AZ", 20), ("KZ", 90)]
    page = client.get("/mobility/", {**params, "pivot": "direction"})
    assert page.context["table"].paginator.count == 3
    assert sorted(cell.total["value"] for *_rest, cell in page.context["pivot_table"].cells) == [
        20,
        90,
    ]
