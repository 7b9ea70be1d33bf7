"""The register's rules (agreements/rules.py) refused through every way in, with the field
named and nothing saved: the API (create, update, nested writes), the admin, the signing
session, the spreadsheet import and renewals.

The signing session and the import write agreements with their parties only (no
cooperation conditions), so the rules about conditions are checked through the API and the
admin, and through renewals, which copy conditions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.lifecycle import agreement_renew
from agreements.models import Agreement, CooperationCondition, Party
from cooperation.models import IscedField
from tests import factories as f
from tests.base import field_errors
from tests.imports.conftest import AGREEMENT_HEADER, Importer, agreement_row, csv_bytes
from tests.test_admin import admin_url, agreement_form

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world():
    kz = f.InstitutionFactory(name="Al-Farabi Kazakh National University")
    az = f.InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    outsider = f.InstitutionFactory(name="Outsider University", country="TR")
    broad = IscedField.objects.create(code="05", level="broad", name_en="Natural sciences")
    narrow = IscedField.objects.create(
        code="051", level="narrow", name_en="Biological sciences", parent=broad
    )
    IscedField.objects.create(code="0511", level="detailed", name_en="Biology", parent=narrow)
    return {"kz": kz, "az": az, "outsider": outsider}


# One agreement as each channel writes it: two parties, one condition, valid until 2030.
def condition_fields(world, **changes) -> dict:
    fields = {
        "sending_institution": world["kz"],
        "receiving_institution": world["az"],
        "places_per_year": 2,
        "subject_areas": ["0511"],
        "first_academic_year": "2025/2026",
        "last_academic_year": "2029/2030",
    }
    fields.update(changes)
    return fields


# rule -> (parties as written, changes to the condition, field named, words of the message)
RULES = {
    "one party": (("kz",), {}, "parties", "two or more parties"),
    "a party twice": (("kz", "kz"), {}, "parties", "twice"),
    "condition institution not a party": (
        ("kz", "az"),
        {"receiving_institution": "outsider"},
        "receiving_institution",
        "Outsider University is not a party to this agreement",
    ),
    "places per year 0": (("kz", "az"), {"places_per_year": 0}, "places_per_year", "at least 1"),
    "ISCED-F code of two digits": (
        ("kz", "az"),
        {"subject_areas": ["05"]},
        "subject_areas",
        "broad ISCED-F field",
    ),
    "empty last academic year": (
        ("kz", "az"),
        {"last_academic_year": ""},
        "last_academic_year",
        "Give the last academic year",
    ),
    "academic years out of order": (
        ("kz", "az"),
        {"last_academic_year": "2024/2025"},
        "last_academic_year",
        "cannot precede the first",
    ),
}
PARTY_RULES = ("one party", "a party twice")


def resolve(world, value):
    return world[value] if isinstance(value, str) and value in world else value


def spec(world, rule):
    parties, changes, field, words = RULES[rule]
    condition = condition_fields(world, **{k: resolve(world, v) for k, v in changes.items()})
    return [world[name] for name in parties], condition, field, words


# --------------------------------------------------------------------------- channels


def through_api(superuser, parties, condition) -> dict:
    """The field errors of a refused ``POST /api/agreements/``: parties at the top, a
    condition's under its index."""
    client = APIClient()
    client.force_authenticate(superuser)
    payload = {
        "title": "Memorandum",
        "kind": "memorandum",
        "signed_on": "2025-04-06",
        "valid_from": "2025-04-06",
        "valid_until": "2030-04-05",
        "parties": [{"institution": institution.pk} for institution in parties],
        "conditions": [
            {
                **{k: getattr(v, "pk", v) for k, v in condition.items()},
                "mobility_type": "student_studies",
            }
        ],
    }
    response = client.post("/api/agreements/", payload, format="json")
    assert response.status_code == 400, response.content
    errors: dict[str, list[str]] = {}
    for pointer, messages in field_errors(response).items():
        # /parties, /conditions/0/receiving_institution: the field's name, as other channels
        field = pointer.split("/")[-1]
        errors.setdefault(field, []).extend(messages)
    return {field: " ".join(messages) for field, messages in errors.items()}


