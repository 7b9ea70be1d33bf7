"""API representations of scholarship programmes (with their allocations) and mobility
figures, and of the mobility totals."""

from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from agreements.serializers import STUDY_LEVELS
from cooperation.api import ModelCleanSerializer, NestedChildSerializer
from cooperation.choices import IscedLevel, Qualifier
from cooperation.filtersets import country_choices
from cooperation.models import IscedField, Source
from cooperation.serializers import TIMESTAMPS, ShownAgreementMixin
from cooperation.versioning import VersionedSerializerMixin

from .choices import Measure, MobilityType, Sex
from .models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme


class ScholarshipAllocationSerializer(NestedChildSerializer):
    """Places of the programme offered and awarded in one year at one level."""

    validation_exclude = ("programme",)
    constraint_fields = {"allocation_unique_year_level": "year"}

    class Meta:
        model = ScholarshipAllocation
        fields = ("id", "year", "level", "places_offered", "places_awarded", "notes")


class ScholarshipProgrammeSerializer(ShownAgreementMixin, ModelCleanSerializer):
    """A scholarship programme, with its places per year and level."""

    localized_name = serializers.CharField(
        read_only=True,
        help_text=_(
            "The name in the reader's language (Accept-Language), or in the one it falls "
            "back to (Kazakh: Russian, then English)."
        ),
    )
    funder_institution_name = serializers.CharField(
        source="funder_institution.name", read_only=True, allow_null=True
    )
    host_institution_name = serializers.CharField(
        source="host_institution.name", read_only=True, allow_null=True
    )
    # Declared here: django-countries' mixin makes a multiple country field required.
    eligible_countries = serializers.ListField(
        child=CountryField(),
        required=False,
        max_length=300,
        help_text=_("ISO 3166-1 alpha-2 codes; empty: any country."),
    )
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=STUDY_LEVELS), required=False, max_length=4
    )
    allocations = ScholarshipAllocationSerializer(many=True, required=False)
    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )

    nested_writes = {"allocations": "programme"}

    class Meta:
        model = ScholarshipProgramme
        fields = (
            "id",
            "name",
            "name_translations",
            "localized_name",
            "kind",
            "funder_country",
            "funder_institution",
            "funder_institution_name",
            "host_country",
            "host_institution",
            "host_institution_name",
            "eligible_countries",
            "levels",
            "agreement",
            "description",
            "allocations",
            "sources",
            *TIMESTAMPS,
        )


class MobilityFigureSerializer(ShownAgreementMixin, VersionedSerializerMixin, ModelCleanSerializer):
    """A count of people who moved, as one source stated it (UNESCO UIS / OECD / Eurostat)."""

    home_institution_name = serializers.CharField(
        source="home_institution.name", read_only=True, allow_null=True
    )
    host_institution_name = serializers.CharField(
        source="host_institution.name", read_only=True, allow_null=True
    )
    field = serializers.SlugRelatedField(
        slug_field="code",
        queryset=IscedField.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("ISCED-F 2013 code, e.g. 0511."),
    )
    field_name = serializers.CharField(source="field.name_en", read_only=True, allow_null=True)
    source_title = serializers.CharField(source="source.title", read_only=True)

    class Meta:
        model = MobilityFigure
        fields = (
            "id",
            "origin_country",
            "destination_country",
            "home_institution",
            "home_institution_name",
            "host_institution",
            "host_institution_name",
            "agreement",
            "mobility_type",
            "level",
            "field",
            "field_name",
            "sex",
            "measure",
            "year",
            "as_of",
            "value",
            "qualifier",
            "host_institution_count",
            "source",
            "source_title",
            "notes",
            "version",
            *TIMESTAMPS,
        )


class MobilityTotalRowSerializer(serializers.Serializer):
    """One row of `/api/mobility-figures/totals/`."""

    year = serializers.IntegerField(required=False)
    # The dimensions are sent when grouped by (group_by), the rest always.
    origin = serializers.ChoiceField(choices=country_choices(), required=False)
    destination = serializers.ChoiceField(choices=country_choices(), required=False)
    mobility_type = serializers.ChoiceField(choices=MobilityType.choices, required=False)
    level = serializers.ChoiceField(choices=IscedLevel.choices, required=False)
    field = serializers.CharField(required=False, allow_null=True, help_text=_("ISCED-F code."))
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    measure = serializers.ChoiceField(
        choices=Measure.choices, help_text=_("stock or flow: never summed together.")
    )
    value = serializers.IntegerField(
        allow_null=True,
        help_text=_("The sum of the figures counted; null when every figure was left out."),
    )
    qualifier = serializers.ChoiceField(
        choices=Qualifier.choices,
        allow_null=True,
        help_text=_(
            "The sum's qualifier: one figure keeps its own; a sum with a lower bound in it "
            "is at_least, with an upper bound up_to, with an about (or both bounds) about."
        ),
    )
    text = serializers.CharField(help_text=_("The number as shown: “more than 1000”."))
    approximate = serializers.BooleanField(help_text=_("True when the qualifier is not exact."))
    as_of = serializers.DateField(
        allow_null=True,
        help_text=_("Stocks: the date they were counted on; other dates are left out."),
    )
    figures = serializers.IntegerField(help_text=_("How many figures were summed."))
    sources = serializers.IntegerField(help_text=_("How many sources they came from."))
    alternatives = serializers.IntegerField(
        help_text=_("Figures left out: the same number from a source published earlier.")
    )
    earlier = serializers.IntegerField(
        help_text=_("Stocks left out: counted on a date before as_of.")
    )
    breakdowns = serializers.IntegerField(
        help_text=_("Figures left out: a breakdown (level, sex, field, institution) of a total.")
    )


class MobilityTotalsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    results = MobilityTotalRowSerializer(many=True)
