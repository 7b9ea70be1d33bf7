"""Every page answers with the demo data and with an empty register, in a bounded number of
queries that does not grow with the rows."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from agreements.models import Agreement
from cooperation.models import Source
from events.models import Event
from mobility.models import ScholarshipProgramme
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    MobilityFigureFactory,
    agreement_between,
)
from universities.models import Institution

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    "dashboard",
    "universities:institution_list",
    "agreements:agreement_list",
    "events:event_list",
    "mobility:mobility_explorer",
    "mobility:scholarship_list",
    "cooperation:source_list",
    "stated_figure_list",
]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_answer_on_an_empty_register(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b"<h1>" in response.content


def detail_urls() -> list[str]:
    return [
        obj.get_absolute_url()
        for obj in [
            Institution.objects.get(ror_id="03q0vrn42"),
            Agreement.objects.get(kind="protocol"),
            Event.objects.get(kind="round_table"),
            ScholarshipProgramme.objects.get(kind="government_quota"),
            Source.objects.get(reference__endswith="003_632b02a1b837dd5e.txt"),
        ]
    ]


def test_every_page_answers_with_the_demo_data(client, demo):
    for url in [reverse(name) for name in LIST_PAGES] + detail_urls():
        response = client.get(url)
        assert response.status_code == 200, url


def test_dashboard_sets_stated_figures_beside_the_register(client, demo):
    response = client.get(reverse("dashboard"))
    page = response.content.decode()
    assert "Kazakhstan – Azerbaijan" in page
    assert "more than 70" in page
    assert "Currently, more than 70 Kazakhstani universities" in page
    stated = {row.figure.value: row for row in response.context["stated"]}
    # KazNU; the Government of Kazakhstan is a party but not an academic institution.
    assert stated[70].register_count == 1
    # The 40 memoranda of both countries read without an arrow; the 63 scheduled ones
    # stand apart from the register's count.
    assert "40 agreements, signed (AZ and KZ together)" in page
    assert 40 in stated and 63 not in stated and 5 not in stated
    assert {figure.value for figure in response.context["stated_planned"]} == {63, 18, 29, 5}
    assert stated[58].register_count is None  # host institutions: not the register's count
    # Every number links to the list behind it, and that list shows the same number.
    assert response.context["agreement_count"] == 4
    listed = client.get(reverse("agreements:agreement_list") + "?country_pair=KZ,AZ")
    assert listed.context["table"].paginator.count == 4


def test_dashboard_switches_to_any_pair(client, demo):
    response = client.get(reverse("dashboard") + "?pair=KZ-PL")
    assert "Kazakhstan – Poland" in response.content.decode()
    assert response.context["mobility"]["datasets"][0]["data"] == [1000]
    bad = client.get(reverse("dashboard") + "?pair=KZ-KZ")
    assert bad.status_code == 200
    assert "not a pair of two different country codes" in bad.content.decode()


def test_institution_search_finds_cyrillic_and_latin_alike(client, demo):
    url = reverse("universities:institution_list")
    for query in ["Атырауский", "атырау", "Atyrau"]:
        response = client.get(url, {"q": query})
        names = [row.record.name for row in response.context["table"].rows]
        assert "Khalel Dosmukhamedov Atyrau University" in names, query


def test_profile_lists_partners_with_the_agreements_that_connect_them(client, demo):
    kaznu = Institution.objects.get(ror_id="03q0vrn42")
    response = client.get(kaznu.get_absolute_url())
    partners = response.context["partners"]
    assert [p["institution"].name for p in partners] == ["Azerbaijan National Academy of Sciences"]
    assert partners[0]["agreements"][0].kind == "memorandum"


def test_invalid_filter_shows_the_error_and_no_rows(client, demo):
    response = client.get(reverse("agreements:agreement_list"), {"signed_after": "yesterday"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["signed_after"]
    assert "Some filters are not valid." in response.content.decode()


def test_csv_export_has_every_filtered_row_and_keeps_cyrillic(client):
    kz = InstitutionFactory(name="Атырауский университет", country="KZ")
    for i in range(60):
        InstitutionFactory(name=f"Baku University {i}", country="AZ")
    url = reverse("universities:institution_list")
    response = client.get(url, {"country": "AZ", "_export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8")  # streamed, never whole
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 60  # not cut at the page size of 50
    assert {row["country"] for row in rows} == {"AZ"}
    response = client.get(url, {"q": "Атырауский", "_export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == [kz.name]


def test_mobility_xlsx_export_carries_the_definitions(client, demo):
    response = client.get(
        reverse("mobility:mobility_explorer"), {"_export": "xlsx", "origin": "AZ"}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    figures, definitions = book.worksheets
    rows = list(figures.values)
    # The labels above the keys, both frozen; a filter on the keys over every row; widths.
    assert rows[0][:3] == ("Id", "Origin", "Destination")
    assert rows[1][:3] == ("id", "origin_country", "destination_country")
    assert [row[1:3] for row in rows[2:]] == [("AZ", "KZ")]
    assert figures.freeze_panes == "A3"
    assert figures.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(rows[1]))}3"
    assert figures.column_dimensions["B"].width >= len("origin_country")
    # One row per column (key, label, type, definition), then one per code of its list.
    definitions = list(definitions.values)
    assert definitions[0] == ("column", "code", "label", "type", "definition")
    assert ("mobility_type", None, "type", "string") in [row[:4] for row in definitions]
    assert any("degree mobility is a whole" in str(row[4]) for row in definitions)
    assert ("mobility_type", "degree_students", "Degree-mobile students") in [
        row[:3] for row in definitions
    ]


def test_mobility_pivot_by_direction(client, demo):
    response = client.get(
        reverse("mobility:mobility_explorer"),
        {"origin": ["KZ", "AZ"], "destination": ["KZ", "AZ"]},
    )
    columns = response.context["pivot_columns"]
    assert columns == ["AZ → KZ", "KZ → AZ"]
    # Two stocks of KZ -> AZ students, 79 on 2025-03-05 and 164 on 2025-12-31: the total is
    # the count at the year's latest date, and the earlier count is shown as left out.
    [(year, measure, cells)] = response.context["pivot_rows"]
    assert (year, measure) == (2025, "Stock on a date")
    assert [cell.total["value"] for cell in cells] == [333, 164]
    kz_az = cells[1]
    assert kz_az.total["as_of"] == datetime.date(2025, 12, 31)
    assert [(f.value, f.status) for f in kz_az.figures] == [(164, "used"), (79, "earlier")]
    page = response.content.decode()
    assert "243" not in page
    assert f'href="#{kz_az.anchor}"' in page
    assert f'#figure-{kz_az.figures[1].pk}"' in page  # the earlier count, linked
    assert "counted on an earlier date" in page


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "more than 1,000"), ("ru", "более 1\xa0000"), ("kk", "1\xa0000-нан астам")],
)
def test_more_than_stays_with_the_number(client, demo, language, phrase):
    """ "More than 1000 Kazakhs study in Poland" is never a plain 1000, and its 1000 is
    grouped as the reader's language writes numbers, on every page that says it."""
    client.cookies["django_language"] = language
    response = client.get(
        reverse("mobility:mobility_explorer"), {"origin": "KZ", "destination": "PL"}
    )
    [(_year, _measure, [cell])] = response.context["pivot_rows"]
    assert cell.total["text"] == phrase
    assert phrase in response.content.decode()
    dashboard = client.get(reverse("dashboard") + "?pair=KZ-PL")
    assert dashboard.context["mobility"]["datasets"][0]["text"] == [phrase]
    source = Source.objects.get(mobility_figures__value=1000)
    assert phrase in client.get(source.get_absolute_url()).content.decode()


