"""The dashboard of any pair lists that pair's events and scholarships, and the lists it
links to read the same rules (Event.objects.of_pair, ScholarshipProgramme.objects.of_pair);
a direction of mobility has one colour on the dashboard and in the explorer."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement
from cooperation.charts import PALETTE, direction_colours
from events.models import Event
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    MobilityFigureFactory,
    ParticipationFactory,
    ScholarshipProgrammeFactory,
    agreement_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    kz = InstitutionFactory(country="KZ")
    az = InstitutionFactory(country="AZ", city="Baku")
    pl = InstitutionFactory(country="PL", city="Warsaw")
    held = {"start_date": datetime.date(2025, 4, 6), "status": "held"}
    events = {
        # Held in KZ with an AZ delegation: KZ-AZ.
        "kz_az": EventFactory(title="Almaty forum with Azerbaijan", country="KZ", **held),
        # Held in KZ, hosted by a Polish university: KZ-PL.
        "kz_pl": EventFactory(
            title="Polish week in Almaty",
            country="KZ",
            host_institution=pl,
            start_date=None,
            status="planned",
        ),
        # Held in KZ, nobody from abroad recorded: neither pair.
        "kz": EventFactory(title="Kazakh rectors' meeting", country="KZ", **held),
        # Held in AZ, a KZ-AZ agreement signed there: KZ-AZ.
        "signed": EventFactory(title="Baku signing ceremony", country="AZ", **held),
    }
    ParticipationFactory(event=events["kz_az"], country="AZ")
    agreement_between(kz, az, event=events["signed"])
    agreement_between(kz, pl)
    programmes = {
        "az_for_kz": ScholarshipProgrammeFactory(
            name="Azerbaijani quota for Kazakhstan",
            funder_country="AZ",
            host_country="AZ",
            eligible_countries=["KZ"],
        ),
        "az_in_kz": ScholarshipProgrammeFactory(
            name="Aliyev scholarship at a Kazakh university",
            funder_country="AZ",
            host_country="KZ",
            eligible_countries=[],
        ),
        "kz_any": ScholarshipProgrammeFactory(
            name="Kazakh scholarships for any foreigner",
            funder_country="KZ",
            host_country="KZ",
            eligible_countries=[],
        ),
        "kz_for_tr": ScholarshipProgrammeFactory(
            name="Kazakh quota for Turkey",
            funder_country="KZ",
            host_country="KZ",
            eligible_countries=["TR"],
        ),
    }
    return events, programmes


def titles(events) -> set[str]:
    return {event.title for event in events}


def test_events_of_a_pair_are_those_both_countries_took_part_in(register):
    events, _programmes = register
    assert titles(Event.objects.of_pair("KZ", "AZ")) == {
        "Almaty forum with Azerbaijan",
        "Baku signing ceremony",
    }
    assert titles(Event.objects.of_pair("PL", "KZ")) == {"Polish week in Almaty"}


def test_an_event_known_to_the_pair_by_a_hidden_agreement_only_is_not_shown(register, client):
    Agreement.objects.update(is_public=False)
    response = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    assert titles(response.context["recent_events"]) == {"Almaty forum with Azerbaijan"}


def test_dashboard_of_another_pair_lists_only_its_events_and_scholarships(register, client):
    response = client.get(reverse("dashboard") + "?pair=KZ-PL")
    page = response.content.decode()
    assert titles(response.context["upcoming_events"]) == {"Polish week in Almaty"}
    assert response.context["recent_events"] == []
    assert [p.name for p in response.context["scholarships"]] == [
        "Kazakh scholarships for any foreigner"
    ]
    for other in ("Almaty forum with Azerbaijan", "Baku signing ceremony", "Azerbaijani quota"):
        assert other not in page

    kz_az = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    assert titles(kz_az.context["recent_events"]) == {
        "Almaty forum with Azerbaijan",
        "Baku signing ceremony",
    }
    assert [p.name for p in kz_az.context["scholarships"]] == [
        "Aliyev scholarship at a Kazakh university",
        "Azerbaijani quota for Kazakhstan",
        "Kazakh scholarships for any foreigner",
    ]


def test_the_lists_the_dashboard_links_to_hold_the_same_rows(register, client):
    dashboard = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    page = dashboard.content.decode()
    events_url = reverse("events:event_list") + "?country_pair=KZ,AZ"
    scholarships_url = reverse("mobility:scholarship_list") + "?country_pair=KZ,AZ"
    assert events_url in page and scholarships_url in page
    events = client.get(events_url).context["table"].data.data
    assert titles(events) == titles(dashboard.context["recent_events"])
    programmes = client.get(scholarships_url).context["table"].data.data
    assert {p.name for p in programmes} == {p.name for p in dashboard.context["scholarships"]}
    api = client.get("/api/events/", {"country_pair": "AZ,KZ"}).json()["results"]
    assert {row["title"] for row in api} == titles(events)


def test_a_pair_without_upcoming_events_is_told_why_and_led_to_its_past_ones(register, client):
    # KZ-AZ's events are all held: nothing is invented for "Upcoming events".
    dashboard = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    assert dashboard.context["upcoming_events"] == []
    page = dashboard.content.decode()
    assert (
        "No upcoming event between Kazakhstan and Azerbaijan is recorded: the register lists "
        "the events its sources report, and none of them lies ahead."
    ) in page
    past_url = reverse("events:event_list") + "?country_pair=KZ,AZ&status=held"
    assert f'<a href="{past_url.replace("&", "&amp;")}">Past events of the pair</a>' in page
    past = client.get(past_url).context["table"].data.data
    assert titles(past) == titles(dashboard.context["recent_events"])
    # A pair with an upcoming event lists it instead.
    kz_pl = client.get(reverse("dashboard") + "?pair=KZ-PL").content.decode()
    assert "Past events of the pair" not in kz_pl


def test_a_direction_has_one_colour_on_the_dashboard_and_in_the_explorer(client):
    MobilityFigureFactory(origin_country="KZ", destination_country="AZ", year=2024, value=10)
    MobilityFigureFactory(origin_country="AZ", destination_country="KZ", year=2024, value=20)
    explorer = client.get(reverse("mobility:mobility_explorer"), {"pivot": "direction"})
    in_explorer = {
        tuple(s["direction"]): s["colour"] for s in explorer.context["chart_data"]["datasets"]
    }
    for pair in ("KZ-AZ", "AZ-KZ"):
        data = client.get(reverse("dashboard"), {"pair": pair}).context["chart_data"]
        on_dashboard = {tuple(s["direction"]): s["colour"] for s in data["mobility"]["datasets"]}
        assert on_dashboard == in_explorer
    assert in_explorer == {("AZ", "KZ"): PALETTE[0], ("KZ", "AZ"): PALETTE[1]}


def test_each_pair_takes_its_own_two_colours():
    colours = direction_colours([("KZ", "PL"), ("KZ", "AZ"), ("AZ", "KZ")])
    assert colours[("AZ", "KZ")] == PALETTE[0] and colours[("KZ", "AZ")] == PALETTE[1]
    assert colours[("KZ", "PL")] == PALETTE[2]
    assert len(set(colours.values())) == 4
