"""The data model's rules, as the database enforces them and as users are told about them.

Every rule that protects the register is checked twice: the database itself refuses the
bad row (so a bulk import, a script or a race between two editors cannot slip one in), and
``full_clean()`` (what the admin and the API run) refuses it with a readable message on the
right field. Valid rows next to each boundary are shown to save. The whole module runs on
SQLite and on PostgreSQL (DATABASE_URL=postgres://...).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from agreements.models import CooperationArea, CooperationCondition, Party
from cooperation.models import IscedField, StatedFigure
from cooperation.text import fold
from events.models import Event, Participation
from mobility.models import MobilityFigure, ScholarshipAllocation
from tests.factories import (
    AgreementFactory,
    CooperationConditionFactory,
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    IscedFieldFactory,
    MobilityFigureFactory,
    ParticipationFactory,
    PartyFactory,
    PersonFactory,
    ScholarshipAllocationFactory,
    ScholarshipProgrammeFactory,
    SourceFactory,
    StatedFigureFactory,
    agreement_between,
)
from universities.models import Institution, InstitutionName

pytestmark = pytest.mark.django_db

D = datetime.date


def constraint_message(model: type[Model], name: str) -> str:
    """The message ``full_clean()`` shows for the named constraint of ``model``."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.get_violation_error_message())
    raise AssertionError(f"{model.__name__} has no constraint {name!r}")


def at_least(limit: int) -> str:
    return f"Ensure this value is greater than or equal to {limit}."


def at_most(limit: int) -> str:
    return f"Ensure this value is less than or equal to {limit}."


def validation_errors(obj: Model) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


# ---------------------------------------------------------------------------------------
# Builders of related rows. Each returns saved rows so that the row under test can be
# built unsaved and then either cleaned or saved.


def condition(**kwargs) -> CooperationCondition:
    kwargs.setdefault("agreement", AgreementFactory())
    kwargs.setdefault("sending_institution", InstitutionFactory(country="KZ"))
    kwargs.setdefault("receiving_institution", InstitutionFactory(country="AZ", city="Baku"))
    return CooperationConditionFactory.build(**kwargs)


def allocation(**kwargs) -> ScholarshipAllocation:
    kwargs.setdefault("programme", ScholarshipProgrammeFactory())
    kwargs.setdefault("year", 2025)
    return ScholarshipAllocationFactory.build(**kwargs)


def figure(**kwargs) -> MobilityFigure:
    """A flow of Azerbaijani students to Kazakhstan in 2024/2025, as one source stated it."""
    kwargs.setdefault("source", SourceFactory())
    kwargs.setdefault("year", 2024)
    return MobilityFigureFactory.build(**kwargs)


def participation(**kwargs) -> Participation:
    kwargs.setdefault("event", EventFactory())
    kwargs.setdefault("person", PersonFactory())
    return ParticipationFactory.build(**kwargs)


def stated_figure(**kwargs) -> StatedFigure:
    return StatedFigureFactory.build(**kwargs)


def institution(**kwargs) -> Institution:
    return InstitutionFactory.build(**kwargs)


def duplicate_of(first: Model, **changes) -> Model:
    """An unsaved copy of the saved row ``first``, with ``changes`` applied."""
    values = {
        field.attname: getattr(first, field.attname)
        for field in first._meta.concrete_fields
        if not field.primary_key and field.name not in ("created_at", "updated_at")
    }
    values.update(changes)
    return type(first)(**values)


# Bad rows: each builds (with the rows it needs saved) one unsaved row that breaks a rule.


def agreement_valid_until_before_valid_from():
    # Signed in March, in force from June, "until" May: after the signing, before the start.
    return AgreementFactory.build(
        signed_on=D(2025, 3, 1), valid_from=D(2025, 6, 1), valid_until=D(2025, 5, 31)
    )


def agreement_duplicate_reference_code():
    first = AgreementFactory(reference_code="KZ-AZ/2025/017")
    return AgreementFactory.build(reference_code=first.reference_code)


def agreement_termination_date_while_signed():
    return AgreementFactory.build(status="signed", terminated_on=D(2026, 1, 1))


def party_same_institution_twice():
    first = PartyFactory()
    return Party(agreement=first.agreement, institution=first.institution)


