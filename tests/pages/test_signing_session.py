"""The signing-session page: permissions, pasted rows, choices per name, all or nothing."""

import pytest
from django.urls import reverse

from agreements.models import Agreement
from agreements.session import choice_field, occurrence_field, parse_rows
from events.models import Event
from tests.base import user_with_permissions
from tests.factories import EventFactory, InstitutionFactory

pytestmark = pytest.mark.django_db
URL = reverse("agreements:signing_session")


def test_parse_rows_reads_tabs_semicolons_extra_parties_and_skips_headers():
    text = (
        "party A;party B;title;kind;valid from;valid until;signatories\n"
        "\n"
        "ADA\tBaku State University\tMemo\tmemorandum\t2026-04-06\t\tA. One, B. Two\n"
        "A;B;C;Trilateral;exchange;06.04.2026;2030-01-01;\n"
        "A;B\n"
    )
    rows = parse_rows(text)
    assert [r["parties"] for r in rows] == [
        ["ADA", "Baku State University"],
        ["A", "B", "C"],
        ["A", "B"],
    ]
    assert rows[0]["signatories"] == ["A. One", "B. Two"]
    assert rows[1]["title"] == "Trilateral" and rows[1]["valid_from"] == "06.04.2026"


def test_page_needs_login_and_permission(client):
    assert client.get(URL).status_code == 302
    client.force_login(user_with_permissions("reader"))
    assert client.get(URL).status_code == 403
    client.force_login(user_with_permissions("clerk", Agreement, ["add"]))
    assert client.get(URL).status_code == 200


def test_choose_ambiguous_name_create_unknown_then_save(admin_client_logged):
    event = EventFactory()
    InstitutionFactory(name="Nakhchivan State University", country="AZ")
    nakh = InstitutionFactory(name="Nakhchivan University", country="AZ")
    InstitutionFactory(name="Satbayev University")
    form = {
        "event": event.pk,
        "kind": "memorandum",
        "new_event_kind": "forum",
        "rows": "Nakhchivan Private University;Satbayev University\n"
        "Caspian Test Institute;Satbayev University",
    }
    checked = admin_client_logged.post(URL, {**form, "check": "1"})
    assert checked.status_code == 200
    assert "2 rows: 0 ready, 1 ambiguous, 1 with errors" in checked.content.decode()
    refused = admin_client_logged.post(URL, {**form, "save": "1"})
    assert "Nothing was saved" in refused.content.decode()
    assert Agreement.objects.count() == 0
    chosen = {
        choice_field("Nakhchivan Private University"): str(nakh.pk),
        choice_field("Caspian Test Institute"): "new:AZ",
    }
    saved = admin_client_logged.post(URL, {**form, **chosen, "save": "1"})
    assert saved.status_code == 302 and saved.url == event.get_absolute_url()
    assert event.agreements.count() == 2
    assert event.agreements.filter(parties__institution=nakh).exists()
    assert event.agreements.filter(parties__institution__name="Caspian Test Institute").exists()


def test_new_event_is_not_left_behind_when_rows_are_invalid(admin_client_logged):
    InstitutionFactory(name="Satbayev University")
    InstitutionFactory(name="ADA University", country="AZ")
    form = {
        "new_event_title": "Forum that must not stay",
        "new_event_kind": "forum",
        "new_event_date": "2026-04-06",
        "new_event_country": "AZ",
        "kind": "memorandum",
        "rows": "Satbayev University;ADA University;;;2026-04-06;2020-01-01;",
        "save": "1",
    }
    response = admin_client_logged.post(URL, form)
    assert response.status_code == 200
    assert "cannot be before" in response.content.decode()
    assert not Event.objects.filter(title="Forum that must not stay").exists()
    assert Agreement.objects.count() == 0


def test_form_errors_are_shown_not_500(admin_client_logged):
    response = admin_client_logged.post(URL, {"kind": "memorandum", "rows": "", "check": "1"})
    assert response.status_code == 200
    assert "Choose the event" in response.content.decode()


def test_one_acronym_for_two_institutions_is_chosen_per_row(admin_client_logged):
    """ "ATU" is Almaty Technological University in one row and Azerbaijan Medical
    University (Azərbaycan Tibb Universiteti) in the next: each row keeps its own choice."""
    event = EventFactory()
    almaty = InstitutionFactory(name="Almaty Technological University", country="KZ")
    baku = InstitutionFactory(name="Azerbaijan Medical University", country="AZ")
    for institution in (almaty, baku):
        institution.names.create(name="ATU", kind="acronym")
    InstitutionFactory(name="Satbayev University", country="KZ")
    InstitutionFactory(name="ADA University", country="AZ")
    lines = ["ATU;ADA University", "Satbayev University;ATU"]
    form = {"event": event.pk, "new_event_kind": "forum", "kind": "memorandum"}
    form["rows"] = "\n".join(lines)
    checked = admin_client_logged.post(URL, {**form, "check": "1"}).content.decode()
    assert "2 rows: 0 ready, 2 ambiguous, 0 with errors" in checked
    first, second = occurrence_field("ATU", lines[0], 0), occurrence_field("ATU", lines[1], 1)
    assert f'name="{first}"' in checked and f'name="{second}"' in checked
    saved = admin_client_logged.post(
        URL, {**form, first: str(almaty.pk), second: str(baku.pk), "save": "1"}
    )
    assert saved.status_code == 302
    assert event.agreements.filter(parties__institution=almaty).count() == 1
    assert event.agreements.filter(parties__institution=baku).count() == 1
    assert (
        not event.agreements.filter(parties__institution=almaty)
        .filter(parties__institution=baku)
        .exists()
    )