def through_admin(client, parties, condition) -> dict:
    data = agreement_form(parties, conditions=[(parties[0], parties[-1])])
    for key, value in condition.items():
        if key == "subject_areas":
            value = [str(IscedField.objects.get(code=code).pk) for code in value]
        data[f"conditions-0-{key}"] = (
            str(getattr(value, "pk", value)) if key != "subject_areas" else value
        )
    response = client.post(admin_url(Agreement, "add"), data)
    assert response.status_code == 200, "the admin saved it"
    party_formset, condition_formset = (
        inline.formset for inline in response.context["inline_admin_formsets"]
    )
    errors = {"parties": " ".join(party_formset.non_form_errors())}
    for form_errors in condition_formset.errors:
        errors.update({field: " ".join(messages) for field, messages in form_errors.items()})
    for form_errors in party_formset.errors:
        if form_errors:
            errors["parties"] += " " + " ".join(
                message for messages in form_errors.values() for message in messages
            )
    return errors


def through_session(client, parties, condition) -> dict:
    event = f.EventFactory()
    # party; party; title; kind; valid from; valid until; signatories (a lone party keeps
    # an empty cell beside it, so that the trailing cells stay in place)
    names = [institution.name for institution in parties] + [""] * (2 - len(parties))
    rows = ";".join([*names, "Memorandum", "memorandum", "", "", ""])
    response = client.post(
        reverse("agreements:signing_session"),
        {"event": event.pk, "kind": "memorandum", "new_event_kind": "forum", "rows": rows,
         "save": "1"},
    )  # fmt: skip
    assert response.status_code == 200, "the session saved it"
    (row,) = response.context["result"].rows
    return {field: " ".join(messages) for field, messages in row.errors.items()}


def through_import(client, tmp_path, parties, condition) -> dict:
    importer = Importer(client, "agreements", tmp_path)
    names = "; ".join(institution.name for institution in parties)
    preview = importer.preview(csv_bytes([AGREEMENT_HEADER, agreement_row(parties=names)]))
    (row,) = preview.context["report"].rows
    errors: dict[str, str] = {}
    for column, message in row.errors:
        errors[column] = f"{errors.get(column, '')} {message}".strip()
    return errors


CASES = [
    *[(rule, channel) for rule in RULES for channel in ("api", "admin")],
    *[(rule, channel) for rule in PARTY_RULES for channel in ("session", "import")],
]


@pytest.mark.parametrize(("rule", "channel"), CASES)
def test_rule_is_refused_with_the_field_named(
    rule, channel, world, superuser, admin_client_logged, tmp_path
):
    parties, condition, field, words = spec(world, rule)
    if channel == "api":
        errors = through_api(superuser, parties, condition)
    elif channel == "admin":
        errors = through_admin(admin_client_logged, parties, condition)
    elif channel == "session":
        errors = through_session(admin_client_logged, parties, condition)
    else:
        errors = through_import(admin_client_logged, tmp_path, parties, condition)
    if channel == "admin" and rule == "a party twice":
        # Django's formset refuses the repeated row before the rule runs, on the field.
        words = "institution"
    assert words in errors.get(field, ""), errors
    assert not Agreement.objects.exists()
    assert not Party.objects.exists() and not CooperationCondition.objects.exists()