def condition_sending_is_receiving():
    institution = InstitutionFactory()
    return condition(sending_institution=institution, receiving_institution=institution)


def condition_last_year_before_first():
    return condition(first_academic_year="2025/2026", last_academic_year="2024/2025")


def condition_negative_months():
    return condition(months_per_year=Decimal("-1.5"))


def institution_duplicate_ror_id():
    first = InstitutionFactory(ror_id="05nmhtv58")
    return InstitutionFactory.build(ror_id=first.ror_id, country="AZ")


def institution_duplicate_name_in_country():
    first = InstitutionFactory(name="Baku State University", country="AZ")
    return InstitutionFactory.build(name=first.name, country="AZ")


def institution_merged_without_merged_into():
    return InstitutionFactory.build(status="merged", merged_into=None)


def institution_active_with_merged_into():
    return InstitutionFactory.build(status="active", merged_into=InstitutionFactory())


def institution_latitude_91():
    return institution(latitude=Decimal("91"))


def institution_latitude_minus_90_5():
    return institution(latitude=Decimal("-90.5"))


def institution_longitude_180_1():
    return institution(longitude=Decimal("180.1"))


def institution_longitude_minus_181():
    return institution(longitude=Decimal("-181"))


def institution_name_twice():
    first = InstitutionNameFactory(name="Бакинский государственный университет", language="ru")
    return InstitutionName(
        institution=first.institution, name=first.name, kind=first.kind, language="ru"
    )


def event_ends_before_it_starts():
    return EventFactory.build(start_date=D(2025, 4, 6), end_date=D(2025, 4, 5))


def event_end_without_start():
    return EventFactory.build(status="planned", start_date=None, end_date=D(2025, 4, 5))


def participation_same_role_twice():
    first = ParticipationFactory(role="speaker")
    return participation(event=first.event, person=first.person, role="speaker")


def stated_figure_country_is_partner():
    return stated_figure(country="KZ", partner_country="KZ")


def allocation_duplicate_year_and_level():
    first = ScholarshipAllocationFactory(year=2025, level="7", places_offered=10)
    return allocation(programme=first.programme, year=2025, level="7", places_offered=12)


def allocation_without_a_number():
    return allocation(places_offered=None, places_awarded=None)


def figure_origin_is_destination():
    return figure(origin_country="KZ", destination_country="KZ")


def figure_flow_as_of_a_date():
    return figure(measure="flow", as_of=D(2024, 10, 1))


def figure_duplicate_with_optional_dimensions_empty():
    first = MobilityFigureFactory(year=2024, value=333)
    assert first.home_institution is first.host_institution is first.field is first.as_of is None
    # Same dimensions, same source, a different number: the second claim of one source.
    return duplicate_of(first, value=340)


def figure_duplicate_with_every_dimension():
    first = MobilityFigureFactory(
        year=2024,
        home_institution=InstitutionFactory(country="AZ"),
        host_institution=InstitutionFactory(country="KZ"),
        field=IscedFieldFactory(code="04"),
        level="6",
        sex="female",
        measure="stock",
        as_of=D(2024, 10, 1),
        agreement=AgreementFactory(),
    )
    return duplicate_of(first, value=first.value + 1, notes="entered twice")


def figure_duplicate_stock_without_date():
    first = MobilityFigureFactory(year=2024, measure="stock", as_of=None)
    return duplicate_of(first, value=1)


def isced_field_duplicate_code():
    IscedFieldFactory(code="0511", level="detailed", name_en="Biology")
    return IscedField(code="0511", level="detailed", name_en="Biology (again)")


def cooperation_area_duplicate_code():
    CooperationArea.objects.get_or_create(code="joint_research")
    return CooperationArea(code="joint_research")


def negative(build: Callable[[], Model], field: str) -> Callable[[], Model]:
    def bad():
        obj = build()
        setattr(obj, field, -1)
        return obj

    bad.__name__ = f"{build.__name__}_{field}_negative"
    return bad


@dataclass
class Bad:
    """A bad row, the field full_clean reports it on, and the message (or constraint name)."""

    build: Callable[[], Model]
    field: str
    message: str

    def __str__(self) -> str:
        return self.build.__name__


