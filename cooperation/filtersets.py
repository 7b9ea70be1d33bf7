"""Filter building blocks every app's FilterSets share, and the FilterSets of Source and
StatedFigure.

A FilterSet here knows nothing of the API: the list pages, the API viewsets and the exports
all bind the same class to the query string. Every filter either applies or refuses its
value with a message naming it; none silently drops what it cannot read.
"""

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters import rest_framework as filters

from agreements.visibility import agreement_visibility

from .choices import (
    Language,
    Qualifier,
    StatedFigureMetric,
    StatedFigureScope,
    StatedFigureStatus,
)
from .models import Source, StatedFigure
from .translations import contains_condition

# The largest id either database can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1
MAX_QUERY_LENGTH = 200


class StrictNullBooleanField(forms.Field):
    """A yes/no value that refuses anything other than true/false/1/0 instead of ignoring it."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Use true or false.")}
    _VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self._VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictNullBooleanField

    def __init__(self, *args, **kwargs) -> None:
        # django-filter's BooleanWidget reads an unknown value as "no filter"; a plain input
        # hands it to the field, which refuses it.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class IntegerFilter(filters.NumberFilter):
    """A whole number; ``min_value`` and ``max_value`` bound it (and keep it within what the
    database can compare)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def get_max_validator(self) -> None:
        return None


class IdFilter(IntegerFilter):
    """The id of a related record (``<fk>_id``): a positive whole number."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class AgreementIdFilter(IdFilter):
    """The id of the agreement a row links to (``agreement_id``, ``parent_id``,
    ``renews_id``). An agreement the reader may not see (``roles.agreement_visibility``)
    filters as one that does not exist: no rows, so its id cannot be probed for."""

    def filter(self, qs: QuerySet, value: int | None) -> QuerySet:
        if value in (None, ""):
            return qs
        request = getattr(self.parent, "request", None)
        visible = agreement_visibility(getattr(request, "user", None), f"{self.field_name}__")
        return super().filter(qs, value).filter(visible)


class YearFilter(IntegerFilter):
    """A calendar year, one end of a year range (``year_min`` / ``year_max``)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class CountryChoiceField(forms.MultipleChoiceField):
    """ISO 3166-1 alpha-2 codes; lower case is read as upper case."""

    def to_python(self, value: object) -> list[str]:
        return [str(code).strip().upper() for code in super().to_python(value)]


def country_choices() -> list[tuple[str, str]]:
    """Every country, the focus pair first: the two most people pick."""
    focus = list(settings.UNIBRIDGE_FOCUS_PAIR)
    first = [(code, countries.name(code)) for code in focus]
    return first + [(code, name) for code, name in countries if code not in focus]


class AnyOfFilter(filters.MultipleChoiceFilter):
    """Several values of one column, as one ``IN`` (``= ANY(...)`` on PostgreSQL) rather than
    django-filter's ``OR`` of equalities: the planner puts an ``IN`` into an index's
    condition, where an ``OR`` became separate bitmap scans (``origin=KZ&origin=AZ&
    destination=KZ&destination=AZ`` read 320,000 index entries at size L for 10,800 figures).
    A custom ``method``, a lookup other than ``exact``, ``conjoined`` or the null choice keep
    django-filter's own way."""

    def filter(self, qs, value):
        if (
            not value
            or self.conjoined
            or self.lookup_expr != "exact"
            or self.null_value in value
            or self.is_noop(qs, value)
        ):
            return super().filter(qs, value)
        qs = self.get_method(qs)(**{f"{self.field_name}__in": sorted(set(value))})
        return qs.distinct() if self.distinct else qs


class CountryFilter(AnyOfFilter):
    """One or more countries (ISO 3166-1 alpha-2), repeated: ``?country=KZ&country=AZ``."""

    field_class = CountryChoiceField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("choices", country_choices)
        # A country is a column of the row itself: no join can repeat a row, and django-filter's
        # default DISTINCT would make PostgreSQL sort every matching row by every column (a
        # filtered export of 2 million figures, bench/RESULTS.md). Pass distinct=True for a
        # field across a to-many relation.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class CountryPairWidget(forms.SelectMultiple):
    """Two countries picked from the list (at most two in the picker, static/js/filters.js);
    a link's ``KZ,AZ`` shows both picked."""

    def __init__(self, attrs=None, choices=()) -> None:
        super().__init__({"data-max-items": "2", **(attrs or {})}, choices)

    def format_value(self, value) -> list[str]:
        return [
            code.strip().upper()
            for item in super().format_value(value)
            for code in str(item).split(",")
            if code.strip()
        ]


