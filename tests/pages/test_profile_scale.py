"""An institution profile stays bounded however large the institution's network is."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    EventFactory,
    InstitutionFactory,
    MobilityFigureFactory,
    agreement_between,
)
from universities import views


def test_profile_lists_the_first_rows_and_counts_the_rest(client, db, monkeypatch):
    monkeypatch.setattr(views, "PROFILE_LIMIT", 3)
    monkeypatch.setattr(views, "PARTNER_AGREEMENTS", 2)
    home = InstitutionFactory(country="KZ")
    busy = InstitutionFactory(country="AZ", name="Busy partner")
    for year in range(2010, 2015):  # five agreements with one partner
        agreement_between(home, busy, signed_on=datetime.date(year, 5, 1), event=EventFactory())
    for _ in range(4):  # and one each with four others
        agreement_between(home, InstitutionFactory(country="AZ"))
    for _ in range(5):
        MobilityFigureFactory(home_institution=home)

    response = client.get(home.get_absolute_url())
    context = response.context
    assert context["agreement_count"] == 9
    assert context["partner_count"] == 5
    assert len(context["partners"]) == 3
    top = context["partners"][0]
    assert top["institution"] == busy and top["agreement_count"] == 5 and top["more"] == 3
    # The newest agreements with that partner come first.
    assert [a.signed_on.year for a in top["agreements"]] == [2014, 2013]
    groups = context["agreement_groups"]
    assert sum(group["count"] for group in groups.values()) == 9
    assert all(len(group["agreements"]) <= 3 for group in groups.values())
    assert context["event_count"] == 5 and len(context["events"]) == 3
    assert context["figure_count"] == 5 and len(context["figures"]) == 3
    body = response.content.decode()
    assert "The 3 partners with the most agreements, of 5." in body
    assert "and 3 more agreements" in body


def test_profile_query_count_does_not_grow_with_the_network(client, db):
    home = InstitutionFactory(country="KZ")
    agreement_between(home, InstitutionFactory(country="AZ"), event=EventFactory())
    with CaptureQueriesContext(connection) as few:
        client.get(home.get_absolute_url())
    for _ in range(60):  # more than a page of partners, agreements and events
        agreement_between(home, InstitutionFactory(country="AZ"), event=EventFactory())
    with CaptureQueriesContext(connection) as many:
        response = client.get(home.get_absolute_url())
    assert len(many.captured_queries) <= len(few.captured_queries)
    assert response.context["partner_count"] == 61
    assert len(response.context["partners"]) == views.PROFILE_LIMIT


def test_profile_lists_each_event_once_whatever_the_way_in(client, db):
    from tests.factories import ParticipationFactory

    home = InstitutionFactory(country="KZ")
    hosted = EventFactory(host_institution=home, title="Hosted forum")
    organised = EventFactory(title="Organised round table")
    organised.organisers.add(home)
    attended = ParticipationFactory(institution=home).event
    signed_at = EventFactory(title="Signing ceremony")
    agreement_between(home, InstitutionFactory(country="AZ"), event=signed_at)
    agreement_between(home, InstitutionFactory(country="AZ"), event=hosted)  # hosted, and signed
    EventFactory(title="Someone else's event")

    context = client.get(home.get_absolute_url()).context
    assert context["event_count"] == 4
    assert {e.pk for e in context["events"]} == {hosted.pk, organised.pk, attended.pk, signed_at.pk}