BAD_ROWS = [
    # Agreements, parties and cooperation conditions
    Bad(
        agreement_valid_until_before_valid_from,
        NON_FIELD_ERRORS,
        "agreement_valid_until_after_valid_from",
    ),
    Bad(agreement_duplicate_reference_code, NON_FIELD_ERRORS, "agreement_unique_reference_code"),
    Bad(
        agreement_termination_date_while_signed,
        NON_FIELD_ERRORS,
        "agreement_terminated_on_only_when_terminated",
    ),
    Bad(party_same_institution_twice, NON_FIELD_ERRORS, "party_unique_institution_per_agreement"),
    Bad(
        condition_sending_is_receiving, NON_FIELD_ERRORS, "condition_sending_differs_from_receiving"
    ),
    Bad(
        condition_last_year_before_first,
        "last_academic_year",
        "The last academic year cannot precede the first.",
    ),
    Bad(condition_negative_months, "months_per_year", at_least(0)),
    Bad(
        cooperation_area_duplicate_code,
        "code",
        "Area of cooperation with this Code already exists.",
    ),
    # Institutions and their names
    Bad(institution_duplicate_ror_id, NON_FIELD_ERRORS, "institution_unique_ror_id"),
    Bad(
        institution_duplicate_name_in_country,
        NON_FIELD_ERRORS,
        "institution_unique_name_per_country",
    ),
    Bad(
        institution_merged_without_merged_into,
        NON_FIELD_ERRORS,
        "institution_merged_into_iff_merged",
    ),
    Bad(
        institution_active_with_merged_into, NON_FIELD_ERRORS, "institution_merged_into_iff_merged"
    ),
    Bad(institution_latitude_91, "latitude", at_most(90)),
    Bad(institution_latitude_minus_90_5, "latitude", at_least(-90)),
    Bad(institution_longitude_180_1, "longitude", at_most(180)),
    Bad(institution_longitude_minus_181, "longitude", at_least(-180)),
    Bad(institution_name_twice, NON_FIELD_ERRORS, "institutionname_unique"),
    # Events and participations
    Bad(event_ends_before_it_starts, NON_FIELD_ERRORS, "event_end_after_start"),
    Bad(event_end_without_start, NON_FIELD_ERRORS, "event_end_after_start"),
    Bad(participation_same_role_twice, NON_FIELD_ERRORS, "participation_unique_role"),
    # Stated figures, scholarships, mobility figures
    Bad(stated_figure_country_is_partner, NON_FIELD_ERRORS, "statedfigure_countries_differ"),
    Bad(allocation_duplicate_year_and_level, NON_FIELD_ERRORS, "allocation_unique_year_level"),
    Bad(allocation_without_a_number, NON_FIELD_ERRORS, "allocation_has_a_number"),
    Bad(
        figure_origin_is_destination,
        NON_FIELD_ERRORS,
        "mobilityfigure_origin_differs_from_destination",
    ),
    Bad(figure_flow_as_of_a_date, NON_FIELD_ERRORS, "mobilityfigure_as_of_only_for_stock"),
    Bad(
        figure_duplicate_with_optional_dimensions_empty,
        NON_FIELD_ERRORS,
        "mobilityfigure_unique_dimensions_per_source",
    ),
    Bad(
        figure_duplicate_with_every_dimension,
        NON_FIELD_ERRORS,
        "mobilityfigure_unique_dimensions_per_source",
    ),
    Bad(
        figure_duplicate_stock_without_date,
        NON_FIELD_ERRORS,
        "mobilityfigure_unique_dimensions_per_source",
    ),
    Bad(isced_field_duplicate_code, "code", "ISCED-F field with this Code already exists."),
    # Counts cannot be negative (PositiveIntegerField: a CHECK on both databases)
    Bad(negative(stated_figure, "value"), "value", at_least(0)),
    Bad(negative(stated_figure, "reference_year"), "reference_year", at_least(1900)),
    Bad(negative(institution, "founded_year"), "founded_year", at_least(800)),
    Bad(negative(condition, "places_per_year"), "places_per_year", at_least(0)),
    Bad(negative(condition, "days_per_year"), "days_per_year", at_least(0)),
    Bad(negative(allocation, "year"), "year", at_least(1950)),
    Bad(negative(allocation, "places_offered"), "places_offered", at_least(0)),
    Bad(negative(allocation, "places_awarded"), "places_awarded", at_least(0)),
    Bad(negative(figure, "year"), "year", at_least(1950)),
    Bad(negative(figure, "value"), "value", at_least(0)),
    Bad(negative(figure, "host_institution_count"), "host_institution_count", at_least(0)),
]


