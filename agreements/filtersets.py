"""Filters of the agreement register."""

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from cooperation.filtersets import (
    AgreementIdFilter,
    BooleanFilter,
    CountryFilter,
    CountryPairFilter,
    IdFilter,
    IntegerFilter,
    SearchFilter,
)

from .choices import (
    AgreementKind,
    AgreementLevel,
    AgreementState,
    AgreementStatus,
    CooperationAreaCode,
)
from .models import Agreement, Party, dormant_definition


class AgreementFilterSet(filters.FilterSet):
    q = SearchFilter(
        method="filter_q",
        help_text=_(
            "Every word must occur in the title or reference code, or in a name of a party "
            "(any language or script)."
        ),
    )
    # Columns of the agreement itself: no join, so no DISTINCT (django-filter's default for
    # multiple choices), which made the API count and page sort every matching agreement by
    # every column (bench/RESULTS.md, scenario 1).
    kind = filters.MultipleChoiceFilter(
        choices=AgreementKind.choices, label=_("Kind"), distinct=False
    )
    level = filters.MultipleChoiceFilter(
        choices=AgreementLevel.choices, label=_("Level"), distinct=False
    )
    status = filters.MultipleChoiceFilter(
        choices=AgreementStatus.choices, label=_("Status"), distinct=False
    )
    area = filters.MultipleChoiceFilter(
        field_name="areas__code",
        choices=CooperationAreaCode.choices,
        label=_("Area of cooperation"),
        distinct=True,
    )
    signed_after = filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", label=_("Signed on or after")
    )
    signed_before = filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", label=_("Signed on or before")
    )
    valid_from_after = filters.DateFilter(
        field_name="valid_from", lookup_expr="gte", label=_("Valid from on or after")
    )
    valid_from_before = filters.DateFilter(
        field_name="valid_from", lookup_expr="lte", label=_("Valid from on or before")
    )
    valid_until_after = filters.DateFilter(
        field_name="valid_until", lookup_expr="gte", label=_("Valid until on or after")
    )
    valid_until_before = filters.DateFilter(
        field_name="valid_until", lookup_expr="lte", label=_("Valid until on or before")
    )
    expiring_within = IntegerFilter(
        method="filter_expiring_within",
        min_value=0,
        max_value=36500,
        label=_("In force, and ending within this many days from today"),
    )
    state = filters.MultipleChoiceFilter(
        choices=AgreementState.choices,
        method="filter_state",
        label=_("State today"),
        help_text=_(
            "In force: signed or in effect, started (valid from today or earlier; without "
            "that date, signed today or earlier), not past its end date, not expired or "
            "terminated. Not yet in force: signed, starting later. Ended: expired, "
            "terminated, or past its end date."
        ),
    )
    event_id = IdFilter(field_name="event", label=_("Signed at the event (id)"))
    institution_id = IdFilter(method="filter_institution_id", label=_("Party (institution id)"))
    partner_country = CountryFilter(
        method="filter_partner_country", label=_("A party is an institution of this country")
    )
    country_pair = CountryPairFilter(
        method="filter_country_pair",
        label=_("Parties include institutions of both countries, e.g. KZ,AZ"),
    )
    parent_id = AgreementIdFilter(field_name="parent", label=_("Parent agreement (id)"))
    renews_id = AgreementIdFilter(field_name="renews", label=_("Renews the agreement (id)"))
    has_document = BooleanFilter(method="filter_has_document", label=_("Has the signed document"))
    is_public = BooleanFilter(
        field_name="is_public", label=_("Shown to the public (signed-in staff also see the rest)")
    )
    in_force = BooleanFilter(
        method="filter_in_force",
        label=_("In force today (signed or in effect, started, not ended or terminated)"),
    )
    dormant = BooleanFilter(method="filter_dormant", label=lazy(dormant_definition, str)())
    source_id = IdFilter(field_name="sources", label=_("Cites source (id)"), distinct=True)

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_expiring_within(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.expiring(within_days=value, today=timezone.localdate())

    def filter_institution_id(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(
            Exists(Party.objects.filter(agreement=OuterRef("pk"), institution_id=value))
        )

    def filter_partner_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        in_country = Party.objects.filter(agreement=OuterRef("pk"), institution__country__in=value)
        return queryset.filter(Exists(in_country))

    def filter_country_pair(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # CountryPairField gives two different codes, or none.
        return queryset.between(*value) if value else queryset

    def filter_state(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.in_state(*value, today=timezone.localdate()) if value else queryset

    def filter_in_force(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        in_force = queryset.in_force(today=timezone.localdate())
        return in_force if value else queryset.exclude(pk__in=in_force.values("pk"))

    def filter_dormant(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        dormant = queryset.dormant(today=timezone.localdate())
        return dormant if value else queryset.exclude(pk__in=dormant.values("pk"))

    def filter_has_document(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(document="") if value else queryset.filter(document="")
