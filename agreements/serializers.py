"""API representation of agreements, with their parties and mobility conditions."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cooperation.api import ModelCleanSerializer, NestedChildSerializer
from cooperation.choices import IscedLevel
from cooperation.models import IscedField, Source
from cooperation.serializers import TIMESTAMPS

from .models import Agreement, CooperationArea, CooperationCondition, Party

STUDY_LEVELS = [(value, label) for value, label in IscedLevel.choices if value != IscedLevel.ALL]


class PartySerializer(NestedChildSerializer):
    """An institution that signed the agreement, with its name, country and signatory."""

    validation_exclude = ("agreement",)

    institution_name = serializers.CharField(source="institution.name", read_only=True)
    country = serializers.CharField(source="institution.country.code", read_only=True)
    signatory_name = serializers.CharField(source="signatory.name", read_only=True, allow_null=True)

    class Meta:
        model = Party
        fields = (
            "id",
            "institution",
            "institution_name",
            "country",
            "signatory",
            "signatory_name",
            "signed_on",
        )


class CooperationConditionSerializer(NestedChildSerializer):
    """One direction of mobility the agreement provides for (after the EWP IIA model)."""

    validation_exclude = ("agreement",)

    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=STUDY_LEVELS), required=False, max_length=4
    )
    subject_areas = serializers.SlugRelatedField(
        many=True,
        required=False,
        slug_field="code",
        queryset=IscedField.objects.all(),
        help_text=_("ISCED-F 2013 codes."),
    )

    class Meta:
        model = CooperationCondition
        fields = (
            "id",
            "sending_institution",
            "receiving_institution",
            "mobility_type",
            "levels",
            "subject_areas",
            "places_per_year",
            "months_per_year",
            "days_per_year",
            "first_academic_year",
            "last_academic_year",
        )


class AgreementSerializer(ModelCleanSerializer):
    """An agreement, with its parties, mobility conditions and areas of cooperation."""

    event_title = serializers.CharField(source="event.title", read_only=True, allow_null=True)
    areas = serializers.SlugRelatedField(
        many=True, required=False, slug_field="code", queryset=CooperationArea.objects.all()
    )
    parties = PartySerializer(many=True, required=False)
    conditions = CooperationConditionSerializer(many=True, required=False)
    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )

    document = serializers.FileField(
        read_only=True,
        allow_null=True,
        help_text=_("The signed document (PDF); uploaded through the admin."),
    )

    nested_writes = {"parties": "agreement", "conditions": "agreement"}

    class Meta:
        model = Agreement
        fields = (
            "id",
            "reference_code",
            "title",
            "kind",
            "level",
            "status",
            "event",
            "event_title",
            "signed_on",
            "signed_precision",
            "valid_from",
            "valid_until",
            "areas",
            "parties",
            "conditions",
            "parent",
            "renews",
            "terminated_on",
            "termination_reason",
            "document",
            "description",
            "sources",
            *TIMESTAMPS,
        )


class AgreementStatsRowSerializer(serializers.Serializer):
    """One row of `/api/agreements/stats/`: the grouped dimensions and the count."""

    year = serializers.IntegerField(required=False, allow_null=True, help_text=_("Year signed."))
    status = serializers.CharField(required=False)
    kind = serializers.CharField(required=False)
    level = serializers.CharField(required=False)
    country_pair = serializers.CharField(
        required=False,
        help_text=_("The parties' countries, sorted and joined with a hyphen (AZ-KZ)."),
    )
    count = serializers.IntegerField()


class AgreementStatsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField(help_text=_("Agreements that match the filters."))
    results = AgreementStatsRowSerializer(many=True)