@pytest.mark.parametrize("case", BAD_ROWS, ids=str)
def test_database_refuses_bad_row(case):
    obj = case.build()
    model = type(obj)
    rows_before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
    assert model.objects.count() == rows_before


@pytest.mark.parametrize("case", BAD_ROWS, ids=str)
def test_full_clean_refuses_bad_row_with_its_message(case):
    obj = case.build()
    if case.field == NON_FIELD_ERRORS:
        expected = constraint_message(type(obj), case.message)
    else:
        expected = case.message
    errors = validation_errors(obj)
    assert expected in errors.get(case.field, []), errors


# ---------------------------------------------------------------------------------------
# Valid rows at the edge of each rule save, and full_clean accepts them.


def agreement_valid_for_one_day():
    return AgreementFactory.build(valid_from=D(2025, 4, 6), valid_until=D(2025, 4, 6))


def agreement_open_ended():
    return AgreementFactory.build(valid_from=D(2025, 4, 6), valid_until=None)


def agreement_draft_without_dates():
    return AgreementFactory.build(status="draft", signed_on=None, valid_from=None, valid_until=None)


def agreement_second_without_reference_code():
    AgreementFactory(reference_code="")
    return AgreementFactory.build(reference_code="")


def agreement_terminated_with_its_date():
    return AgreementFactory.build(
        status="terminated", terminated_on=D(2026, 1, 1), termination_reason="By notice."
    )


def party_second_institution_of_an_agreement():
    first = PartyFactory()
    return Party(agreement=first.agreement, institution=InstitutionFactory(country="AZ"))


def party_same_institution_in_another_agreement():
    first = PartyFactory()
    return Party(agreement=AgreementFactory(), institution=first.institution)


def condition_for_one_academic_year():
    return condition(first_academic_year="2025/2026", last_academic_year="2025/2026")


def condition_open_ended_with_zero_months():
    # Only an open-ended agreement's condition may leave the last academic year empty.
    return condition(
        agreement=AgreementFactory(valid_until=None),
        last_academic_year="",
        months_per_year=Decimal("0"),
        days_per_year=0,
    )


def condition_the_other_direction():
    first = condition()
    first.save()
    return condition(
        agreement=first.agreement,
        sending_institution=first.receiving_institution,
        receiving_institution=first.sending_institution,
    )


def institution_second_without_ror_id():
    InstitutionFactory(ror_id="")
    return InstitutionFactory.build(ror_id="")


def institution_same_name_in_another_country():
    InstitutionFactory(name="Eurasian University", country="KZ")
    return InstitutionFactory.build(name="Eurasian University", country="AZ")


def institution_merged_into_another():
    return InstitutionFactory.build(status="merged", merged_into=InstitutionFactory())


def institution_at_the_poles_and_date_line():
    InstitutionFactory(latitude=Decimal("-90"), longitude=Decimal("-180"))
    return InstitutionFactory.build(latitude=Decimal("90"), longitude=Decimal("180"))


def institution_name_same_text_as_acronym_and_label():
    first = InstitutionNameFactory(name="ADA", language="en", kind="label")
    return InstitutionName(institution=first.institution, name="ADA", language="en", kind="acronym")


def event_of_one_day():
    return EventFactory.build(start_date=D(2025, 4, 6), end_date=D(2025, 4, 6))


def event_planned_without_dates():
    return EventFactory.build(status="planned", start_date=None, end_date=None)


def participation_second_role_of_a_person():
    first = ParticipationFactory(role="speaker")
    return participation(event=first.event, person=first.person, role="signatory")


def stated_figure_without_partner_country():
    return stated_figure(partner_country="")


def allocation_with_places_awarded_only():
    return allocation(places_offered=None, places_awarded=5)


def allocation_same_year_other_level():
    first = ScholarshipAllocationFactory(year=2025, level="6")
    return allocation(programme=first.programme, year=2025, level="7")


def figure_same_dimensions_from_another_source():
    first = MobilityFigureFactory(year=2024)
    return duplicate_of(first, source_id=SourceFactory().pk, value=340)


