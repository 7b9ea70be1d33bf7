"""Agreement states at their boundaries (today, tomorrow, a future renewal, open-ended,
terminated), read the same way by the dashboard, the register page, the API filter, the
profile and the expiry e-mails; dormant agreements; the signing session's duplicate check
against ended agreements."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from agreements import visibility
from agreements.choices import PUBLIC_STATUSES, AgreementState, AgreementStatus
from agreements.lifecycle import expiry_alerts_send
from agreements.models import Agreement
from agreements.services import agreements_bulk_check
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
EXPIRING = 90  # settings.UNIBRIDGE_EXPIRING_DAYS, the default

IN_FORCE = {
    "Starts today",
    "Renewed original",
    "Ends today",
    "Expiring edge",
    "Beyond edge",
    "Open-ended",
    "Undated, in effect",
}
NOT_YET = {"Starts tomorrow", "Signed tomorrow", "Future renewal"}
ENDED = {"Ended yesterday", "Terminated", "Terminated today", "Expired, no end date"}
EXPIRING_SET = {"Renewed original", "Ends today", "Expiring edge"}
# The renewed original needs no alert: a signed renewal follows it.
ALERTED = {"Ends today", "Expiring edge"}


@pytest.fixture
def register():
    kz = f.InstitutionFactory(name="Al-Farabi Kazakh National University")
    az = f.InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    long_ago = TODAY - 1000 * DAY

    def make(title, **kwargs):
        kwargs.setdefault("signed_on", long_ago)
        kwargs.setdefault("valid_from", long_ago)
        return f.agreement_between(kz, az, title=title, **kwargs)

    made = {}
    made["Starts today"] = make(
        "Starts today", signed_on=TODAY - 10 * DAY, valid_from=TODAY, valid_until=TODAY + 400 * DAY
    )
    made["Starts tomorrow"] = make(
        "Starts tomorrow",
        signed_on=TODAY - 10 * DAY,
        valid_from=TODAY + DAY,
        valid_until=TODAY + 400 * DAY,
    )
    made["Signed tomorrow"] = make(
        "Signed tomorrow", signed_on=TODAY + DAY, valid_from=None, valid_until=None
    )
    made["Renewed original"] = make("Renewed original", valid_until=TODAY + 30 * DAY)
    made["Future renewal"] = make(
        "Future renewal",
        renews=made["Renewed original"],
        signed_on=TODAY - 5 * DAY,
        valid_from=D(2029, 1, 1),
        valid_until=D(2033, 12, 31),
    )
    made["Ends today"] = make("Ends today", valid_until=TODAY)
    made["Ended yesterday"] = make("Ended yesterday", valid_until=TODAY - DAY)
    made["Expiring edge"] = make("Expiring edge", valid_until=TODAY + EXPIRING * DAY)
    made["Beyond edge"] = make("Beyond edge", valid_until=TODAY + (EXPIRING + 1) * DAY)
    made["Open-ended"] = make("Open-ended", valid_until=None)
    made["Undated, in effect"] = make(
        "Undated, in effect",
        status=AgreementStatus.IN_EFFECT,
        signed_on=None,
        valid_from=None,
        valid_until=None,
    )
    made["Terminated"] = make(
        "Terminated",
        status=AgreementStatus.TERMINATED,
        terminated_on=TODAY - DAY,
        valid_until=None,
    )
    made["Terminated today"] = make(
        "Terminated today",
        status=AgreementStatus.TERMINATED,
        terminated_on=TODAY,
        valid_until=TODAY + 30 * DAY,
    )
    made["Expired, no end date"] = make(
        "Expired, no end date", status=AgreementStatus.EXPIRED, valid_until=None
    )
    made["Draft"] = make(
        "Draft",
        status=AgreementStatus.DRAFT,
        signed_on=None,
        valid_from=None,
        valid_until=None,
        is_public=False,
    )
    return made


def titles(agreements) -> set[str]:
    return {agreement.title for agreement in agreements}


@pytest.fixture
def staff(client, superuser):
    client.force_login(superuser)
    return client


def test_each_agreement_is_in_exactly_one_state(register):
    states = dict(Agreement.objects.with_state().values_list("title", "state"))
    expected = {
        **dict.fromkeys(IN_FORCE, AgreementState.IN_FORCE),
        **dict.fromkeys(NOT_YET, AgreementState.NOT_YET_IN_FORCE),
        **dict.fromkeys(ENDED, AgreementState.ENDED),
        "Draft": AgreementState.DRAFT,
    }
    assert states == expected
    assert titles(Agreement.objects.in_force()) == IN_FORCE
    assert titles(Agreement.objects.not_yet_in_force()) == NOT_YET
    assert titles(Agreement.objects.ended()) == ENDED
    assert titles(Agreement.objects.expiring()) == EXPIRING_SET
    # An instance reads the same conditions.
    assert register["Future renewal"].current_state == AgreementState.NOT_YET_IN_FORCE
    assert register["Ends today"].current_state == AgreementState.IN_FORCE


def test_tomorrow_the_boundaries_move(register):
    tomorrow = TODAY + DAY
    assert "Ends today" in titles(Agreement.objects.ended(today=tomorrow))
    assert "Starts tomorrow" in titles(Agreement.objects.in_force(today=tomorrow))
    assert "Signed tomorrow" in titles(Agreement.objects.in_force(today=tomorrow))
    assert "Beyond edge" in titles(Agreement.objects.expiring(today=tomorrow))
    assert "Future renewal" not in titles(Agreement.objects.in_force(today=tomorrow))
    assert "Future renewal" in titles(Agreement.objects.in_force(today=D(2029, 1, 1)))


def test_dashboard_counts_the_states(client, register):
    context = client.get("/").context
    assert context["in_force_count"] == len(IN_FORCE)
    assert context["expiring_count"] == len(EXPIRING_SET)
    page = client.get("/").content.decode()
    assert f"country_pair=KZ,AZ&amp;expiring_within={EXPIRING}" in page
    assert f"expiring within {EXPIRING} days" in page


def test_the_expiring_window_is_one_setting(client, register, settings):
    settings.UNIBRIDGE_EXPIRING_DAYS = 30
    response = client.get("/")
    assert response.context["expiring_count"] == len({"Renewed original", "Ends today"})
    assert "expiring within 30 days" in response.content.decode()
    assert titles(Agreement.objects.expiring()) == {"Renewed original", "Ends today"}
    mail_run = expiry_alerts_send(today=TODAY, dry_run=True)
    assert {alert.agreement.title for alert in mail_run.alerts + mail_run.unaddressed} == {
        "Ends today"
    }


FILTERS = [
    ({"in_force": "true"}, IN_FORCE),
    ({"in_force": "false"}, NOT_YET | ENDED | {"Draft"}),
    ({"state": "not_yet_in_force"}, NOT_YET),
    ({"state": "ended"}, ENDED),
    ({"state": ["in_force", "not_yet_in_force"]}, IN_FORCE | NOT_YET),
    ({"state": "draft"}, {"Draft"}),
    ({"expiring_within": str(EXPIRING)}, EXPIRING_SET),
    ({"expiring_within": "0"}, {"Ends today"}),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_register_page_filters_by_state(staff, register, params, expected):
    response = staff.get(reverse("agreements:agreement_list"), params)
    assert response.status_code == 200
    assert titles(row.record for row in response.context["table"].rows) == expected


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_api_filters_by_state(superuser, register, params, expected):
    client = APIClient()
    client.force_authenticate(superuser)
    response = client.get("/api/agreements/", {**params, "page_size": 100})
    assert response.status_code == 200, response.content
    assert {row["title"] for row in response.json()["results"]} == expected


def test_register_shows_valid_from(client, register):
    page = client.get(reverse("agreements:agreement_list"), {"state": "not_yet_in_force"})
    body = page.content.decode()
    assert "Valid from" in body and "2029" in body


def test_expiry_emails_go_for_agreements_expiring_in_force(register, settings):
    settings.UNIBRIDGE_EXPIRY_ALERT_EMAILS = ["office@example.org"]
    run = expiry_alerts_send(today=TODAY)
    assert {alert.agreement.title for alert in run.alerts} == ALERTED
    (message,) = mail.outbox
    for title in ALERTED:
        assert title in message.body
    for title in (IN_FORCE | NOT_YET | ENDED) - ALERTED:
        assert title not in message.body


def test_profile_groups_by_state(client, register):
    kz = register["Open-ended"].parties.first().institution
    groups = client.get(kz.get_absolute_url()).context["agreement_groups"]
    # Anonymous readers: the draft is not public.
    assert titles(groups["active"]["agreements"]) == IN_FORCE - EXPIRING_SET
    assert titles(groups["expiring"]["agreements"]) == EXPIRING_SET
    assert titles(groups["upcoming"]["agreements"]) == NOT_YET
    assert titles(groups["ended"]["agreements"]) == ENDED


def test_admin_state_filter(staff, register):
    url = reverse("admin:agreements_agreement_changelist")
    for value, expected in [
        ("in_force", IN_FORCE),
        ("not_yet_in_force", NOT_YET),
        ("ended", ENDED),
        ("expiring", EXPIRING_SET),
        ("open", {"Open-ended", "Undated, in effect"}),
    ]:
        response = staff.get(url, {"validity": value})
        assert titles(response.context["cl"].result_list) == expected, value


def test_public_statuses_come_from_the_choices():
    assert set(visibility.PUBLIC_STATUSES) == set(AgreementStatus.values) - {"draft"}
    assert visibility.PUBLIC_STATUSES is PUBLIC_STATUSES


# --------------------------------------------------------------------------- dormant


def pair():
    return f.InstitutionFactory(), f.InstitutionFactory(country="AZ", city="Baku")


@pytest.fixture
def dormant_register():
    """Agreements in force, each between its own two institutions (so that one's activity
    is not another's), signed 800 days ago unless said otherwise."""
    old = TODAY - 800 * DAY

    def make(title, **kwargs):
        kwargs.setdefault("signed_on", old)
        kwargs.setdefault("valid_from", old)
        kwargs.setdefault("valid_until", None)
        return f.agreement_between(*pair(), title=title, **kwargs)

    make("Quiet")
    make("Eight months old", signed_on=TODAY - 240 * DAY, valid_from=TODAY - 240 * DAY)
    original = make("Renewed in force")
    f.agreement_between(
        *[party.institution for party in original.parties.all()],
        title="Future renewal",
        renews=original,
        signed_on=TODAY - 30 * DAY,
        valid_from=D(2029, 1, 1),
        valid_until=None,
    )
    f.MobilityFigureFactory(agreement=make("Figure under it"), year=TODAY.year)
    with_pair = make("Figure between its parties")
    home, host = (party.institution for party in with_pair.parties.all())
    f.MobilityFigureFactory(home_institution=home, host_institution=host, year=TODAY.year)
    stale = make("Old figure")
    f.MobilityFigureFactory(agreement=stale, year=TODAY.year - 3)
    programme = f.ScholarshipProgrammeFactory(agreement=make("Scholarship under it"))
    f.ScholarshipAllocationFactory(programme=programme, year=TODAY.year)
    met = make("Parties met at an event")
    first, second = (party.institution for party in met.parties.all())
    event = f.EventFactory(start_date=TODAY - 60 * DAY, host_institution=first)
    f.ParticipationFactory(event=event, institution=second)
    alone = make("Only one party at an event")
    event = f.EventFactory(
        start_date=TODAY - 60 * DAY, host_institution=alone.parties.first().institution
    )
    make("Ended", valid_until=TODAY - DAY)


DORMANT = {"Quiet", "Old figure", "Only one party at an event"}


def test_dormant_is_old_in_force_and_without_activity(dormant_register):
    assert titles(Agreement.objects.dormant()) == DORMANT


def test_dormant_on_the_dashboard_register_and_api(client, dormant_register, superuser):
    context = client.get("/").context
    assert context["dormant_count"] == len(DORMANT)
    page = client.get("/").content.decode()
    assert "signed more than 12 months ago" in page
    response = client.get(reverse("agreements:agreement_list"), {"dormant": "true"})
    assert titles(row.record for row in response.context["table"].rows) == DORMANT
    # The page that offers the filter says what it means.
    assert "signed more than 12 months ago" in response.content.decode()
    api = APIClient()
    api.force_authenticate(superuser)
    body = api.get("/api/agreements/", {"dormant": "true"}).json()
    assert {row["title"] for row in body["results"]} == DORMANT


def test_dormant_months_are_a_setting(dormant_register, settings):
    settings.UNIBRIDGE_DORMANT_MONTHS = 6
    assert "Eight months old" in titles(Agreement.objects.dormant())


# --------------------------------------------------------------------------- duplicates


def session_row(kz, az, valid_from):
    return {"parties": [kz.pk, az.pk], "kind": "memorandum", "valid_from": valid_from}


def test_ended_agreements_do_not_duplicate_a_new_signing():
    kz, az = pair()
    f.agreement_between(kz, az, status=AgreementStatus.EXPIRED, valid_until=None)
    f.agreement_between(kz, az, valid_until=TODAY - DAY)
    f.agreement_between(
        kz,
        az,
        status=AgreementStatus.TERMINATED,
        terminated_on=TODAY - 10 * DAY,
        valid_until=TODAY + 300 * DAY,
    )
    result = agreements_bulk_check(
        event=None, rows=[session_row(kz, az, TODAY.isoformat())], defaults={}
    )
    assert result.rows[0].duplicate_of == []
    assert result.valid


def test_agreements_in_force_or_not_yet_are_duplicates():
    kz, az = pair()
    current = f.agreement_between(kz, az, valid_from=TODAY - 100 * DAY, valid_until=None)
    renewal = f.agreement_between(
        kz, az, signed_on=TODAY - DAY, valid_from=D(2029, 1, 1), valid_until=None
    )
    result = agreements_bulk_check(
        event=None, rows=[session_row(kz, az, TODAY.isoformat())], defaults={}
    )
    assert sorted(result.rows[0].duplicate_of) == sorted([current.pk, renewal.pk])
    assert not result.valid
