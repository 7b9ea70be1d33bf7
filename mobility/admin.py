"""Back office for scholarship programmes, their yearly places, and mobility figures."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from import_export import resources

from cooperation.admin import (
    AgreementLinkAdminMixin,
    HistoryAdmin,
    ImportExportHistoryAdmin,
    IscedLevelsField,
    isced_levels_display,
)
from cooperation.translations import localized_order, translation_field_names, translations_form
from cooperation.versioning import VersionedAdminMixin

from .models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme


class ScholarshipAllocationInline(admin.TabularInline):
    model = ScholarshipAllocation
    fields = ("year", "level", "places_offered", "places_awarded", "notes")
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "notes":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 1, "cols": 40})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ScholarshipProgrammeForm(translations_form(ScholarshipProgramme)):
    levels = IscedLevelsField(label=_("levels"), help_text=_("Empty: every tertiary level."))

    class Meta:
        model = ScholarshipProgramme
        fields = [
            "name",
            *translation_field_names("name"),
            "kind",
            "agreement",
            "funder_country",
            "funder_institution",
            "host_country",
            "host_institution",
            "eligible_countries",
            "levels",
            "description",
            "sources",
        ]


@admin.register(ScholarshipProgramme)
class ScholarshipProgrammeAdmin(AgreementLinkAdminMixin, HistoryAdmin):
    form = ScholarshipProgrammeForm
    list_display = (
        "name_column",
        "kind",
        "funder_country",
        "host_country",
        "host_institution",
        "levels_column",
        "agreement",
    )
    list_filter = (
        "kind",
        ("funder_country", CountryFilter),
        ("host_country", CountryFilter),
        ("eligible_countries", CountryFilter),
    )
    search_fields = (
        "name",
        "description",
        "host_institution__name",
        "funder_institution__name",
    )
    list_select_related = ("host_institution", "agreement")
    ordering = ("name",)
    autocomplete_fields = ("funder_institution", "host_institution", "agreement", "sources")
    inlines = [ScholarshipAllocationInline]
    fieldsets = [
        (None, {"fields": ["name", *translation_field_names("name"), "kind", "agreement"]}),
        (_("Funder"), {"fields": [("funder_country", "funder_institution")]}),
        (_("Host"), {"fields": [("host_country", "host_institution")]}),
        (_("Eligibility"), {"fields": ["eligible_countries", "levels"]}),
        (_("Description and sources"), {"fields": ["description", "sources"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(shown_name=localized_order("name"))

    @admin.display(description=_("name"), ordering="shown_name")
    def name_column(self, obj: ScholarshipProgramme) -> str:
        return obj.localized_name()

    @admin.display(description=_("levels"))
    def levels_column(self, obj: ScholarshipProgramme) -> str:
        return isced_levels_display(obj.levels) if obj.levels else _("all")


@admin.register(ScholarshipAllocation)
class ScholarshipAllocationAdmin(HistoryAdmin):
    list_display = ("programme", "year", "level", "places_offered", "places_awarded")
    list_filter = ("level", "year")
    search_fields = ("programme__name",)
    list_select_related = ("programme",)
    autocomplete_fields = ("programme",)
    ordering = ("programme__name", "-year", "level")


class MobilityFigureResource(resources.ModelResource):
    class Meta:
        model = MobilityFigure
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


@admin.register(MobilityFigure)
class MobilityFigureAdmin(AgreementLinkAdminMixin, VersionedAdminMixin, ImportExportHistoryAdmin):
    resource_classes = [MobilityFigureResource]
    list_display = (
        "origin_country",
        "destination_country",
        "year",
        "mobility_type",
        "level",
        "measure",
        "sex",
        "stated_value",
        "home_institution",
        "host_institution",
        "source",
    )
    list_filter = (
        ("origin_country", CountryFilter),
        ("destination_country", CountryFilter),
        "mobility_type",
        "level",
        "measure",
        "sex",
        "year",
    )
    search_fields = (
        "notes",
        "source__title",
        "source__publisher",
        "home_institution__name",
        "host_institution__name",
    )
    ordering = ("-year", "origin_country", "destination_country")
    autocomplete_fields = ("home_institution", "host_institution", "agreement", "field", "source")
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("origin_country", "destination_country"),
                    ("mobility_type", "level"),
                    ("field", "sex"),
                ]
            },
        ),
        (_("Measure"), {"fields": [("measure", "year", "as_of")]}),
        (_("Value"), {"fields": [("qualifier", "value"), "host_institution_count"]}),
        (
            _("Institutions and agreement"),
            {"fields": [("home_institution", "host_institution"), "agreement"]},
        ),
        (_("Source"), {"fields": ["source", "notes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_related()

    @admin.display(description=_("value"), ordering="value")
    def stated_value(self, obj: MobilityFigure) -> str:
        return f"{obj.get_qualifier_display()} {obj.value}"