def figure_same_dimensions_at_one_host_institution():
    first = MobilityFigureFactory(year=2024)
    return duplicate_of(first, host_institution_id=InstitutionFactory().pk, value=58)


def figure_same_dimensions_in_one_field():
    first = MobilityFigureFactory(year=2024)
    return duplicate_of(first, field_id=IscedFieldFactory(code="05").pk, value=12)


def figure_same_stock_on_another_date():
    first = MobilityFigureFactory(year=2024, measure="stock", as_of=D(2024, 1, 1))
    return duplicate_of(first, as_of=D(2024, 10, 1), value=350)


def figure_stock_as_of_a_date():
    return figure(measure="stock", year=2024, as_of=D(2024, 10, 1), qualifier="about")


GOOD_ROWS = [
    agreement_valid_for_one_day,
    agreement_open_ended,
    agreement_draft_without_dates,
    agreement_second_without_reference_code,
    agreement_terminated_with_its_date,
    party_second_institution_of_an_agreement,
    party_same_institution_in_another_agreement,
    condition_for_one_academic_year,
    condition_open_ended_with_zero_months,
    condition_the_other_direction,
    institution_second_without_ror_id,
    institution_same_name_in_another_country,
    institution_merged_into_another,
    institution_at_the_poles_and_date_line,
    institution_name_same_text_as_acronym_and_label,
    event_of_one_day,
    event_planned_without_dates,
    participation_second_role_of_a_person,
    stated_figure_without_partner_country,
    allocation_with_places_awarded_only,
    allocation_same_year_other_level,
    figure_same_dimensions_from_another_source,
    figure_same_dimensions_at_one_host_institution,
    figure_same_dimensions_in_one_field,
    figure_same_stock_on_another_date,
    figure_stock_as_of_a_date,
]


@pytest.mark.parametrize("build", GOOD_ROWS, ids=lambda build: build.__name__)
def test_valid_row_is_accepted_and_saved(build):
    obj = build()
    obj.full_clean()
    obj.save()
    assert type(obj).objects.filter(pk=obj.pk).exists()


# ---------------------------------------------------------------------------------------
# Rules full_clean checks beyond the database: validators and clean().


@pytest.mark.parametrize("year", ["2025-2026", "2025/2027", "2025/2024", "25/26", "2025"])
@pytest.mark.parametrize("field", ["first_academic_year", "last_academic_year"])
def test_malformed_academic_year_is_refused(field, year):
    errors = validation_errors(condition(**{field: year}))
    assert errors[field], errors


def test_academic_year_messages_say_how_to_write_it():
    errors = validation_errors(
        condition(first_academic_year="2025-2026", last_academic_year="2025/2027")
    )
    assert errors["first_academic_year"] == ["Write an academic year as YYYY/YYYY, e.g. 2025/2026."]
    assert errors["last_academic_year"] == [
        "2025/2027 is not an academic year: the second year must follow the first."
    ]


def test_study_levels_must_be_isced_5_to_8():
    errors = validation_errors(condition(levels=["6", "9"]))
    assert errors["levels"] == ["Study levels are a list of ISCED levels among 5, 6, 7, 8."]


def test_stock_date_must_fall_in_its_year():
    errors = validation_errors(figure(measure="stock", year=2024, as_of=D(2025, 1, 1)))
    assert errors["year"] == ["The year must be the year of the “as of” date."]


def test_held_event_needs_a_date():
    errors = validation_errors(EventFactory.build(status="held", start_date=None))
    assert errors["start_date"] == ["A held event needs a date, even if only its year is known."]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"status": "draft", "signed_on": D(2025, 4, 6)},
            "signed_on",
            "A draft has no signing date yet; change the status.",
        ),
        (
            {"status": "terminated", "terminated_on": None},
            "terminated_on",
            "Give the date the agreement was terminated.",
        ),
        (
            {"signed_on": D(2025, 4, 6), "valid_from": None, "valid_until": D(2025, 4, 5)},
            "valid_until",
            "“Valid until” cannot be before the signing date.",
        ),
    ],
    ids=["draft_with_signing_date", "terminated_without_date", "expires_before_signing"],
)
def test_agreement_clean_rules(changes, field, message):
    errors = validation_errors(AgreementFactory.build(**changes))
    assert errors[field] == [message]


