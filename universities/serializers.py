"""API representation of institutions and their names."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cooperation.api import ModelCleanSerializer, NestedChildSerializer
from cooperation.models import Source
from cooperation.serializers import TIMESTAMPS
from cooperation.versioning import VersionedSerializerMixin

from .models import Institution, InstitutionName


class InstitutionNameSerializer(NestedChildSerializer):
    """One name of the institution: a label in a language, an alias, an acronym or a former name."""

    validation_exclude = ("institution",)
    constraint_fields = {"institutionname_unique": "name"}

    class Meta:
        model = InstitutionName
        fields = ("id", "name", "language", "kind")


class InstitutionSerializer(VersionedSerializerMixin, ModelCleanSerializer):
    """A university or another academic body, with every name it is known by."""

    names = InstitutionNameSerializer(many=True, required=False)
    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )
    localized_city = serializers.CharField(
        read_only=True,
        help_text=_(
            "The city in the reader's language (Accept-Language), or in the one it falls "
            "back to (Kazakh: Russian, then English)."
        ),
    )
    agreement_count = serializers.IntegerField(read_only=True)
    partner_count = serializers.IntegerField(read_only=True)

    nested_writes = {"names": "institution"}

    class Meta:
        model = Institution
        fields = (
            "id",
            "name",
            "kind",
            "country",
            "city",
            "city_translations",
            "localized_city",
            "latitude",
            "longitude",
            "website",
            "founded_year",
            "status",
            "merged_into",
            "parent",
            "ror_id",
            "wikidata_id",
            "description",
            "names",
            "sources",
            "agreement_count",
            "partner_count",
            "version",
            *TIMESTAMPS,
        )
