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
    """An official aggregate as a source stated it, with the sources (ids) that state it."""

    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )

    class Meta:
        model = StatedFigure
        fields = (
            "id",
            "metric",
            "statement",
            "value",
            "qualifier",
            "country",
            "partner_country",
            "stated_on",
            "stated_precision",
            "reference_year",
            "notes",
            "sources",
            *TIMESTAMPS,
        )