def test_agreement_cannot_be_its_own_parent_or_renew_itself():
    agreement = AgreementFactory()
    agreement.parent = agreement
    agreement.renews = agreement
    errors = validation_errors(agreement)
    assert errors["parent"] == ["An agreement cannot be its own parent."]
    assert errors["renews"] == ["An agreement cannot renew itself."]


def test_institution_cannot_be_its_own_parent_or_merge_into_itself():
    institution = InstitutionFactory()
    institution.parent = institution
    errors = validation_errors(institution)
    assert errors["parent"] == ["An institution cannot be its own parent."]

    institution.parent = None
    institution.status = "merged"
    institution.merged_into = institution
    errors = validation_errors(institution)
    assert errors["merged_into"] == ["An institution cannot merge into itself."]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda code: institution(country=code), "country"),
        (lambda code: EventFactory.build(country=code), "country"),
        (lambda code: stated_figure(country=code), "country"),
        (lambda code: stated_figure(partner_country=code), "partner_country"),
        (lambda code: figure(origin_country=code), "origin_country"),
        (lambda code: figure(destination_country=code), "destination_country"),
        (lambda code: ScholarshipProgrammeFactory.build(host_country=code), "host_country"),
    ],
    ids=[
        "institution",
        "event",
        "stated_figure",
        "stated_figure_partner",
        "figure_origin",
        "figure_destination",
        "scholarship_host",
    ],
)
def test_unknown_country_code_is_refused(build, field):
    errors = validation_errors(build("XX"))
    assert errors[field] == ["Value 'XX' is not a valid choice."]


def test_lower_case_country_code_is_stored_as_the_iso_code():
    # django-countries normalises "kz" (and the alpha-3 "kaz") to "KZ" as it is assigned, so
    # a lower-case code is not an error: it is saved as the ISO code, never as "kz".
    institution = InstitutionFactory.build(country="kz")
    institution.full_clean()
    institution.save()
    event = EventFactory(country="kaz")
    assert Institution.objects.filter(pk=institution.pk, country="KZ").exists()
    assert Event.objects.filter(pk=event.pk, country="KZ").exists()
    assert not Institution.objects.filter(country="kz").exists()


def test_unknown_eligible_country_is_refused():
    programme = ScholarshipProgrammeFactory.build(eligible_countries=["AZ", "XX"])
    errors = validation_errors(programme)
    assert errors["eligible_countries"], errors


# ---------------------------------------------------------------------------------------
# Timestamps and history: every record knows when it changed, and keeps what it was.


HISTORY_MODELS = [
    (SourceFactory, "title"),
    (StatedFigureFactory, "statement"),
    (InstitutionFactory, "city"),
    (InstitutionNameFactory, "name"),
    (PersonFactory, "position"),
    (EventFactory, "title"),
    (ParticipationFactory, "position"),
    (AgreementFactory, "title"),
    (PartyFactory, "signed_on"),
    (CooperationConditionFactory, "places_per_year"),
    (ScholarshipProgrammeFactory, "description"),
    (ScholarshipAllocationFactory, "places_awarded"),
    (MobilityFigureFactory, "notes"),
]


@pytest.mark.parametrize(
    ("factory", "field"), HISTORY_MODELS, ids=[factory.__name__ for factory, _ in HISTORY_MODELS]
)
def test_timestamps_and_history_follow_create_and_update(factory, field):
    obj = factory()
    assert obj.created_at is not None
    assert obj.updated_at is not None
    assert obj.history.count() == 1
    assert obj.history.get().history_type == "+"
    created_at, first_update = obj.created_at, obj.updated_at

    old_value = getattr(obj, field)
    new_value = {
        "signed_on": D(2025, 4, 7),
        "places_per_year": 3,
        "places_awarded": 7,
    }.get(field, f"{old_value or ''} (corrected)")
    setattr(obj, field, new_value)
    obj.save()
    obj.refresh_from_db()

    assert obj.created_at == created_at
    assert obj.updated_at > first_update
    assert obj.history.count() == 2
    latest, earliest = obj.history.all()
    assert latest.history_type == "~"
    assert getattr(latest, field) == new_value
    assert getattr(earliest, field) == old_value


