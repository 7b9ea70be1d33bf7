"""Stated figures as the sources state them (issue 12, point 4): of both countries with no
direction, signed / scheduled / announced, stated at an event, with their qualifier; the
dashboard compares like with like and counts academic institutions only."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cooperation.models import StatedFigure
from tests import factories as f
from tests.base import read_csv, token_client, user_with_permissions
from tests.test_admin import admin_url, post_data

pytestmark = pytest.mark.django_db

ARROWS = ("→", "->")


def stated_section(page: str) -> str:
    """The dashboard's card of stated figures, where no arrow may appear."""
    return re.search(r'<section class="card" id="stated">(.*?)</section>', page, re.S).group(1)


def forty_memoranda(**kwargs) -> StatedFigure:
    values = {
        "metric": "agreements_signed",
        "statement": "The discussions culminated in the signing of 40 Memoranda of "
        "Understanding, involving a total of 17 universities from both countries.",
        "value": 40,
        "qualifier": "exact",
        "status": "signed",
        "scope": "both",
        "country": "AZ",
        "partner_country": "KZ",
    }
    return f.StatedFigureFactory(**{**values, **kwargs})


def test_a_figure_of_both_countries_reads_without_an_arrow_everywhere(client, superuser):
    figure = forty_memoranda()
    seventy = f.StatedFigureFactory()  # more than 70, of KZ with AZ
    assert figure.label == "40 agreements, signed (AZ and KZ together)"
    assert seventy.label == (
        "more than 70 institutions with agreements with the partner country (of KZ, with AZ)"
    )

    page = client.get(reverse("dashboard") + "?pair=KZ-AZ").content.decode()
    section = stated_section(page)
    assert figure.label in section and seventy.label in section
    assert not any(arrow in section for arrow in ARROWS), section

    reader = token_client(user_with_permissions("reader"))
    body = reader.get(f"/api/stated-figures/{figure.pk}/").json()
    assert (body["scope"], body["status"], body["label"]) == ("both", "signed", figure.label)
    assert body["countries_label"] == "AZ and KZ together"
    assert not any(arrow in str(body) for arrow in ARROWS)
    export = reader.get("/api/stated-figures/?format=csv")
    header, *rows = read_csv(export)
    assert "label" in header and figure.label in [row[header.index("label")] for row in rows]

    client.force_login(superuser)
    page = client.get(admin_url(StatedFigure, "changelist")).content.decode()
    listed = re.search(r'<table id="result_list">(.*?)</table>', page, re.S).group(1)
    assert figure.label in listed
    assert not any(arrow in listed for arrow in ARROWS), listed
    source = f.SourceFactory()
    figure.sources.add(source)
    assert figure.label in client.get(source.get_absolute_url()).content.decode()


def test_a_figure_of_both_countries_needs_both_countries():
    client = token_client(user_with_permissions("editor", StatedFigure, ["add"]))
    response = client.post(
        "/api/stated-figures/",
        {"metric": "other", "statement": "x", "value": 1, "scope": "both", "country": "KZ"},
        format="json",
    )
    assert response.status_code == 400
    assert "partner country" in str(response.json())


def test_a_scheduled_count_is_never_set_beside_the_signed_count(client):
    kz, az = f.InstitutionFactory(country="KZ"), f.InstitutionFactory(country="AZ")
    f.agreement_between(kz, az)
    scheduled = forty_memoranda(
        value=63,
        status="scheduled",
        statement="63 new memorandums of understanding are scheduled to be signed",
    )
    announced = f.StatedFigureFactory(metric="staff_sent", value=5, status="announced")
    signed = forty_memoranda()

    response = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    compared = [row.figure for row in response.context["stated"]]
    assert signed in compared
    assert scheduled not in compared and announced not in compared
    assert set(response.context["stated_planned"]) == {scheduled, announced}

    # On the page the scheduled figure stands under its own heading, in a table with no
    # register column, and reads "scheduled".
    section = stated_section(response.content.decode())
    beside, apart = section.split('id="stated-planned"')
    assert signed.label in beside and scheduled.label not in beside
    assert "63 agreements, scheduled (AZ and KZ together)" in apart
    assert "In the register" not in apart