def test_explorer_dashboard_and_api_agree_on_the_demo(client, demo):
    explorer = client.get(
        reverse("mobility:mobility_explorer"), {"origin": "KZ", "destination": "AZ"}
    )
    [(_year, _measure, [cell])] = explorer.context["pivot_rows"]
    api = client.get("/api/mobility-figures/totals/", {"origin": "KZ", "destination": "AZ"}).json()[
        "results"
    ]
    dashboard = client.get(reverse("dashboard") + "?pair=KZ-AZ").context["mobility"]
    [kz_az] = [s for s in dashboard["datasets"] if s["label"].startswith("KZ → AZ")]
    assert cell.total["value"] == api[0]["value"] == kz_az["data"][0] == 164
    assert api[0]["as_of"] == kz_az["as_of"][0] == "2025-12-31"
    assert api[0]["earlier"] == 1
    pivot_csv = client.get(
        reverse("mobility:mobility_explorer"),
        {"origin": "KZ", "destination": "AZ", "_export": "pivot-csv"},
    )
    text = b"".join(pivot_csv.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["year"], row["value"], row["as_of"]) for row in rows] == [
        ("2025", "164", "2025-12-31")
    ]


def make_rows(n: int) -> None:
    for _ in range(n):
        a = InstitutionFactory(country="KZ")
        InstitutionNameFactory(institution=a)
        b = InstitutionFactory(country="AZ", city="Baku")
        event = EventFactory()
        agreement_between(a, b, event=event)
        # A year before the agreements (signed 2025-04-06), whatever the factory's sequence
        # has reached: every agreement is then dormant in both the few and the many rows, and
        # the dashboard shows its dormant list in both (a figure of 2070 once hid it).
        MobilityFigureFactory(home_institution=a, host_institution=b, year=2020)


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_query_count_does_not_grow_with_rows(client, name, django_assert_max_num_queries):
    make_rows(3)
    url = reverse(name)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make_rows(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_profile_query_count_does_not_grow_with_partners(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    home = InstitutionFactory()

    def add_partners(n):
        for _ in range(n):
            partner = InstitutionFactory(country="AZ")
            InstitutionNameFactory(institution=partner)
            agreement_between(home, partner, event=EventFactory())
            MobilityFigureFactory(home_institution=home, host_institution=partner)

    add_partners(2)
    with CaptureQueriesContext(connection) as few:
        client.get(home.get_absolute_url())
    add_partners(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(home.get_absolute_url())
    assert len(response.context["partners"]) == 27


def test_dormant_agreements_are_those_without_recent_mobility(client):
    import datetime

    kz, az = InstitutionFactory(country="KZ"), InstitutionFactory(country="AZ", city="Baku")
    other = InstitutionFactory(country="AZ", city="Ganja")
    year = datetime.date.today().year
    active = agreement_between(kz, az, title="With students", valid_until=None)
    MobilityFigureFactory(home_institution=kz, host_institution=az, year=year - 1)
    under = agreement_between(kz, other, title="Figure under it", valid_until=None)
    MobilityFigureFactory(agreement=under, year=year)
    dormant = agreement_between(az, other, title="Quiet", valid_until=None)
    MobilityFigureFactory(home_institution=az, host_institution=other, year=year - 5)
    agreement_between(
        kz,
        az,
        title="Expired",
        valid_from=datetime.date(2015, 1, 1),
        valid_until=datetime.date(2020, 1, 1),
    )

    dashboard = client.get(reverse("dashboard") + "?pair=AZ-KZ")
    # Only AZ-KZ agreements count on this dashboard: "Quiet" is AZ-AZ.
    assert dashboard.context["dormant_count"] == 0
    response = client.get(reverse("agreements:agreement_list"), {"dormant": "true"})
    assert [row.record for row in response.context["table"].rows] == [dormant]
    response = client.get(reverse("agreements:agreement_list"), {"in_force": "true"})
    assert {row.record.title for row in response.context["table"].rows} == {
        active.title,
        under.title,
        dormant.title,
    }
