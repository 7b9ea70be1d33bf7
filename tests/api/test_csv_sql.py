"""CSV exports written by PostgreSQL (cooperation.csv_sql) are byte for byte the exports the
serializer and the table write, on values chosen to hit every rule: quoting, formula-like
text, empty and missing values, dates, time stamps with and without microseconds in two
UTC offsets of Almaty's history, Cyrillic."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from cooperation import csv_sql
from mobility.api import MobilityFigureViewSet
from mobility.models import MobilityFigure
from mobility.tables import MobilityFigureTable
from tests.factories import (
    InstitutionFactory,
    IscedFieldFactory,
    MobilityFigureFactory,
    SourceFactory,
)

API = "/api/mobility-figures/"
PAGE = "mobility:mobility_explorer"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL writes these lines; SQLite never does"
)


def test_every_api_export_column_is_declared_for_postgresql(rf):
    view = MobilityFigureViewSet(request=None, format_kwarg=None, action="list")
    names = [column.name for column in view.get_export_columns()]
    assert sorted(names) == sorted(MobilityFigureViewSet.export_sql_columns)


def test_every_page_export_column_is_declared_for_postgresql():
    table = MobilityFigureTable(MobilityFigure.objects.none())
    names = [column.name for column in table.columns.iterall()]
    assert sorted(names) == sorted(MobilityFigureTable.csv_sql_columns)


@pytest.fixture
def tricky(db):
    source = SourceFactory(title='Report "A", 2024\nsecond line')
    home = InstitutionFactory(name="=HYPERLINK(1), Almaty")
    host = InstitutionFactory(name="Бакинский государственный университет", country="AZ")
    field = IscedFieldFactory(code="0511", name_en="Biology, general")
    figures = [
        MobilityFigureFactory(
            source=source, home_institution=home, host_institution=host, field=field,
            notes="-5 places; \"quoted\", and\r\nbroken", host_institution_count=58,
            measure="stock", as_of=datetime.date(2020, 9, 1), year=2020, qualifier="about",
        ),
        MobilityFigureFactory(notes="", year=2021, value=0),
        MobilityFigureFactory(notes="@mention", year=2019, level="7", sex="female"),
        MobilityFigureFactory(notes="+1", year=2018, origin_country="KZ", destination_country="TR"),
    ]  # fmt: skip
    # Time stamps with and without microseconds, before and after Almaty's move from UTC+6
    # to UTC+5 (March 2024), and one at midnight UTC.
    stamps = [
        datetime.datetime(2023, 6, 1, 10, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2024, 12, 31, 23, 59, 59, 5, tzinfo=datetime.UTC),
        datetime.datetime(2000, 1, 1, 0, 0, 0, tzinfo=datetime.UTC),
    ]
    for figure, stamp in zip(figures, stamps, strict=True):
        MobilityFigure.objects.filter(pk=figure.pk).update(created_at=stamp, updated_at=stamp)
    return figures


def body(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def both_ways(monkeypatch, fetch) -> tuple[bytes, bytes]:
    with CaptureQueriesContext(connection) as captured:
        by_sql = fetch()
    assert any("_csv_line" in query["sql"] for query in captured.captured_queries)
    monkeypatch.setattr(csv_sql, "supported", lambda queryset: False)
    with CaptureQueriesContext(connection) as captured:
        by_python = fetch()
    assert not any("_csv_line" in query["sql"] for query in captured.captured_queries)
    return by_sql, by_python


@postgresql_only
@pytest.mark.parametrize("zone", ["Asia/Almaty", "UTC", "America/New_York"])
def test_api_csv_by_postgresql_equals_the_serializer_path(tricky, monkeypatch, settings, zone):
    settings.TIME_ZONE = zone
    client = APIClient()
    by_sql, by_python = both_ways(
        monkeypatch, lambda: body(client.get(API, {"format": "csv", "ordering": "id"}))
    )
    assert by_sql == by_python
    assert by_sql.startswith("\ufeffid,origin_country".encode())
    assert by_sql.count(b"'=HYPERLINK") == 1  # the formula guard holds


@postgresql_only
def test_api_csv_by_postgresql_keeps_the_filters(tricky, monkeypatch):
    client = APIClient()
    params = {"format": "csv", "origin": "KZ"}
    by_sql, by_python = both_ways(monkeypatch, lambda: body(client.get(API, params)))
    assert by_sql == by_python
    assert len(by_sql.decode().splitlines()) == 2  # the header and the one KZ figure


@postgresql_only
@pytest.mark.parametrize("params", [{}, {"sort": "-value"}, {"origin": "AZ", "sort": "source"}])
def test_page_csv_by_postgresql_equals_the_table_path(client, tricky, monkeypatch, params):
    url = reverse(PAGE)
    by_sql, by_python = both_ways(
        monkeypatch, lambda: body(client.get(url, {**params, "_export": "csv"}))
    )
    # Rows that tie on the sort may come in either order, as in two runs of either path.
    assert by_sql.splitlines()[0] == by_python.splitlines()[0]
    assert sorted(by_sql.split(b"\r\n")) == sorted(by_python.split(b"\r\n"))
    assert by_sql.endswith(b"\r\n")