# ----------------------------------------------------- issue 16: the ministry's journey


@pytest.fixture
def two_universities():
    kaznu = InstitutionFactory(name="Al-Farabi Kazakh National University")
    ada = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    return kaznu, ada


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("memo", "memorandum"),
        ("Memorandum of understanding", "memorandum"),
        ("меморандум", "memorandum"),
        ("dual_degree", "dual_degree"),
    ],
)
def test_kind_is_read_from_its_label_in_any_language_or_its_start(
    admin_client_logged, two_universities, kind, code
):
    event = EventFactory()
    response = admin_client_logged.post(
        URL,
        {
            "event": event.pk,
            "kind": "exchange",
            "new_event_kind": "forum",
            "rows": f"Al-Farabi Kazakh National University;ADA University;;{kind}",
            "save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Agreement.objects.get().kind == code


def test_kind_and_areas_by_label_in_the_service():
    from agreements.services import RowResult, _as_areas, _as_kind

    row = RowResult(index=0)
    assert _as_kind("Соглашение о двудипломном образовании", row) == "dual_degree"
    assert _as_areas(["Обмен студентами", "joint research", "akademik"], row) == [
        "student_exchange",
        "joint_research",
    ]
    assert "Unknown areas: akademik" in row.errors["areas"][0]
    assert "Student exchange" in row.errors["areas"][0]  # the labels to choose from
    refused = RowResult(index=1)
    assert _as_kind("ag", refused) == ""  # too short to stand for one kind
    assert "Memorandum of understanding" in refused.errors["kind"][0]


def test_a_duplicate_is_named_with_its_parties_and_linked(admin_client_logged, two_universities):
    from tests.factories import agreement_between

    kaznu, ada = two_universities
    existing = agreement_between(kaznu, ada, title="Memorandum of understanding")
    response = admin_client_logged.post(
        URL,
        {
            "event": EventFactory().pk,
            "kind": "memorandum",
            "new_event_kind": "forum",
            "rows": "Al-Farabi Kazakh National University;ADA University",
            "check": "1",
        },
    )
    page = response.content.decode()
    assert "Duplicates agreement(s)" not in page
    assert (
        "Duplicates “Memorandum of understanding” (Al-Farabi Kazakh National University "
        f"(KZ); ADA University (AZ), signed April 6, 2025), #{existing.pk}, already in the "
        "register (same parties, kind and overlapping validity)."
    ) in page
    assert f'<a href="{existing.get_absolute_url()}">Memorandum of understanding</a>' in page


def test_one_line_is_skipped_and_the_others_saved(admin_client_logged, two_universities):
    from agreements.session import skip_field

    InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    bad = "Al-Farabi Kazakh National University;Nowhere Institute of Nothing"
    lines = [
        "Al-Farabi Kazakh National University;ADA University",
        bad,
        "Al-Farabi Kazakh National University;Baku State University",
    ]
    form = {
        "event": EventFactory().pk,
        "kind": "memorandum",
        "new_event_kind": "forum",
        "rows": "\n".join(lines),
    }
    checked = admin_client_logged.post(URL, {**form, "check": "1"}).content.decode()
    assert "3 rows: 2 ready, 0 ambiguous, 1 with errors" in checked
    assert f'name="{skip_field(bad)}"' in checked
    skipping = {**form, skip_field(bad): "1"}
    rechecked = admin_client_logged.post(URL, {**skipping, "check": "1"}).content.decode()
    assert "2 rows: 2 ready, 0 ambiguous, 0 with errors; 1 skipped" in rechecked
    assert 'id="row-3"' in rechecked and 'id="row-2"' not in rechecked  # numbers kept
    assert "Skipped lines" in rechecked
    saved = admin_client_logged.post(URL, {**skipping, "save": "1"}, follow=True)
    assert "2 agreements saved. 1 line skipped." in saved.content.decode()
    assert Agreement.objects.count() == 2


def test_new_event_fields_are_switched_by_the_event_choice(admin_client_logged):
    page = admin_client_logged.get(URL).content.decode()
    assert 'data-new-event-switch="new-event-fields"' in page
    assert 'id="new-event-fields" data-new-event' in page
