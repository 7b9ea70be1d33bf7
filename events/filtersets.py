"""Filters of the events timeline and the people directory."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from cooperation.filtersets import (
    CountryFilter,
    CountryPairFilter,
    IdFilter,
    SearchFilter,
    icontains_all,
)

from .choices import EventKind, EventStatus, ParticipationRole
from .models import Event, Participation, Person


class PersonFilterSet(filters.FilterSet):
    q = SearchFilter(
        method="filter_q", help_text=_("Words in the name (either script) or the position.")
    )
    country = CountryFilter(label=_("Country they serve"))
    institution_id = IdFilter(field_name="institution", label=_("Institution (id)"))
    event_id = IdFilter(method="filter_event_id", label=_("Took part in the event (id)"))
    role = filters.MultipleChoiceFilter(
        method="filter_role",
        choices=ParticipationRole.choices,
        label=_("Had this role at an event"),
    )
    source_id = IdFilter(field_name="sources", label=_("Cites source (id)"), distinct=True)

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return icontains_all(queryset, value, ["name", "name_local", "position"])

    def filter_event_id(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(
            pk__in=Participation.objects.filter(event_id=value).values("person_id")
        )

    def filter_role(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            pk__in=Participation.objects.filter(role__in=value).values("person_id")
        )


class EventFilterSet(filters.FilterSet):
    q = SearchFilter(method="filter_q", help_text=_("Words in the title, city or description."))
    kind = filters.MultipleChoiceFilter(choices=EventKind.choices, label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=EventStatus.choices, label=_("Status"))
    country = CountryFilter(label=_("Country"))
    country_pair = CountryPairFilter(
        method="filter_country_pair",
        label=_("Both countries took part, or an agreement between them was signed, e.g. KZ,AZ"),
    )
    start_date_after = filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("Starts on or after")
    )
    start_date_before = filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label=_("Starts on or before")
    )
    host_institution_id = IdFilter(field_name="host_institution", label=_("Host (id)"))
    institution_id = IdFilter(
        method="filter_institution_id",
        label=_("Institution that hosted, organised or was represented (id)"),
    )
    person_id = IdFilter(method="filter_person_id", label=_("Participant (id)"))
    source_id = IdFilter(field_name="sources", label=_("Cites source (id)"), distinct=True)

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return icontains_all(queryset, value, ["title", "city", "description"])

    def filter_country_pair(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # CountryPairField gives two different codes, or none.
        reader = getattr(self.request, "user", None)
        return queryset.of_pair(*value, reader=reader) if value else queryset

    def filter_institution_id(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        organised = Event.organisers.through.objects.filter(institution_id=value)
        represented = Participation.objects.filter(institution_id=value)
        return queryset.filter(
            Q(host_institution_id=value)
            | Q(pk__in=organised.values("event_id"))
            | Q(pk__in=represented.values("event_id"))
        )

    def filter_person_id(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(
            pk__in=Participation.objects.filter(person_id=value).values("event_id")
        )
