"""CSV exports written by PostgreSQL (cooperation.csv_sql) are byte for byte the exports the
serializer and the table write, on values chosen to hit every rule: quoting, formula-like
text, empty and missing values, dates, time stamps with and without microseconds in two
UTC offsets of Almaty's history, Cyrillic."""

import csv
import datetime
import io
import json

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient, APIRequestFactory

from agreements.api import AgreementViewSet
from agreements.columns import AGREEMENTS
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


# --------------------------------------------------------------------------- agreements
# The register's CSV: its list-valued columns (parties, conditions, areas, sources) are
# JSON arrays that PostgreSQL puts together (agreements.columns), byte for byte as the
# serializer and json.dumps write them.

AGREEMENTS_API = "/api/agreements/"


def test_every_agreement_column_is_declared_for_postgresql():
    view = AgreementViewSet(request=None, format_kwarg=None, action="list")
    assert [column.name for column in view.get_export_columns()] == AGREEMENTS.keys
    assert list(AGREEMENTS.sql_columns()) == AGREEMENTS.keys


@pytest.fixture
def tricky_agreements(db):
    from agreements.models import Agreement, CooperationArea
    from tests.factories import (
        AgreementFactory,
        CooperationConditionFactory,
        EventFactory,
        PartyFactory,
        PersonFactory,
    )

    almaty = InstitutionFactory(name='=SUM(1) "Almaty", \\ tab\there')
    baku = InstitutionFactory(name="Бакинский государственный университет\nфилиал", country="AZ")
    rector = PersonFactory(name="Рашад «Мамедов» \u0007")
    event = EventFactory(title="+Forum, 2025", title_translations={"ru": "Форум, 2025"})
    framework = AgreementFactory(title="Framework", is_public=False, status="in_effect")
    first = AgreementFactory(
        title='-Memorandum "A"',
        reference_code="@ref",
        event=event,
        parent=framework,
        description="line one\r\nline two",
        is_public=True,
        document="agreements/a.pdf",
        title_translations={"ru": 'Меморандум "А"\tи\\', "kk": "=Меморандум, 2025"},
    )
    PartyFactory(
        agreement=first, institution=almaty, signatory=rector, signed_on=datetime.date(2025, 4, 6)
    )
    PartyFactory(agreement=first, institution=baku)
    condition = CooperationConditionFactory(
        agreement=first,
        sending_institution=almaty,
        receiving_institution=baku,
        levels=["7", "6"],
        months_per_year="10.5",
        days_per_year=None,
        last_academic_year="2026/2027",
    )
    condition.subject_areas.set([IscedFieldFactory(code="0613"), IscedFieldFactory(code="0511")])
    CooperationConditionFactory(
        agreement=first,
        sending_institution=baku,
        receiving_institution=almaty,
        levels=[],
        places_per_year=None,
    )
    first.areas.set(CooperationArea.objects.order_by("-code")[:2])
    first.sources.set(
        [
            SourceFactory(published_on=datetime.date(2024, 1, 1), title="B"),
            SourceFactory(published_on=datetime.date(2025, 1, 1), title="A"),
        ]
    )
    renewal = AgreementFactory(
        title="Memorandum",
        renews=first,
        signed_on=None,
        valid_from=None,
        valid_until=None,
        is_public=True,
    )
    PartyFactory(agreement=renewal, institution=almaty)
    # No party, no condition, no area, no source: empty arrays.
    AgreementFactory(title="Empty", is_public=True, signed_precision="year")
    return Agreement.objects.all()


@postgresql_only
@pytest.mark.parametrize(("reader", "language"), [("anonymous", "en"), ("superuser", "kk")])
def test_agreements_csv_by_postgresql_equals_the_serializer_path(
    tricky_agreements, monkeypatch, django_user_model, reader, language
):
    # In Kazakh the shown titles are the Kazakh ones, else the Russian (the event's).
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if reader == "superuser":
        client.force_authenticate(django_user_model.objects.create_superuser("root"))
    by_sql, by_python = both_ways(
        monkeypatch,
        lambda: body(client.get(AGREEMENTS_API, {"format": "csv", "ordering": "id"})),
    )
    assert by_sql == by_python
    text = by_sql.decode("utf-8-sig")
    assert '"[{""id"":' in text  # parties as a JSON array of objects
    assert "/agreements/" in text and "/document/" in text  # the scan's address
    # The framework is hidden from the public: neither its row nor its id beside its child.
    assert ("Framework" in text) == (reader == "superuser")
    assert ("Форум, 2025" in text) == (language == "kk")
    assert ("'=Меморандум, 2025" in text) == (language == "kk")  # shown, with the guard


