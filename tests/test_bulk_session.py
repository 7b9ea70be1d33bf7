"""A signing session entered at once: agreements_bulk_create and POST /api/agreements/bulk/."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, Party
from agreements.services import agreements_bulk_create
from events.models import Person
from tests.base import token_client, user_with_permissions
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    agreement_between,
)
from universities.choices import InstitutionNameKind
from universities.models import Institution

pytestmark = pytest.mark.django_db

URL = "/api/agreements/bulk/"


@pytest.fixture
def register():
    atyrau = InstitutionFactory(name="Khalel Dosmukhamedov Atyrau University", city="Atyrau")
    InstitutionNameFactory(
        institution=atyrau,
        name="Атырауский государственный университет им. Х.Досмухамедова",
        kind=InstitutionNameKind.FORMER,
    )
    kaznu = InstitutionFactory(name="Al-Farabi Kazakh National University")
    InstitutionNameFactory(institution=kaznu, name="КазНУ", kind=InstitutionNameKind.ACRONYM)
    bsu = InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    InstitutionNameFactory(institution=bsu, name="Bakı Dövlət Universiteti", language="az")
    ada = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    InstitutionNameFactory(institution=ada, name="ADA", kind=InstitutionNameKind.ACRONYM)
    nakh_state = InstitutionFactory(name="Nakhchivan State University", country="AZ")
    nakh = InstitutionFactory(name="Nakhchivan University", country="AZ")
    return {
        "atyrau": atyrau,
        "kaznu": kaznu,
        "bsu": bsu,
        "ada": ada,
        "nakh_state": nakh_state,
        "nakh": nakh,
    }


def rows(*pairs, **extra):
    return [{"parties": list(pair), **extra} for pair in pairs]


DEFAULTS = {"kind": "memorandum", "areas": ["student_exchange"]}


def test_check_matches_names_in_any_script_and_saves_nothing(register):
    event = EventFactory(start_date=datetime.date(2026, 4, 6))
    result = agreements_bulk_create(
        event=event,
        rows=rows(
            (
                "Атырауский государственный университет им. Х.Досмухамедова",
                "Bakı Dövlət Universiteti",
            ),
            ("КазНУ", "ADA"),
        ),
        defaults=DEFAULTS,
        dry_run=True,
    )
    assert result.valid and not result.saved
    assert Agreement.objects.count() == 0
    first, second = result.rows
    assert [p.institution_id for p in first.parties] == [register["atyrau"].pk, register["bsu"].pk]
    assert first.parties[0].match.candidates[0].score == 100.0
    assert first.signed_on == datetime.date(2026, 4, 6)  # the event's date by default
    assert first.title.startswith("Memorandum of understanding between")
    assert [p.institution_id for p in second.parties] == [register["kaznu"].pk, register["ada"].pk]


def test_save_links_event_areas_parties_signatories_and_history(register, superuser):
    event = EventFactory()
    result = agreements_bulk_create(
        event=event,
        rows=[
            {
                "parties": ["ADA University", register["kaznu"].pk],
                "title": "Memorandum on student exchange",
                "valid_from": "2026-04-06",
                "valid_until": "06.04.2031",
                "signatories": ["Hafiz Pashayev", "Zhanseit Tuymebayev"],
                "areas": ["joint_research", "student_exchange"],
            },
            {"parties": ["Baku State University", "Khalel Dosmukhamedov Atyrau University"]},
        ],
        defaults={**DEFAULTS, "signed_on": "2026-04-06"},
        user=superuser,
    )
    assert result.saved, result.as_dict()
    assert event.agreements.count() == 2
    agreement = Agreement.objects.get(title="Memorandum on student exchange")
    assert agreement.valid_until == datetime.date(2031, 4, 6)
    assert set(agreement.areas.values_list("code", flat=True)) == {
        "joint_research",
        "student_exchange",
    }
    parties = list(agreement.parties.select_related("signatory"))
    assert [p.institution_id for p in parties] == [register["ada"].pk, register["kaznu"].pk]
    assert [p.signatory.name for p in parties] == ["Hafiz Pashayev", "Zhanseit Tuymebayev"]
    version = agreement.history.get()
    assert (version.history_user, version.history_type) == (superuser, "+")
    assert (version.title, version.event_id, version.valid_from) == (
        agreement.title,
        agreement.event_id,
        agreement.valid_from,
    )
    assert sorted(
        Party.history.filter(agreement_id=agreement.pk).values_list(
            "institution_id", "signatory_id", "history_user", "history_type"
        )
    ) == sorted((p.institution_id, p.signatory_id, superuser.pk, "+") for p in parties)
    assert result.rows[0].agreement_id == agreement.pk


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"parties": ["ADA University"]}, "parties", "two or more parties"),
        ({"parties": ["ADA University", "ADA"]}, "parties", "is a party twice"),
        ({"parties": ["ADA", "Zzyzx Quantum Bakery"]}, "parties", "No institution matches"),
        ({"parties": ["ADA", "КазНУ"], "kind": "treaty"}, "kind", "Unknown kind"),
        ({"parties": ["ADA", "КазНУ"], "areas": ["cooking"]}, "areas", "Unknown areas"),
        ({"parties": ["ADA", "КазНУ"], "valid_from": "2026/04/06"}, "valid_from", "not a date"),
        ({"parties": ["ADA", "КазНУ"], "valid_until": "2026-02-30"}, "valid_until", "not a date"),
        (
            {"parties": ["ADA", "КазНУ"], "valid_from": "2026-04-06", "valid_until": "2025-01-01"},
            "valid_until",
            "cannot be before",
        ),
        (
            {"parties": ["ADA", {"name": "New Institute", "create": True, "country": "XX"}]},
            "parties",
            "not a country code",
        ),
    ],
)
def test_bad_row_is_reported_and_nothing_is_saved(register, row, field, message):
    good = {"parties": ["Baku State University", "КазНУ"]}
    result = agreements_bulk_create(event=EventFactory(), rows=[good, row], defaults=DEFAULTS)
    assert not result.saved
    assert result.rows[0].status == "ready"
    assert result.rows[1].status == "error"
    assert any(message in text for text in result.rows[1].errors[field]), result.rows[1].errors
    assert Agreement.objects.count() == 0


def test_ambiguous_name_blocks_until_chosen(register):
    event = EventFactory()
    pending = agreements_bulk_create(
        event=event, rows=rows(("Nakhchivan Private University", "КазНУ")), defaults=DEFAULTS
    )
    assert pending.rows[0].status == "ambiguous" and not pending.saved
    candidates = pending.rows[0].parties[0].match.candidates
    assert {c.institution_id for c in candidates} >= {register["nakh"].pk}
    chosen = agreements_bulk_create(
        event=event, rows=rows((register["nakh"].pk, "КазНУ")), defaults=DEFAULTS
    )
    assert chosen.saved


def test_unknown_institution_is_created_on_save(register, superuser):
    result = agreements_bulk_create(
        event=EventFactory(),
        rows=rows(({"name": "Caspian Institute of Tests", "create": True, "country": "az"}, "ADA")),
        defaults=DEFAULTS,
        user=superuser,
    )
    assert result.saved
    created = Institution.objects.get(name="Caspian Institute of Tests")
    assert created.country == "AZ"
    assert created.history.get().history_user == superuser


def test_duplicates_of_register_and_batch_are_flagged(register):
    agreement_between(
        register["ada"],
        register["kaznu"],
        kind="memorandum",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2028, 12, 31),
    )
    result = agreements_bulk_create(
        event=EventFactory(),
        rows=[
            {"parties": ["КазНУ", "ADA"], "valid_from": "2026-04-06", "valid_until": "2028-12-31"},
            {"parties": ["Baku State University", "ADA"], "valid_from": "2026-04-06"},
            {"parties": ["ADA", "Baku State University"], "valid_from": "2027-01-01"},
            # Another kind, or validity that does not overlap, is not a duplicate.
            {"parties": ["КазНУ", "ADA"], "kind": "exchange", "valid_from": "2026-04-06"},
            {"parties": ["КазНУ", "ADA"], "valid_from": "2029-01-01"},
        ],
        defaults=DEFAULTS,
    )
    statuses = [row.status for row in result.rows]
    assert statuses == ["error", "error", "error", "ready", "ready"]
    assert result.rows[0].duplicate_of == [Agreement.objects.get().pk]
    assert result.rows[1].duplicate_rows == [2]
    assert result.rows[2].duplicate_rows == [1]
    acknowledged = agreements_bulk_create(
        event=EventFactory(),
        rows=[{"parties": ["КазНУ", "ADA"], "allow_duplicate": True}],
        defaults=DEFAULTS,
    )
    assert acknowledged.saved


def test_a_duplicate_has_exactly_the_same_parties_and_is_in_force(register):
    """Only the row's exact party set counts: a three-party agreement is a duplicate of a
    three-party row (in any order), not of a row with two of its parties; terminated
    agreements and drafts are not duplicates of anything."""
    validity = {"valid_from": datetime.date(2024, 1, 1), "valid_until": None}
    trio = agreement_between(
        register["ada"], register["kaznu"], register["bsu"], kind="memorandum", **validity
    )
    for status in ("terminated", "draft"):
        agreement_between(
            register["atyrau"], register["nakh"], kind="memorandum", status=status, **validity
        )
    result = agreements_bulk_create(
        event=EventFactory(),
        rows=[
            {"parties": ["Baku State University", "ADA", "КазНУ"], "valid_from": "2026-04-06"},
            {"parties": ["КазНУ", "ADA"], "valid_from": "2026-04-06"},
            {"parties": ["ADA", "Baku State University"], "valid_from": "2026-04-06"},
            {"parties": [register["atyrau"].pk, register["nakh"].pk], "valid_from": "2026-04-06"},
        ],
        defaults=DEFAULTS,
        dry_run=True,
    )
    assert [row.duplicate_of for row in result.rows] == [[trio.pk], [], [], []]
    assert [row.status for row in result.rows] == ["error", "ready", "ready", "ready"]


def test_too_many_rows_are_refused_with_a_message(register):
    result = agreements_bulk_create(
        event=None, rows=[{"parties": ["ADA", "КазНУ"]}] * 5001, defaults=DEFAULTS
    )
    assert not result.saved and "split the file" in result.errors[0]


def test_queries_do_not_grow_with_rows(register, superuser, django_assert_max_num_queries):
    names = [
        "Abai",
        "Baitursynov",
        "Chokan",
        "Dulati",
        "Yesenov",
        "Fazyl",
        "Gumilyov",
        "Ibray",
        "Zhansugurov",
        "Korkyt",
        "Lermontov",
        "Makhambet",
        "Nurpeisov",
        "Otyrar",
        "Pushkin",
        "Ryskulov",
        "Seifullin",
        "Toraighyrov",
        "Utemisov",
        "Valikhanov",
    ]
    for name in names:
        InstitutionFactory(name=f"{name} University")
    event = EventFactory()
    many = [
        {"parties": [f"{name} University", "ADA"], "signatories": [f"Rector {name}"]}
        for name in names
    ]
    with django_assert_max_num_queries(10):
        assert agreements_bulk_create(event=event, rows=many, defaults=DEFAULTS, dry_run=True).valid
    # Saving: a fixed number of bulk inserts (agreements, parties, people, their history,
    # the agreements' search keys: their parties' names read, the keys inserted).
    with django_assert_max_num_queries(27):
        assert agreements_bulk_create(
            event=event, rows=many, defaults=DEFAULTS, user=superuser
        ).saved
    assert Agreement.objects.count() == 20
    assert Person.objects.count() == 20


# --------------------------------------------------------------------------- the API


def test_api_dry_run_returns_matches(register):
    client = token_client(user_with_permissions("clerk", Agreement, ["add"]))
    event = EventFactory()
    response = client.post(
        URL,
        {
            "event": event.pk,
            "defaults": DEFAULTS,
            "rows": rows(("Атырауский государственный университет им. Х.Досмухамедова", "ADA")),
            "dry_run": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["saved"] is False and body["valid"] is True
    party = body["rows"][0]["parties"][0]
    assert party["institution"] == register["atyrau"].pk
    assert party["candidates"][0]["score"] == 100.0
    assert Agreement.objects.count() == 0


def test_api_saves_all_or_reports_per_row(register):
    client = token_client(user_with_permissions("clerk", Agreement, ["add"]))
    event = EventFactory()
    bad = client.post(
        URL,
        {
            "event": event.pk,
            "defaults": DEFAULTS,
            "rows": [
                {"parties": ["ADA", "КазНУ"]},
                {
                    "parties": ["ADA", "КазНУ"],
                    "valid_from": "2026-05-01",
                    "valid_until": "2026-01-01",
                },
            ],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["rows"][1]["errors"]["valid_until"]
    assert bad.json()["summary"]["error"] == 1
    assert Agreement.objects.count() == 0
    good = client.post(
        URL,
        {
            "event": event.pk,
            "defaults": DEFAULTS,
            "rows": rows(("ADA", "КазНУ"), ("ADA", "Baku State University")),
        },
        format="json",
    )
    assert good.status_code == 201, good.json()
    assert event.agreements.count() == 2
    assert all(row["agreement"] for row in good.json()["rows"])


def test_api_needs_add_permission(register, client):
    payload = {"rows": rows(("ADA", "КазНУ")), "defaults": DEFAULTS}
    assert client.post(URL, payload, content_type="application/json").status_code in (401, 403)
    reader = token_client(user_with_permissions("reader"))
    assert reader.post(URL, payload, format="json").status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"rows": []},
        {"rows": "ADA;KazNU"},
        {"rows": [{"title": "no parties"}]},
        {"rows": [{"parties": ["ADA", "КазНУ"]}], "event": 999999},
    ],
)
def test_api_malformed_request_is_400(register, payload):
    client = token_client(user_with_permissions("clerk", Agreement, ["add"]))
    assert client.post(URL, payload, format="json").status_code == 400
    assert Agreement.objects.count() == 0


def test_bulk_is_in_the_schema(client):
    schema = client.get(reverse("api:schema")).content.decode()
    assert "/api/agreements/bulk/" in schema
    assert "AgreementBulk" in schema


def test_parties_given_by_id_do_not_load_the_register(register):
    """An integration that sends ids must not pay for loading and folding every name."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kaznu = Institution.objects.get(name="Al-Farabi Kazakh National University")
    ada = Institution.objects.get(name="ADA University")
    rows = [{"parties": [kaznu.pk, ada.pk], "title": "By id", "kind": "memorandum"}]
    with CaptureQueriesContext(connection) as queries:
        result = agreements_bulk_create(event=None, rows=rows, defaults=DEFAULTS, dry_run=True)
    assert result.valid
    assert [p.institution_name for p in result.rows[0].parties] == [kaznu.name, ada.name]
    # Only the two parties are read: no query touches the names table.
    assert not any("universities_institutionname" in q["sql"] for q in queries.captured_queries)
    unknown = agreements_bulk_create(
        event=None, rows=[{"parties": [kaznu.pk, 10**9], "kind": "memorandum"}], defaults=DEFAULTS
    )
    assert not unknown.valid
