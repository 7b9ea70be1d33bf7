"""Filters of the scholarships list and the mobility explorer."""

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from cooperation.choices import IscedLevel, Qualifier
from cooperation.filtersets import (
    MAX_QUERY_LENGTH,
    AgreementIdFilter,
    AnyOfFilter,
    CountryFilter,
    CountryPairFilter,
    IdFilter,
    SearchFilter,
    YearFilter,
    icontains_all,
)

from .choices import Measure, MobilityType, ScholarshipKind, Sex
from .models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme

PROGRAMME_LEVELS = [(value, label) for value, label in IscedLevel.choices if value != "all"]


class ScholarshipProgrammeFilterSet(filters.FilterSet):
    q = SearchFilter(method="filter_q", help_text=_("Words in the name or description."))
    kind = filters.MultipleChoiceFilter(choices=ScholarshipKind.choices, label=_("Kind"))
    funder_country = CountryFilter(label=_("Funding country"))
    host_country = CountryFilter(label=_("Host country"))
    country_pair = CountryPairFilter(
        method="filter_country_pair",
        label=_("Funded by one of the two countries, held in or open to the other, e.g. KZ,AZ"),
    )
    eligible_country = CountryFilter(
        method="filter_eligible_country",
        label=_("Open to students of this country (programmes open to any country included)"),
    )
    level = filters.MultipleChoiceFilter(
        method="filter_level", choices=PROGRAMME_LEVELS, label=_("Covers the ISCED level")
    )
    funder_institution_id = IdFilter(
        field_name="funder_institution", label=_("Funding institution (id)")
    )
    host_institution_id = IdFilter(field_name="host_institution", label=_("Host institution (id)"))
    institution_id = IdFilter(
        method="filter_institution_id", label=_("Funding or host institution (id)")
    )
    agreement_id = AgreementIdFilter(
        field_name="agreement", label=_("Established by the agreement (id)")
    )
    year_min = YearFilter(method="filter_years", label=_("Has places in a year from"))
    year_max = YearFilter(method="filter_years", label=_("Has places in a year up to"))
    source_id = IdFilter(field_name="sources", label=_("Cites source (id)"), distinct=True)

    class Meta:
        model = ScholarshipProgramme
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return icontains_all(queryset, value, ["name", "description"])

    def filter_eligible_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        open_to = ScholarshipProgramme.objects.none()
        for code in value:
            open_to |= ScholarshipProgramme.objects.open_to(code)
        return queryset.filter(pk__in=open_to.values("pk"))

    def filter_country_pair(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # CountryPairField gives two different codes, or none.
        return queryset.of_pair(*value) if value else queryset

    def filter_level(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        # JSON containment is not portable to SQLite; the stored list is text on both databases.
        queryset = queryset.annotate(levels_text=Cast("levels", TextField()))
        condition = Q()
        for level in value:
            condition |= Q(levels_text__contains=f'"{level}"')
        return queryset.filter(condition)

    def filter_institution_id(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(funder_institution_id=value) | Q(host_institution_id=value))

    def filter_years(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # Both ends apply to the same allocation: see filter_queryset.
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        year_min = self.form.cleaned_data.get("year_min")
        year_max = self.form.cleaned_data.get("year_max")
        if year_min is None and year_max is None:
            return queryset
        allocations = ScholarshipAllocation.objects.all()
        if year_min is not None:
            allocations = allocations.filter(year__gte=year_min)
        if year_max is not None:
            allocations = allocations.filter(year__lte=year_max)
        return queryset.filter(pk__in=allocations.values("programme_id"))


class MobilityFigureFilterSet(filters.FilterSet):
    q = SearchFilter(method="filter_q", help_text=_("Words in the notes or the source's title."))
    origin = CountryFilter(field_name="origin_country", label=_("Origin country"))
    destination = CountryFilter(field_name="destination_country", label=_("Destination country"))
    country = CountryFilter(
        method="filter_country", label=_("Origin or destination country (either direction)")
    )
    # Columns of the figure itself: no DISTINCT (django-filter's default for multiple
    # choices), which would sort a filtered export of millions of figures by every column.
    mobility_type = AnyOfFilter(
        choices=MobilityType.choices, label=_("Mobility type"), distinct=False
    )
    level = AnyOfFilter(choices=IscedLevel.choices, label=_("ISCED level"), distinct=False)
    field = filters.CharFilter(
        field_name="field__code",
        max_length=4,
        label=_("ISCED-F field code (exactly this field, e.g. 0511)"),
    )
    sex = AnyOfFilter(choices=Sex.choices, label=_("Sex"), distinct=False)
    measure = AnyOfFilter(choices=Measure.choices, label=_("Measure"), distinct=False)
    qualifier = AnyOfFilter(choices=Qualifier.choices, label=_("Qualifier"), distinct=False)
    year_min = YearFilter(field_name="year", lookup_expr="gte", label=_("Year from"))
    year_max = YearFilter(field_name="year", lookup_expr="lte", label=_("Year up to"))
    as_of_after = filters.DateFilter(
        field_name="as_of", lookup_expr="gte", label=_("Stock counted on or after")
    )
    as_of_before = filters.DateFilter(
        field_name="as_of", lookup_expr="lte", label=_("Stock counted on or before")
    )
    home_institution_id = IdFilter(field_name="home_institution", label=_("Home institution (id)"))
    host_institution_id = IdFilter(field_name="host_institution", label=_("Host institution (id)"))
    institution_id = IdFilter(
        method="filter_institution_id", label=_("Home or host institution (id)")
    )
    agreement_id = AgreementIdFilter(field_name="agreement", label=_("Under the agreement (id)"))
    source_id = IdFilter(field_name="source", label=_("Source (id)"))
    publisher = filters.CharFilter(
        field_name="source__publisher",
        lookup_expr="icontains",
        max_length=MAX_QUERY_LENGTH,
        label=_("Source publisher contains"),
    )

    class Meta:
        model = MobilityFigure
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return icontains_all(queryset, value, ["notes", "source__title"])

    def filter_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(Q(origin_country__in=value) | Q(destination_country__in=value))

    def filter_institution_id(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(home_institution_id=value) | Q(host_institution_id=value))
