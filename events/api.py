"""API viewsets of people and events."""

from django.db.models import Prefetch

from cooperation.api import ModelViewSet

from .columns import EVENTS
from .filtersets import EventFilterSet, PersonFilterSet
from .models import Event, Participation, Person
from .serializers import EventSerializer, PersonSerializer


class PersonViewSet(ModelViewSet):
    """Named officials: ministers, rectors, ambassadors, consuls."""

    queryset = Person.objects.select_related("institution").prefetch_related("sources")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ("id", "name", "country", "created_at", "updated_at")


class EventViewSet(ModelViewSet):
    """Forums, signing ceremonies, visits and other events, with their participants.

    Send `participations` to replace the list (items with an `id` are kept and updated);
    leave it out to keep them as they are.
    """

    queryset = Event.objects.with_related().prefetch_related(
        "organisers",
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("person", "institution"),
        ),
        "sources",
        "stated_figures",
    )
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    export_columnset = EVENTS  # events.columns
    ordering_fields = (
        "id",
        "title",
        "kind",
        "status",
        "country",
        "start_date",
        "end_date",
        "created_at",
        "updated_at",
    )
