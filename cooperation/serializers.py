"""API representations of sources and stated figures, and the pieces every app's
serializers share."""

from django.db import models
from rest_framework import serializers

from agreements.visibility import agreement_shown, agreement_visibility, reads_all_agreements

from .api import ModelCleanSerializer
from .models import Source, StatedFigure

TIMESTAMPS = ("created_at", "updated_at")


class ShownAgreementMixin:
    """Fields that name an agreement (``shown_agreement_fields``: a figure's or a
    scholarship's ``agreement``, an agreement's ``parent`` and ``renews``) name it only to a
    reader who may see it (``agreements.visibility.agreement_visibility``), else null: in JSON
    and so in the CSV and XLSX exports, which are made from it.

    Written, they take only agreements the writer may see: a hidden agreement's id is
    refused with the message a nonexistent id gets. A hidden agreement already linked stays
    linked when the writer sends back the null they read (or leaves the field out).
    """

    shown_agreement_fields: tuple[str, ...] = ("agreement",)

    def _reader(self):
        return getattr(self.context.get("request"), "user", None)

    def get_fields(self):
        fields = super().get_fields()
        user = self._reader()
        if reads_all_agreements(user):
            return fields
        for name in self.shown_agreement_fields:
            field = fields.get(name)
            if field is not None and not field.read_only:
                field.queryset = field.queryset.filter(agreement_visibility(user))
        return fields

    def validate(self, attrs):
        instance = self.instance if isinstance(self.instance, models.Model) else None
        if instance is not None:
            user = self._reader()
            for name in self.shown_agreement_fields:
                # The null they read: keep the link they may not see.
                hidden = not agreement_shown(instance, user, name)
                if name in attrs and attrs[name] is None and hidden:
                    del attrs[name]
        return super().validate(attrs)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self._reader()
        for name in self.shown_agreement_fields:
            if data.get(name) is not None and not agreement_shown(instance, user, name):
                data[name] = None
        return data


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