@postgresql_only
def test_agreements_page_csv_by_postgresql_equals_the_table_path(
    client, tricky_agreements, monkeypatch
):
    url = reverse("agreements:agreement_list")
    by_sql, by_python = both_ways(
        monkeypatch, lambda: body(client.get(url, {"_export": "csv", "sort": "title"}))
    )
    assert by_sql == by_python
    rows = list(csv.reader(io.StringIO(by_sql.decode("utf-8-sig"), newline="")))
    # The header, then the three public agreements by title (the guard's quote included).
    assert [row[2] for row in rows] == ["title", '\'-Memorandum "A"', "Empty", "Memorandum"]


def test_agreements_csv_cells_hold_what_the_json_holds(tricky_agreements, django_user_model):
    # Whichever path writes it (PostgreSQL or the serializer), each list-valued cell is the
    # JSON answer's value: a decimal (10.5 months a year) included.
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_superuser("root"))
    answer = client.get(AGREEMENTS_API, {"ordering": "id", "page_size": 100}).json()["results"]
    text = body(client.get(AGREEMENTS_API, {"format": "csv", "ordering": "id"}))
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"), newline="")))
    assert [int(row["id"]) for row in rows] == [item["id"] for item in answer]
    for row, item in zip(rows, answer, strict=True):
        for key in ("parties", "conditions", "areas", "sources"):
            assert json.loads(row[key]) == item[key], key
        assert row["document"] == (item["document"] or "")
    months = [c["months_per_year"] for item in answer for c in item["conditions"]]
    assert 10.5 in months


# --------------------------------------------------------------------------- events
# The events' CSV: participants, organisers, sources and stated figures as JSON arrays that
# PostgreSQL puts together (events.columns), titles and cities in the reader's language.

EVENTS_API = "/api/events/"


def test_every_event_column_is_declared_for_postgresql(rf):
    from events.api import EventViewSet
    from events.columns import EVENTS

    view = EventViewSet(request=rf.get("/"), format_kwarg=None, action="list")
    assert [column.name for column in view.get_export_columns()] == EVENTS.keys
    assert list(EVENTS.sql_columns()) == EVENTS.keys
    # The JSON's keys, in the JSON's order.
    assert check_serializer_keys(EVENTS, view.get_serializer()) == []
    assert [k for k, f in view.get_serializer().fields.items() if not f.write_only] == EVENTS.keys


