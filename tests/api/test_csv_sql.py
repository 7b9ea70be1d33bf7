"""CSV exports written by PostgreSQL (cooperation.csv_sql) are byte for byte the exports the
serializer and the table write, on values chosen to hit every rule: quoting, formula-like
text, empty and missing values, dates, time stamps with and without microseconds in two
UTC offsets of Almaty's history, Cyrillic."""

import datetime

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient, APIRequestFactory

from cooperation import csv_sql
from cooperation.exports import check_serializer_keys
from mobility.api import MobilityFigureViewSet
from mobility.columns import MOBILITY_FIGURES
from mobility.models import MobilityFigure
from mobility.views import MobilityExplorerView
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
    assert names == MOBILITY_FIGURES.keys
    assert sorted(names) == sorted(MOBILITY_FIGURES.sql_columns())


def test_the_declared_columns_are_the_json_keys(rf):
    request = rf.get("/")
    view = MobilityFigureViewSet(request=request, format_kwarg=None, action="list")
    assert check_serializer_keys(MOBILITY_FIGURES, view.get_serializer()) == []


def test_the_page_export_is_the_declared_one():
    # The explorer exports what the API exports (cooperation.views.FilteredListView).
    assert MobilityExplorerView.export_viewset is MobilityFigureViewSet


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
    # to UTC+5 (March 2024), one at midnight UTC, and one with an offset in seconds.
    stamps = [
        datetime.datetime(2023, 6, 1, 10, 0, 0, tzinfo=datetime.UTC),
        # Local mean time: Almaty was UTC+05:07:48 until 1924, New York -04:56:02 until 1883.
        datetime.datetime(1880, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2024, 12, 31, 23, 59, 59, 5, tzinfo=datetime.UTC),
        datetime.datetime(2000, 1, 1, 0, 0, 0, tzinfo=datetime.UTC),
    ]
    for figure, stamp in zip(figures, stamps, strict=True):
        MobilityFigure.objects.filter(pk=figure.pk).update(created_at=stamp, updated_at=stamp)
    # An empty code, which nothing in the database forbids: an empty cell, as csv.writer
    # writes it (COPY would write "").
    MobilityFigure.objects.filter(pk=figures[1].pk).update(qualifier="")
    return figures


def body(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def both_ways(monkeypatch, fetch) -> tuple[bytes, bytes]:
    copies = []
    copy_out = csv_sql._copy_out

    def recorded(raw_cursor, sql):
        copies.append(sql)
        return copy_out(raw_cursor, sql)

    monkeypatch.setattr(csv_sql, "_copy_out", recorded)
    by_sql = fetch()
    assert len(copies) == 1 and copies[0].startswith(b"COPY (")
    monkeypatch.setattr(csv_sql, "supported", lambda queryset: False)
    by_python = fetch()
    assert len(copies) == 1
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


@postgresql_only
def test_a_reader_who_leaves_stops_the_copy_and_the_connection_goes_on(db, monkeypatch):
    import threading

    MobilityFigureFactory.create_batch(60)
    monkeypatch.setattr(csv_sql, "CHUNK_BYTES", 64)  # a chunk every row or so
    monkeypatch.setattr(csv_sql, "QUEUE_CHUNKS", 1)  # the copy waits on the reader
    # The view itself, not the test client, whose wrapper would close the test's database
    # connection when the response is closed.
    view = MobilityFigureViewSet.as_view({"get": "list"})
    response = view(APIRequestFactory().get(API, {"format": "csv"}))
    stream = response.streaming_content
    assert next(stream).startswith("\ufeffid,".encode())  # the header
    assert next(stream)  # the first lines
    # The reader went away: the server closes the response mid-way.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert not [t for t in threading.enumerate() if t.name == "csv-copy"]
    # The copy was cancelled and its transaction rolled back: the connection still works.
    assert MobilityFigure.objects.count() == 60


@postgresql_only
def test_a_failing_copy_is_an_error_not_a_truncated_file(db):
    columns = [csv_sql.CsvColumn("value", "plain"), csv_sql.CsvColumn("notes")]
    queryset = MobilityFigure.objects.order_by("pk")
    MobilityFigureFactory.create_batch(3)
    assert len(b"".join(csv_sql.csv_lines(queryset, columns)).splitlines()) == 3
    broken = [csv_sql.CsvColumn(csv_sql._Sql("1 / (({0}) - ({0}))", F("value")), "text")]
    with pytest.raises(Exception, match="division by zero"):
        b"".join(csv_sql.csv_lines(queryset, broken))
    assert MobilityFigure.objects.count() == 3