def test_the_api_accepts_what_the_rules_allow(world, superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    condition = condition_fields(world, subject_areas=["051", "0511"])
    payload = {
        "title": "Memorandum",
        "kind": "memorandum",
        "valid_until": None,
        "parties": [{"institution": world["kz"].pk}, {"institution": world["az"].pk}],
        "conditions": [
            {
                **{k: getattr(v, "pk", v) for k, v in condition.items()},
                "mobility_type": "student_studies",
                "places_per_year": None,
                # Open-ended: the last academic year may be left empty.
                "last_academic_year": "",
            }
        ],
    }
    response = client.post("/api/agreements/", payload, format="json")
    assert response.status_code == 201, response.content


# --------------------------------------------------------------------------- API updates


@pytest.fixture
def saved(world):
    agreement = f.agreement_between(world["kz"], world["az"], valid_until=D(2030, 4, 5))
    f.CooperationConditionFactory(
        agreement=agreement,
        sending_institution=world["kz"],
        receiving_institution=world["az"],
        last_academic_year="2029/2030",
    )
    return agreement


def api(superuser) -> APIClient:
    client = APIClient()
    client.force_authenticate(superuser)
    return client


def test_an_update_may_not_drop_to_one_party(saved, superuser, world):
    kept = saved.parties.get(institution=world["kz"])
    response = api(superuser).patch(
        f"/api/agreements/{saved.pk}/",
        {"parties": [{"id": kept.pk, "institution": world["kz"].pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "two or more parties" in " ".join(field_errors(response)["/parties"])
    assert saved.parties.count() == 2


def test_an_update_of_parties_checks_the_saved_conditions(saved, superuser, world):
    response = api(superuser).patch(
        f"/api/agreements/{saved.pk}/",
        {"parties": [{"institution": world["kz"].pk}, {"institution": world["outsider"].pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "/conditions/0/receiving_institution" in field_errors(response)
    assert set(saved.parties.values_list("institution_id", flat=True)) == {
        world["kz"].pk,
        world["az"].pk,
    }


def test_an_end_date_on_an_open_ended_agreement_needs_the_last_years(world, superuser):
    agreement = f.agreement_between(world["kz"], world["az"], valid_until=None)
    f.CooperationConditionFactory(
        agreement=agreement,
        sending_institution=world["kz"],
        receiving_institution=world["az"],
        last_academic_year="",
    )
    response = api(superuser).patch(
        f"/api/agreements/{agreement.pk}/", {"valid_until": "2030-04-05"}, format="json"
    )
    assert response.status_code == 400
    assert "/conditions/0/last_academic_year" in field_errors(response)


def test_nested_condition_update_with_places_zero_is_refused(saved, superuser):
    condition = saved.conditions.get()
    body = api(superuser).get(f"/api/agreements/{saved.pk}/").json()
    item = {**body["conditions"][0], "places_per_year": 0}
    response = api(superuser).patch(
        f"/api/agreements/{saved.pk}/", {"conditions": [item]}, format="json"
    )
    assert response.status_code == 400
    assert "/conditions/0/places_per_year" in field_errors(response)
    condition.refresh_from_db()
    assert condition.places_per_year == 2


# --------------------------------------------------------------------------- renewals


def test_a_record_with_one_party_is_not_renewed_with_one(world, superuser):
    single = f.agreement_between(world["kz"], valid_from=D(2020, 1, 1), valid_until=D(2024, 12, 31))
    with pytest.raises(ValidationError) as caught:
        agreement_renew(single, user=superuser, valid_from=D(2025, 1, 1))
    assert "two or more parties" in " ".join(caught.value.message_dict["parties"])
    response = api(superuser).post(
        f"/api/agreements/{single.pk}/renew/", {"valid_from": "2025-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "/parties" in field_errors(response)
    assert Agreement.objects.count() == 1


def test_a_renewal_does_not_copy_a_condition_that_breaks_a_rule(world, superuser):
    original = f.agreement_between(
        world["kz"], world["az"], valid_from=D(2020, 1, 1), valid_until=D(2024, 12, 31)
    )
    condition = f.CooperationConditionFactory(
        agreement=original,
        sending_institution=world["kz"],
        receiving_institution=world["az"],
        first_academic_year="2020/2021",
        last_academic_year="2023/2024",
    )
    condition.subject_areas.add(IscedField.objects.get(code="05"))
    response = api(superuser).post(
        f"/api/agreements/{original.pk}/renew/",
        {"valid_from": "2025-01-01", "valid_until": "2029-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert "broad ISCED-F field" in " ".join(field_errors(response)["/copy_conditions"])
    assert Agreement.objects.count() == 1
    # Without the conditions, the renewal goes through.
    response = api(superuser).post(
        f"/api/agreements/{original.pk}/renew/",
        {"valid_from": "2025-01-01", "valid_until": "2029-12-31", "copy_conditions": False},
        format="json",
    )
    assert response.status_code == 201, response.content
