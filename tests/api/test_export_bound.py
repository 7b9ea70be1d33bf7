"""Exports built row by row hold at most UNIBRIDGE_EXPORT_MAX_ROWS rows (cooperation.exports
check_export_size): past it the API answers a 400 naming ``format`` and the list page goes
back to the list, filters kept, with the message; a CSV that PostgreSQL writes has no bound."""

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from tests.base import field_errors
from tests.factories import EventFactory, MobilityFigureFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound(settings):
    settings.UNIBRIDGE_EXPORT_MAX_ROWS = 3
    return 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_api_export_past_the_bound_is_a_400_naming_format(bound, fmt):
    # People: a list whose CSV is built row by row on every database.
    for word in ["Shusha", "Shusha", "Shusha", "Other"]:
        PersonFactory(name=f"{word} Aliyev")
    response = APIClient().get("/api/people/", {"format": fmt})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    [message] = field_errors(response)["format"]
    assert "more than 3 rows" in message and fmt.upper() in message
    # Narrowed to the bound, the file holds every row.
    narrowed = APIClient().get("/api/people/", {"format": fmt, "q": "Shusha"})
    assert narrowed.status_code == 200


def test_the_list_page_goes_back_to_the_list_and_says_why(client, bound):
    for _ in range(4):
        EventFactory(title="Shusha forum")
    page = reverse("events:event_list")
    response = client.get(page, {"q": "Shusha", "_export": "xlsx"})
    assert response.status_code == 303
    assert response["Location"] == f"{page}?q=Shusha"
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert "more than 3 rows" in shown.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes this CSV")
def test_a_csv_written_by_postgresql_has_no_bound_and_xlsx_points_to_it(bound):
    for year in range(2010, 2015):
        MobilityFigureFactory(year=year)
        EventFactory(title=f"Forum {year}")
    csv = APIClient().get("/api/mobility-figures/", {"format": "csv"})
    assert csv.status_code == 200
    assert len(b"".join(csv.streaming_content).decode().strip().splitlines()) == 1 + 5
    xlsx = APIClient().get("/api/mobility-figures/", {"format": "xlsx"})
    [message] = field_errors(xlsx)["format"]
    assert "The CSV export of this list holds every row." in message
    # The events' too (events.columns).
    events = APIClient().get("/api/events/", {"format": "csv"})
    assert len(b"".join(events.streaming_content).decode().strip().splitlines()) == 1 + 5
    [message] = field_errors(APIClient().get("/api/events/", {"format": "xlsx"}))["format"]
    assert "The CSV export of this list holds every row." in message
