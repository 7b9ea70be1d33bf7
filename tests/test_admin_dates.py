"""Back-office dates in English: 06.04.2026 and 2026-04-06 alike in every date field, and no
"You are N hours behind server time" note (static/js/admin-dates.js)."""

import datetime

import pytest
from django.urls import reverse

from events.models import Event
from tests.security.helpers import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("written", ["06.04.2026", "2026-04-06", "06/04/2026"])
def test_english_admin_takes_day_month_year_and_iso(admin_client_logged, written):
    admin_client_logged.cookies["django_language"] = "en"
    url = reverse("admin:events_event_add")
    data = admin_form_data(admin_client_logged.get(url))
    data.update(
        title="Forum", kind="forum", country="KZ", status="held", date_precision="day",
        start_date=written, end_date=written,
    )  # fmt: skip
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get()
    assert event.start_date == event.end_date == datetime.date(2026, 4, 6)


def test_every_date_field_of_an_agreement_takes_it(admin_client_logged):
    from tests.factories import InstitutionFactory, agreement_between

    agreement = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
    admin_client_logged.cookies["django_language"] = "en"
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = admin_form_data(admin_client_logged.get(url))
    data.update(signed_on="06.04.2026", valid_from="2026-04-06", valid_until="05.04.2031")
    data["parties-0-signed_on"] = "07.04.2026"
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    agreement.refresh_from_db()
    assert (agreement.signed_on, agreement.valid_from, agreement.valid_until) == (
        datetime.date(2026, 4, 6),
        datetime.date(2026, 4, 6),
        datetime.date(2031, 4, 5),
    )
    assert agreement.parties.first().signed_on == datetime.date(2026, 4, 7)


def test_admin_pages_load_the_script_that_drops_the_time_zone_note(admin_client_logged):
    page = admin_client_logged.get(reverse("admin:events_event_add")).content.decode()
    assert "/static/js/admin-dates.js" in page
    assert "admin/js/admin/DateTimeShortcuts.js" in page