def test_history_keeps_a_deleted_record():
    institution = InstitutionFactory(name="Nakhchivan University", country="AZ")
    InstitutionNameFactory(institution=institution, name="Naxçıvan Universiteti", language="az")
    pk = institution.pk
    institution.delete()  # its names go with it
    assert not InstitutionName.objects.filter(institution_id=pk).exists()
    history = Institution.history.filter(id=pk)
    assert [record.history_type for record in history] == ["-", "+"]
    assert history.first().name == "Nakhchivan University"


# ---------------------------------------------------------------------------------------
# Institution search in any script, and the counts of the directory.


@pytest.fixture
def atyrau():
    """Khalel Dosmukhamedov Atyrau University with its ROR labels (ror.org/05nmhtv58)."""
    institution = InstitutionFactory(
        name="Khalel Dosmukhamedov Atyrau University",
        country="KZ",
        city="Atyrau",
        ror_id="05nmhtv58",
    )
    InstitutionNameFactory(
        institution=institution, name="Атырауский университет имени Х. Досмухамедова", language="ru"
    )
    InstitutionNameFactory(
        institution=institution,
        name="Халел Досмұхамедов атындағы Атырау университеті",
        language="kk",
    )
    InstitutionNameFactory(institution=institution, name="АтГУ", language="ru", kind="acronym")
    return institution


@pytest.fixture
def khazar():
    """Khazar University, Baku (ror.org/014te7048)."""
    institution = InstitutionFactory(name="Khazar University", country="AZ", city="Baku")
    InstitutionNameFactory(institution=institution, name="Xəzər Universiteti", language="az")
    InstitutionNameFactory(institution=institution, name="Университет Хазар", language="ru")
    return institution


@pytest.fixture
def directory(atyrau, khazar):
    """Two institutions to find, and a few that must not be found."""
    InstitutionFactory(name="Atyrau University of Oil and Gas", country="KZ", city="Atyrau")
    baku = InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    InstitutionNameFactory(institution=baku, name="Bakı Dövlət Universiteti", language="az")
    InstitutionFactory(name="Al-Farabi Kazakh National University", country="KZ")
    return {"atyrau": atyrau, "khazar": khazar}


def names_found(query: str) -> set[str]:
    return set(Institution.objects.search(query).values_list("name", flat=True))


def names_holding(query: str) -> set[str]:
    """The institutions whose search key holds every word as typed: what a search finds
    but for the misspellings PostgreSQL also forgives (cooperation.search)."""
    found = Institution.objects.all()
    for word in fold(query).split():
        found = found.filter(search_text__contains=word)
    return set(found.values_list("name", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "атырауский",  # Russian label, typed in lower case
        "АТЫРАУСКИЙ УНИВЕРСИТЕТ",
        "университет Досмухамедова",
        "Dosmukhamedov",  # Latin
        "khalel atyrau",
        "Досмұхамедов атындағы",  # Kazakh Cyrillic
        "атгу",  # acronym
    ],
)
def test_search_finds_atyrau_university_in_every_script(directory, query):
    assert names_found(query) == {"Khalel Dosmukhamedov Atyrau University"}


@pytest.mark.parametrize(
    "query", ["Xəzər", "xəzər universiteti", "Хазар", "khazar", "KHAZAR UNIVERSITY"]
)
def test_search_finds_khazar_university_in_every_script(directory, query):
    assert names_found(query) == {"Khazar University"}


def test_search_in_cyrillic_finds_a_latin_only_name(directory):
    # "Atyrau University of Oil and Gas" has no Russian label; "Атырау" still meets it.
    assert names_found("Атырау") == {
        "Khalel Dosmukhamedov Atyrau University",
        "Atyrau University of Oil and Gas",
    }
    # "нефти" (Russian, oil) is a generic word the matcher knows: it finds "Oil" too, as
    # "мұнай" (Kazakh) does (universities.models.same_word_spellings).
    assert names_found("Атырау нефти") == {"Atyrau University of Oil and Gas"}
    assert names_found("Атырау мұнай") == {"Atyrau University of Oil and Gas"}
    assert names_found("Atyrau oil") == {"Atyrau University of Oil and Gas"}


def test_search_by_azerbaijani_name_with_dotless_i(directory):
    assert names_found("Bakı Dövlət") == {"Baku State University"}
    assert names_found("baki dovlat") == {"Baku State University"}


