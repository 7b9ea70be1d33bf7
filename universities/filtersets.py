"""Filters of the institution directory: the list page, the API and the exports share them."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from agreements.visibility import agreement_visibility
from cooperation.filtersets import (
    MAX_QUERY_LENGTH,
    BooleanFilter,
    CountryFilter,
    CountryPairFilter,
    IdFilter,
    SearchFilter,
    YearFilter,
)
from cooperation.translations import contains_condition

from .choices import InstitutionKind, InstitutionStatus
from .models import Institution, academic_condition


def _party_model():
    # Parties are declared by the agreements app, which sits above this one: reach the model
    # through the reverse relation instead of importing upwards.
    return Institution._meta.get_field("parties").related_model


class InstitutionFilterSet(filters.FilterSet):
    q = SearchFilter(
        method="filter_q",
        help_text=_("Every word must occur in a name, label, alias or acronym, in any script."),
    )
    kind = filters.MultipleChoiceFilter(choices=InstitutionKind.choices, label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=InstitutionStatus.choices, label=_("Status"))
    country = CountryFilter(label=_("Country"))
    city = filters.CharFilter(
        method="filter_city", max_length=MAX_QUERY_LENGTH, label=_("City contains")
    )
    parent_id = IdFilter(field_name="parent", label=_("Parent institution (id)"))
    merged_into_id = IdFilter(field_name="merged_into", label=_("Merged into (id)"))
    founded_year_min = YearFilter(
        field_name="founded_year", lookup_expr="gte", label=_("Founded in or after")
    )
    founded_year_max = YearFilter(
        field_name="founded_year", lookup_expr="lte", label=_("Founded in or before")
    )
    ror_id = filters.CharFilter(max_length=9, label=_("ROR id"))
    has_ror_id = BooleanFilter(method="filter_has_ror_id", label=_("Has a ROR id"))
    partner_country = CountryFilter(
        method="filter_partner_country",
        label=_("Has an agreement with an institution of this country"),
    )
    partner_id = IdFilter(
        method="filter_partner_id", label=_("Has an agreement with this institution (id)")
    )
    country_pair = CountryPairFilter(
        method="filter_country_pair",
        label=_(
            "Of one of these two countries, with an agreement with an institution of the "
            "other, e.g. KZ,AZ"
        ),
    )
    academic = BooleanFilter(
        method="filter_academic",
        label=_("A university or another academic institution (not a ministry or government)"),
    )
    source_id = IdFilter(field_name="sources", label=_("Cites source (id)"), distinct=True)

    class Meta:
        model = Institution
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # As written in English or in another language (cooperation.translations).
        return (
            queryset.filter(contains_condition(Institution, "city", value)) if value else queryset
        )

    def filter_has_ror_id(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.exclude(ror_id="") if value else queryset.filter(ror_id="")

    def visible_agreements(self) -> Q:
        """Partners count only through agreements the reader may see: a hidden agreement
        must not make an institution show up as someone's partner."""
        user = getattr(self.request, "user", None) or AnonymousUser()
        return agreement_visibility(user, "agreement__")

    def partners_in(self, countries: list[str]) -> Exists:
        """The institution shares an agreement the reader may see with an institution of
        one of ``countries``."""
        party = _party_model()
        other_parties = party.objects.filter(
            self.visible_agreements(),
            agreement__parties__institution=OuterRef("pk"),
            institution__country__in=countries,
        ).exclude(institution=OuterRef("pk"))
        return Exists(other_parties)

    def filter_partner_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(self.partners_in(value))

    def filter_country_pair(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # CountryPairField gives two different codes, or none.
        if not value:
            return queryset
        a, b = value
        return queryset.filter(
            (Q(country=a) & self.partners_in([b])) | (Q(country=b) & self.partners_in([a]))
        )

    def filter_academic(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.academic() if value else queryset.exclude(academic_condition())

    def filter_partner_id(self, queryset: QuerySet, name: str, value: int | None) -> QuerySet:
        if value is None:
            return queryset
        party = _party_model()
        other_parties = party.objects.filter(
            self.visible_agreements(),
            agreement__parties__institution=OuterRef("pk"),
            institution_id=value,
        )
        return queryset.filter(Exists(other_parties)).exclude(pk=value)