@pytest.fixture
def tricky_events(db):
    from events.models import Event
    from tests.factories import (
        EventFactory,
        ParticipationFactory,
        PersonFactory,
        StatedFigureFactory,
    )

    almaty = InstitutionFactory(name='=SUM(1) "Almaty", \\ tab\there')
    baku = InstitutionFactory(name="Бакинский государственный университет\nфилиал", country="AZ")
    abai = InstitutionFactory(name="Abai University")
    forum = EventFactory(
        title='-Forum "A", 2025',
        title_translations={"ru": 'Форум "А"\tи\\', "kk": "=Форум, 2025"},
        city="@Almaty",
        city_translations={"ru": "Алматы", "kk": "Алматы, қала"},
        host_institution=almaty,
        description="line one\r\nline two",
        end_date=datetime.date(2025, 4, 8),
        date_precision="day",
    )
    forum.organisers.set([baku, abai, almaty])  # by name: Abai, =SUM, Бакинский
    rector = PersonFactory(name="Рашад «Мамедов» \u0007")
    minister = PersonFactory(name="Aliyev")
    for person, role, institution, position, country in [
        (rector, "speaker", baku, 'Rector, "acting"', "AZ"),
        (minister, "speaker", None, "", ""),
        (rector, "host", almaty, "+1 host", "KZ"),
        (minister, "guest", abai, "Minister", "KZ"),
    ]:
        ParticipationFactory(
            event=forum, person=person, role=role, institution=institution,
            position=position, country=country,
        )  # fmt: skip
    forum.sources.set(
        [
            SourceFactory(published_on=datetime.date(2024, 1, 1), title="B"),
            SourceFactory(published_on=datetime.date(2025, 1, 1), title="A"),
            SourceFactory(published_on=None, title="C"),
        ]
    )
    forum.stated_figures.set(
        [
            StatedFigureFactory(stated_on=datetime.date(2024, 1, 1)),
            StatedFigureFactory(stated_on=datetime.date(2025, 1, 1), metric="agreements_signed"),
        ]
    )
    # Nothing related, no date, no city: empty arrays and cells.
    EventFactory(title="Planned", status="planned", start_date=None, city="", date_precision="year")
    EventFactory(
        title="Visit", kind="official_visit", country="AZ", city="Baku",
        start_date=datetime.date(2024, 5, 1), date_precision="month",
    )  # fmt: skip
    stamps = [
        datetime.datetime(2023, 6, 1, 10, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(1880, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2024, 12, 31, 23, 59, 59, 5, tzinfo=datetime.UTC),
    ]
    for event, stamp in zip(Event.objects.order_by("pk"), stamps, strict=True):
        Event.objects.filter(pk=event.pk).update(created_at=stamp, updated_at=stamp)
    return Event.objects.all()


@postgresql_only
@pytest.mark.parametrize(("reader", "language"), [("anonymous", "en"), ("superuser", "kk")])
def test_events_csv_by_postgresql_equals_the_serializer_path(
    tricky_events, monkeypatch, settings, django_user_model, reader, language
):
    settings.TIME_ZONE = "Asia/Almaty"
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if reader == "superuser":
        client.force_authenticate(django_user_model.objects.create_superuser("root"))
    by_sql, by_python = both_ways(
        monkeypatch, lambda: body(client.get(EVENTS_API, {"format": "csv", "ordering": "id"}))
    )
    assert by_sql == by_python
    rows = list(csv.DictReader(io.StringIO(by_sql.decode("utf-8-sig"), newline="")))
    assert len(rows) == 3
    forum = rows[0]
    participants = json.loads(forum["participations"])
    # By role, then the person's name.
    assert [(p["role"], p["person_name"]) for p in participants] == [
        ("guest", "Aliyev"),
        ("host", "Рашад «Мамедов» \u0007"),
        ("speaker", "Aliyev"),
        ("speaker", "Рашад «Мамедов» \u0007"),
    ]
    assert forum["localized_title"] == (
        "'=Форум, 2025" if language == "kk" else '\'-Forum "A", 2025'
    )
    assert forum["localized_city"] == ("Алматы, қала" if language == "kk" else "'@Almaty")
    assert rows[1]["participations"] == rows[1]["organisers"] == "[]"


@postgresql_only
@pytest.mark.parametrize("params", [{}, {"sort": "-start_date"}, {"country": "AZ"}, {"q": "forum"}])
def test_events_page_csv_by_postgresql_equals_the_table_path(
    client, tricky_events, monkeypatch, params
):
    url = reverse("events:event_list")
    by_sql, by_python = both_ways(
        monkeypatch, lambda: body(client.get(url, {**params, "_export": "csv"}))
    )
    assert by_sql == by_python
    assert by_sql.startswith("\ufeffid,title,title_translations".encode())


@postgresql_only
def test_events_csv_by_postgresql_is_one_query_whatever_the_rows(
    tricky_events, django_assert_max_num_queries
):
    from tests.factories import EventFactory, ParticipationFactory

    for _ in range(20):
        ParticipationFactory(event=EventFactory())
    client = APIClient()
    # The export's plan (a count stopping at UNIBRIDGE_EXPORT_SYNC_ROWS), the settings of
    # the COPY's transaction (jit, DateStyle, time zone) and the COPY.
    with django_assert_max_num_queries(7):
        text = body(client.get(EVENTS_API, {"format": "csv"}))
    assert len(list(csv.reader(io.StringIO(text.decode("utf-8-sig"), newline="")))) == 1 + 23


def test_events_csv_cells_hold_what_the_json_holds(tricky_events, django_assert_max_num_queries):
    # Whichever path writes it, each list-valued cell is the JSON answer's value; the
    # serializer's path reads its relations in batches (not a query per row).
    client = APIClient()
    answer = client.get(EVENTS_API, {"ordering": "id", "page_size": 100}).json()["results"]
    with django_assert_max_num_queries(12):
        text = body(client.get(EVENTS_API, {"format": "csv", "ordering": "id"}))
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"), newline="")))
    assert [int(row["id"]) for row in rows] == [item["id"] for item in answer]
    for row, item in zip(rows, answer, strict=True):
        for key in ("organisers", "participations", "sources", "stated_figures"):
            assert json.loads(row[key]) == item[key], key
        for key in ("title_translations", "city_translations"):
            assert json.loads(row[key]) == item[key], key


# --------------------------------------------------------------------------- institutions
# The directory's CSV: names as a JSON array, coordinates as numbers, the counts of the
# agreements the reader may see (from the table of counts of the reader's class when the
# register's writes are committed, else live).

INSTITUTIONS_API = "/api/institutions/"


def test_every_institution_column_is_declared_for_postgresql(rf):
    from django.contrib.auth.models import AnonymousUser

    from universities.api import InstitutionViewSet
    from universities.columns import INSTITUTIONS

    request = rf.get("/")
    request.user = AnonymousUser()
    view = InstitutionViewSet(request=request, format_kwarg=None, action="list")
    assert [column.name for column in view.get_export_columns()] == INSTITUTIONS.keys
    assert list(INSTITUTIONS.sql_columns()) == INSTITUTIONS.keys
    fields = view.get_serializer().fields
    assert [key for key, field in fields.items() if not field.write_only] == INSTITUTIONS.keys


@pytest.fixture
def commit(monkeypatch):
    """Writes count as committed: the generation goes up at once, so an export reads the
    table of counts (universities.models.InstitutionCount), as the sort does."""
    from cooperation import generations

    monkeypatch.setattr(
        generations.transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture
def tricky_institutions(db):
    from tests.factories import InstitutionNameFactory, agreement_between
    from universities.models import Institution

    almaty = InstitutionFactory(
        name='=SUM(1) "Almaty", \\ tab\there',
        city="@Almaty",
        city_translations={"ru": "Алматы", "kk": "=Алматы, қала"},
        latitude="43.25000",
        longitude="-76.94561",
        website="https://example.kz/?a=1,b",
        founded_year=1934,
        ror_id="0abcde123",
        wikidata_id="Q123",
        description="line one\r\nline two",
    )
    baku = InstitutionFactory(
        name="Бакинский государственный университет\nфилиал", country="AZ", city="", latitude="0"
    )
    branch = InstitutionFactory(name="+Branch", parent=baku, status="merged", merged_into=almaty)
    for name, language, kind in [
        ("КазНУ", "ru", "acronym"),
        ('Al-Farabi "KazNU"', "en", "label"),
        ("Әл-Фараби", "kk", "label"),
        ("KazGU", "", "former"),
    ]:
        InstitutionNameFactory(institution=almaty, name=name, language=language, kind=kind)
    almaty.sources.set(
        [
            SourceFactory(published_on=datetime.date(2024, 1, 1), title="B"),
            SourceFactory(published_on=datetime.date(2025, 1, 1), title="A"),
        ]
    )
    agreement_between(almaty, baku)
    agreement_between(almaty, baku, is_public=False)  # counted for a superuser only
    agreement_between(almaty, branch)
    return Institution.objects.all()


@pytest.fixture(params=[False, True], ids=["live", "committed"])
def committed(request, monkeypatch) -> bool:
    """Counts live (the test's writes are not committed), or writes counted as committed
    (requested before the data), so that the export reads the table of counts."""
    if request.param:
        request.getfixturevalue("commit")
    return request.param


@postgresql_only
@pytest.mark.parametrize(("reader", "language"), [("anonymous", "en"), ("superuser", "kk")])
def test_institutions_csv_by_postgresql_equals_the_serializer_path(
    committed, tricky_institutions, monkeypatch, django_user_model, reader, language
):
    from universities.models import InstitutionCount

    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if reader == "superuser":
        client.force_authenticate(django_user_model.objects.create_superuser("root"))
    by_sql, by_python = both_ways(
        monkeypatch,
        lambda: body(client.get(INSTITUTIONS_API, {"format": "csv", "ordering": "id"})),
    )
    assert by_sql == by_python
    assert InstitutionCount.objects.exists() == committed  # read from the table, or live
    rows = list(csv.DictReader(io.StringIO(by_sql.decode("utf-8-sig"), newline="")))
    almaty = rows[0]
    assert (almaty["latitude"], almaty["longitude"]) == ("43.25000", "-76.94561")
    assert [name["name"] for name in json.loads(almaty["names"])] == [
        "КазНУ", "KazGU", 'Al-Farabi "KazNU"', "Әл-Фараби",
    ]  # fmt: skip
    hidden = 1 if reader == "superuser" else 0
    assert (almaty["agreement_count"], almaty["partner_count"]) == (str(2 + hidden), "2")
    assert almaty["localized_city"] == ("'=Алматы, қала" if language == "kk" else "'@Almaty")


@postgresql_only
@pytest.mark.parametrize("params", [{}, {"sort": "-partner_count"}, {"country": "AZ"}])
def test_institutions_page_csv_by_postgresql_equals_the_table_path(
    client, tricky_institutions, monkeypatch, params
):
    url = reverse("universities:institution_list")
    by_sql, by_python = both_ways(
        monkeypatch, lambda: body(client.get(url, {**params, "_export": "csv"}))
    )
    assert by_sql.splitlines()[0] == by_python.splitlines()[0]
    # Rows that tie on the sort (two with 0 partners) may come in either order.
    assert sorted(by_sql.split(b"\r\n")) == sorted(by_python.split(b"\r\n"))


@postgresql_only
def test_institutions_csv_by_postgresql_is_one_query_whatever_the_rows(
    commit, tricky_institutions, django_assert_max_num_queries
):
    for _ in range(20):
        InstitutionFactory()
    client = APIClient()
    body(client.get(INSTITUTIONS_API, {"format": "csv"}))  # builds the table of counts
    # The export's plan, the generation, the table's presence, the COPY and its
    # transaction's settings.
    with django_assert_max_num_queries(9):
        text = body(client.get(INSTITUTIONS_API, {"format": "csv"}))
    assert len(list(csv.reader(io.StringIO(text.decode("utf-8-sig"), newline="")))) == 1 + 23
