"""factory_boy factories: valid rows of every model, for tests and benchmarks."""

import datetime

import factory

from agreements.choices import AgreementKind, AgreementLevel, AgreementStatus
from agreements.models import Agreement, CooperationCondition, Party
from cooperation.choices import StatedFigureMetric
from cooperation.models import IscedField, Source, StatedFigure
from events.choices import EventKind, EventStatus
from events.models import Event, Participation, Person
from mobility.choices import Measure, MobilityType, ScholarshipKind
from mobility.models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme
from universities.models import Institution, InstitutionName


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Article {n}")
    publisher = "Trend"
    url = factory.Sequence(lambda n: f"https://example.org/news/{n}")
    published_on = datetime.date(2025, 3, 5)


class IscedFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IscedField
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n % 100:02d}")
    level = "broad"
    name_en = factory.Sequence(lambda n: f"Field {n}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"University {n}")
    country = "KZ"
    city = "Almaty"


class InstitutionNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionName

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Университет {n}")
    language = "ru"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    position = "Rector"
    country = "KZ"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Forum {n}")
    kind = EventKind.FORUM
    start_date = datetime.date(2025, 4, 6)
    city = "Almaty"
    country = "KZ"
    status = EventStatus.HELD


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Memorandum {n}")
    kind = AgreementKind.MEMORANDUM
    level = AgreementLevel.INTER_INSTITUTIONAL
    status = AgreementStatus.SIGNED
    signed_on = datetime.date(2025, 4, 6)
    valid_from = datetime.date(2025, 4, 6)
    valid_until = datetime.date(2030, 4, 5)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    agreement = factory.SubFactory(AgreementFactory)
    institution = factory.SubFactory(InstitutionFactory)


def agreement_between(*institutions: Institution, **kwargs) -> Agreement:
    """An agreement whose parties are ``institutions``."""
    agreement = AgreementFactory(**kwargs)
    for institution in institutions:
        PartyFactory(agreement=agreement, institution=institution)
    return agreement


class CooperationConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationCondition

    agreement = factory.SubFactory(AgreementFactory)
    sending_institution = factory.SubFactory(InstitutionFactory)
    receiving_institution = factory.SubFactory(InstitutionFactory, country="AZ", city="Baku")
    mobility_type = "student_studies"
    levels = ["6", "7"]
    places_per_year = 2
    first_academic_year = "2025/2026"
    # Within AgreementFactory's validity (to 2030-04-05): an agreement with an end date
    # has conditions with a last academic year.
    last_academic_year = "2029/2030"


class ScholarshipProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScholarshipProgramme

    name = factory.Sequence(lambda n: f"Scholarship {n}")
    kind = ScholarshipKind.GOVERNMENT_QUOTA
    funder_country = "KZ"
    host_country = "KZ"
    eligible_countries = ["AZ"]


class ScholarshipAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScholarshipAllocation

    programme = factory.SubFactory(ScholarshipProgrammeFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    level = "all"
    places_offered = 12


class MobilityFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MobilityFigure

    origin_country = "AZ"
    destination_country = "KZ"
    mobility_type = MobilityType.STUDENTS
    measure = Measure.FLOW
    year = factory.Sequence(lambda n: 1950 + n % 150)
    value = 333
    source = factory.SubFactory(SourceFactory)


class StatedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatedFigure

    metric = StatedFigureMetric.INSTITUTIONS_WITH_AGREEMENTS
    statement = "More than 70 Kazakhstani universities have signed bilateral agreements"
    value = 70
    qualifier = "more_than"
    country = "KZ"
    partner_country = "AZ"
    stated_on = datetime.date(2025, 3, 5)