def test_the_event_link_round_trips_through_the_api():
    event = f.EventFactory()
    figure = forty_memoranda()
    client = token_client(user_with_permissions("editor", type(event), ["change"]))
    read = client.get(f"/api/events/{event.pk}/").json()
    response = client.patch(
        f"/api/events/{event.pk}/",
        {"stated_figures": [figure.pk], "version": read["version"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert client.get(f"/api/events/{event.pk}/").json()["stated_figures"] == [figure.pk]
    assert client.get(f"/api/stated-figures/{figure.pk}/").json()["events"] == [event.pk]
    assert client.get("/api/stated-figures/", {"event_id": event.pk}).json()["count"] == 1
    # Read-only from the figure's side: sending events changes nothing.
    other = f.EventFactory()
    writer = token_client(user_with_permissions("writer", StatedFigure, ["change"]))
    writer.patch(f"/api/stated-figures/{figure.pk}/", {"events": [other.pk]}, format="json")
    assert list(figure.events.all()) == [event]
    # The link keeps a history, on the event's side.
    last = event.history.latest()
    assert [row.statedfigure_id for row in last.stated_figures.all()] == [figure.pk]


def test_the_event_link_round_trips_through_the_admin(admin_client_logged):
    event = f.EventFactory()
    figure = forty_memoranda()
    url = admin_url(type(event), "change", event.pk)
    data = post_data(admin_client_logged.get(url))
    data["stated_figures"] = [str(figure.pk)]
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(event.stated_figures.all()) == [figure]

    page = admin_client_logged.get(admin_url(StatedFigure, "change", figure.pk)).content.decode()
    assert admin_url(type(event), "change", event.pk) in page
    assert figure.label in page
    changelist = admin_client_logged.get(admin_url(StatedFigure, "changelist")).content.decode()
    assert event.title in changelist

    # And on the public event page, as stated.
    public = admin_client_logged.get(event.get_absolute_url()).content.decode()
    assert figure.label in public


def test_the_government_is_not_an_institution_with_partners(client):
    university = f.InstitutionFactory(country="KZ", name="Al-Farabi Kazakh National University")
    government = f.InstitutionFactory(
        country="KZ", kind="government", name="Government of the Republic of Kazakhstan"
    )
    az_university = f.InstitutionFactory(country="AZ")
    az_government = f.InstitutionFactory(country="AZ", kind="government")
    f.agreement_between(university, az_university)
    f.agreement_between(government, az_government)
    seventy = f.StatedFigureFactory()
    seventeen = forty_memoranda(metric="institutions_signing", value=17)

    response = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    context = response.context
    assert (context["institutions_a"], context["institutions_b"]) == (1, 1)
    rows = {row.figure: row for row in context["stated"]}
    assert rows[seventy].register_count == 1
    assert rows[seventeen].register_count == 2  # one university of each country

    # Each number is the count of the list its link opens.
    page = response.content.decode()
    links = re.findall(r'<a class="value" href="([^"]*institutions[^"]*)">(\d+)</a>', page)
    assert len(links) == 2
    for href, number in links:
        listed = client.get(href.replace("&amp;", "&"))
        names = [row.record.name for row in listed.context["table"].rows]
        assert listed.context["table"].paginator.count == int(number)
        assert government.name not in names
    for row in context["stated"]:
        if row.register_url:
            listed = client.get(row.register_url)
            assert listed.context["table"].paginator.count == row.register_count
    assert "university or academic institution of Kazakhstan with partners" in page


def test_agreements_stated_at_an_event_are_compared_with_that_event(client):
    kz, az = f.InstitutionFactory(country="KZ"), f.InstitutionFactory(country="AZ")
    round_table = f.EventFactory()
    f.agreement_between(kz, az)
    f.agreement_between(kz, az, event=round_table)
    figure = forty_memoranda()
    round_table.stated_figures.add(figure)
    response = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    row = next(row for row in response.context["stated"] if row.figure == figure)
    assert row.register_count == 1
    assert client.get(row.register_url).context["table"].paginator.count == 1
    assert round_table.title in row.register_label


@pytest.mark.django_db(transaction=True)
def test_existing_rows_migrate():
    before = [("cooperation", "0003_registergeneration")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("cooperation", "StatedFigure")
    common = {"country": "KZ", "partner_country": "AZ", "qualifier": "exact"}
    signed = old.objects.create(
        metric="agreements_signed", statement="40 memoranda were signed", value=40, **common
    )
    scheduled = old.objects.create(
        metric="agreements_signed",
        statement="63 new memorandums of understanding are scheduled to be signed",
        value=63,
        **common,
    )
    students = old.objects.create(
        metric="students_abroad", statement="164 students", value=164, **common
    )
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        rows = {row.pk: row for row in StatedFigure.objects.all()}
        assert (rows[signed.pk].status, rows[signed.pk].scope) == ("signed", "country")
        assert rows[scheduled.pk].status == "scheduled"
        assert rows[students.pk].status == "stated"
        assert rows[signed.pk].label == "40 agreements, signed (of KZ, with AZ)"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