def test_search_with_an_empty_query_finds_everyone(directory):
    assert Institution.objects.search("").count() == Institution.objects.count() == 5
    assert Institution.objects.search(" - ").count() == 5


def test_search_finds_nothing_for_an_unknown_name(directory):
    assert names_found("Oxford") == set()


def test_search_key_follows_names_added_changed_and_deleted(khazar):
    assert names_found("Каспийский") == set()
    alias = InstitutionNameFactory(
        institution=khazar, name="Каспийский университет", language="ru", kind="alias"
    )
    assert names_found("каспийский") == {"Khazar University"}
    assert names_found("Kaspiyskiy") == {"Khazar University"}

    alias.name = "Каспийская академия"
    alias.save()
    assert names_holding("каспийский") == set()
    assert names_found("каспийская академия") == {"Khazar University"}

    alias.delete()
    assert names_holding("каспийская") == set()
    assert names_found("Xəzər") == {"Khazar University"}


def test_search_key_follows_names_deleted_in_bulk(khazar):
    # The admin's "delete selected" action and cascades delete through a queryset.
    InstitutionName.objects.filter(institution=khazar, language="az").delete()
    assert names_holding("Universiteti") == set()
    assert names_found("Университет Хазар") == {"Khazar University"}


def test_search_key_follows_a_renamed_institution(khazar):
    khazar.name = "Khazar University (Baku)"
    khazar.save(update_fields=["name"])
    assert names_found("baku") == {"Khazar University (Baku)"}
    khazar.refresh_from_db()
    assert "khazar university baku" in khazar.search_text


def test_search_key_is_folded_and_holds_every_name(atyrau):
    atyrau.refresh_from_db()
    assert set(atyrau.search_text.split(" | ")) == {
        "khalel dosmukhamedov atyrau university",
        "atgu",
        "atyrauskiy universitet imeni kh dosmukhamedova",
        "khalel dosmukhamedov atyndagy atyrau universiteti",
    }


@pytest.fixture
def network():
    """Atyrau has 3 agreements with 2 partners (2 with Khazar, 1 with ADA); one more is
    trilateral with Khazar and Baku State; Al-Farabi has none."""
    atyrau = InstitutionFactory(name="Atyrau University", country="KZ")
    khazar = InstitutionFactory(name="Khazar University", country="AZ")
    ada = InstitutionFactory(name="ADA University", country="AZ")
    bsu = InstitutionFactory(name="Baku State University", country="AZ")
    farabi = InstitutionFactory(name="Al-Farabi Kazakh National University", country="KZ")
    agreement_between(atyrau, khazar, title="Memorandum 2023")
    agreement_between(atyrau, khazar, title="Exchange agreement 2025")
    agreement_between(atyrau, ada, title="Memorandum with ADA")
    agreement_between(khazar, bsu, ada, title="Trilateral memorandum")
    return {"atyrau": atyrau, "khazar": khazar, "ada": ada, "bsu": bsu, "farabi": farabi}


def test_with_counts_counts_agreements_and_distinct_partners(network):
    counts = {
        institution.name: (institution.agreement_count, institution.partner_count)
        for institution in Institution.objects.with_counts()
    }
    assert counts == {
        "Atyrau University": (3, 2),
        "Khazar University": (3, 3),  # Atyrau twice, then Baku State and ADA
        "ADA University": (2, 3),  # Atyrau, Khazar, Baku State
        "Baku State University": (1, 2),
        "Al-Farabi Kazakh National University": (0, 0),
    }


def test_with_counts_keeps_one_row_per_institution(network):
    annotated = Institution.objects.with_counts()
    assert annotated.count() == Institution.objects.count() == 5
    assert len(list(annotated)) == 5
    assert annotated.filter(pk=network["atyrau"].pk).count() == 1


def test_with_counts_combines_with_search_filters_and_ordering(network):
    found = [
        (row.name, row.agreement_count, row.partner_count)
        for row in Institution.objects.search("university")
        .filter(country="AZ")
        .with_counts()
        .order_by("-agreement_count", "name")
    ]
    assert found == [
        ("Khazar University", 3, 3),
        ("ADA University", 2, 3),
        ("Baku State University", 1, 2),
    ]
    busiest = Institution.objects.with_counts().filter(partner_count__gte=3)
    assert set(busiest.values_list("name", flat=True)) == {"Khazar University", "ADA University"}
