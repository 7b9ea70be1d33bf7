"""API representations of sources and stated figures."""

from rest_framework import serializers

from .api import ModelCleanSerializer
from .models import Source, StatedFigure

TIMESTAMPS = ("created_at", "updated_at")


class SourceSerializer(ModelCleanSerializer):
    """A publication that stated a fact: a news article, a ministry page, a report."""

    class Meta:
        model = Source
        fields = (
            "id",
            "title",
            "publisher",
            "url",
            "published_on",
            "published_precision",
            "language",
            "excerpt",
            "reference",
            "notes",
            *TIMESTAMPS,
        )


class StatedFigureSerializer(ModelCleanSerializer):
    """An official aggregate as a source stated it, with the sources (ids) that state it and
    the events (ids, read-only: linked from the event) where it was stated. ``label`` is the
    figure as the pages show it: qualifier, status, whose figure, never an arrow."""

    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )
    label = serializers.CharField(read_only=True)
    countries_label = serializers.CharField(read_only=True)
    events = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Events where it was stated; set from the event (stated_figures).",
    )

    class Meta:
        model = StatedFigure
        fields = (
            "id",
            "metric",
            "statement",
            "value",
            "qualifier",
            "status",
            "scope",
            "country",
            "partner_country",
            "countries_label",
            "label",
            "stated_on",
            "stated_precision",
            "reference_year",
            "notes",
            "sources",
            "events",
            *TIMESTAMPS,
        )