class CountryPairField(CountryChoiceField):
    """Two different countries, comma-separated: ``KZ,AZ``."""

    widget = CountryPairWidget

    default_error_messages = {
        "pair": _("Give two different country codes separated by a comma, e.g. KZ,AZ."),
    }

    def to_python(self, value: object) -> list[str]:
        if value in (None, "", []):
            return []
        if isinstance(value, list | tuple):
            value = ",".join(str(item) for item in value)
        codes = [code.strip().upper() for code in str(value).split(",")]
        if len(codes) != 2 or codes[0] == codes[1] or not all(codes):
            raise forms.ValidationError(self.error_messages["pair"], code="pair")
        return codes


class CountryPairFilter(filters.Filter):
    """A pair of countries, ``KZ,AZ``: what the filter method makes of it depends on the model."""

    field_class = CountryPairField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("choices", country_choices)
        super().__init__(*args, **kwargs)


class SearchFilter(filters.CharFilter):
    """Free text, ``q``: what the filter method makes of it depends on the model."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        super().__init__(*args, **kwargs)


def words(value: str) -> list[str]:
    return [word for word in value.split() if word]


def icontains_all(queryset: QuerySet, value: str, fields: list[str]) -> QuerySet:
    """Rows where every word of ``value`` occurs in at least one of ``fields``, or in a
    translation of one (``cooperation.translations``: an event's Kazakh title)."""
    for word in words(value):
        condition = Q()
        for field in fields:
            condition |= contains_condition(queryset.model, field, word)
        queryset = queryset.filter(condition)
    return queryset


class SourceFilterSet(filters.FilterSet):
    q = SearchFilter(
        method="filter_q", help_text=_("Words in the title, publisher, URL or excerpt.")
    )
    language = filters.MultipleChoiceFilter(choices=Language.choices, label=_("Language"))
    publisher = filters.CharFilter(
        lookup_expr="icontains", max_length=MAX_QUERY_LENGTH, label=_("Publisher contains")
    )
    published_after = filters.DateFilter(
        field_name="published_on", lookup_expr="gte", label=_("Published on or after")
    )
    published_before = filters.DateFilter(
        field_name="published_on", lookup_expr="lte", label=_("Published on or before")
    )

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return icontains_all(queryset, value, ["title", "publisher", "url", "excerpt"])


class StatedFigureFilterSet(filters.FilterSet):
    q = SearchFilter(method="filter_q", help_text=_("Words in the statement or notes."))
    metric = filters.MultipleChoiceFilter(choices=StatedFigureMetric.choices, label=_("Metric"))
    qualifier = filters.MultipleChoiceFilter(choices=Qualifier.choices, label=_("Qualifier"))
    status = filters.MultipleChoiceFilter(
        choices=StatedFigureStatus.choices, label=_("Status (signed, scheduled, announced)")
    )
    scope = filters.MultipleChoiceFilter(
        choices=StatedFigureScope.choices, label=_("Of one country, or of both together")
    )
    country = CountryFilter(
        method="filter_country", label=_("Country (of a figure of both countries: either)")
    )
    partner_country = CountryFilter(label=_("Partner country"))
    event_id = IdFilter(field_name="events", label=_("Stated at the event (id)"), distinct=True)
    stated_after = filters.DateFilter(
        field_name="stated_on", lookup_expr="gte", label=_("Stated on or after")
    )
    stated_before = filters.DateFilter(
        field_name="stated_on", lookup_expr="lte", label=_("Stated on or before")
    )
    reference_year_min = YearFilter(
        field_name="reference_year", lookup_expr="gte", label=_("Refers to a year from")
    )
    reference_year_max = YearFilter(
        field_name="reference_year", lookup_expr="lte", label=_("Refers to a year up to")
    )
    source_id = IdFilter(field_name="sources", label=_("Cites source (id)"), distinct=True)

    class Meta:
        model = StatedFigure
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return icontains_all(queryset, value, ["statement", "notes"])

    def filter_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # A figure of both countries is as much the partner country's as the country's.
        if not value:
            return queryset
        return queryset.filter(
            Q(country__in=value) | Q(scope=StatedFigureScope.BOTH, partner_country__in=value)
        )
