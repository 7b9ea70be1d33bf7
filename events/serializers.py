"""API representations of people and events, with each event's participants."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cooperation.api import ModelCleanSerializer, NestedChildSerializer
from cooperation.models import Source, StatedFigure
from cooperation.serializers import TIMESTAMPS
from cooperation.versioning import VersionedSerializerMixin
from universities.models import Institution

from .models import Event, Participation, Person


class PersonSerializer(ModelCleanSerializer):
    """A named official, with the institution they belong to."""

    institution_name = serializers.CharField(
        source="institution.name", read_only=True, allow_null=True
    )
    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )

    class Meta:
        model = Person
        fields = (
            "id",
            "name",
            "name_local",
            "position",
            "institution",
            "institution_name",
            "country",
            "notes",
            "sources",
            *TIMESTAMPS,
        )


class ParticipationSerializer(NestedChildSerializer):
    """A person at the event, in a role, with the position held at the time."""

    validation_exclude = ("event",)
    constraint_fields = {"participation_unique_role": "person"}

    person_name = serializers.CharField(source="person.name", read_only=True)
    institution_name = serializers.CharField(
        source="institution.name", read_only=True, allow_null=True
    )

    class Meta:
        model = Participation
        fields = (
            "id",
            "person",
            "person_name",
            "role",
            "position",
            "institution",
            "institution_name",
            "country",
        )


class EventSerializer(VersionedSerializerMixin, ModelCleanSerializer):
    """An event, with its host, organisers (ids) and participants."""

    localized_title = serializers.CharField(
        read_only=True,
        help_text=_(
            "The title in the reader's language (Accept-Language), or in the one it falls "
            "back to (Kazakh: Russian, then English)."
        ),
    )
    localized_city = serializers.CharField(
        read_only=True, help_text=_("The city in the reader's language, as localized_title.")
    )
    host_institution_name = serializers.CharField(
        source="host_institution.name", read_only=True, allow_null=True
    )
    organisers = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Institution.objects.all()
    )
    participations = ParticipationSerializer(many=True, required=False)
    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )
    stated_figures = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=StatedFigure.objects.all(),
        help_text="Ids of the stated figures announced at this event (/api/stated-figures/).",
    )

    nested_writes = {"participations": "event"}

    class Meta:
        model = Event
        fields = (
            "id",
            "title",
            "title_translations",
            "localized_title",
            "kind",
            "start_date",
            "end_date",
            "date_precision",
            "city",
            "city_translations",
            "localized_city",
            "country",
            "host_institution",
            "host_institution_name",
            "organisers",
            "status",
            "description",
            "participations",
            "sources",
            "stated_figures",
            "version",
            *TIMESTAMPS,
        )
