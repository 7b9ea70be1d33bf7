"""Back office for institutions and every name they are known by."""

import re

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from import_export import resources

from cooperation.admin import HistoryAdmin, ImportExportHistoryAdmin
from cooperation.translations import localized_order, translation_field_names, translations_form
from cooperation.versioning import VersionedAdminMixin, VersionedModelForm

from .models import Institution, InstitutionEditor, InstitutionName

# A search term that looks like an external id is also matched against the id columns.
EXTERNAL_ID = re.compile(r"^(0[a-z0-9]{6}[0-9]{2}|Q[1-9]\d*)$", re.IGNORECASE)


class InstitutionNameInline(admin.TabularInline):
    model = InstitutionName
    fields = ("name", "language", "kind")
    extra = 1
    verbose_name = _("name")
    verbose_name_plural = _("names in other languages, aliases and acronyms")


class InstitutionResource(resources.ModelResource):
    class Meta:
        model = Institution
        exclude = ("search_text",)  # derived from the names on save
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class InstitutionForm(translations_form(Institution, VersionedModelForm)):
    class Meta:
        model = Institution
        # The admin replaces these with the fields of its fieldsets.
        fields = ["name"]


@admin.register(Institution)
class InstitutionAdmin(VersionedAdminMixin, ImportExportHistoryAdmin):
    resource_classes = [InstitutionResource]
    form = InstitutionForm
    list_display = (
        "name",
        "kind",
        "country",
        "city_column",
        "status",
        "ror",
        "agreement_count",
        "partner_count",
    )
    list_filter = ("kind", "status", ("country", CountryFilter))
    # get_search_results below replaces the lookup; search_fields only switches the box on
    # (and lets other admins use autocomplete_fields pointing here).
    search_fields = ("name",)
    search_help_text = _(
        "Any name, label, alias or acronym, in any script and case; or a ROR or Wikidata id."
    )
    ordering = ("name",)
    autocomplete_fields = ("merged_into", "parent", "sources")
    inlines = [InstitutionNameInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", ("status", "merged_into"), "parent"]}),
        (
            _("Location"),
            {
                "fields": [
                    ("country", "city"),
                    *translation_field_names("city"),
                    ("latitude", "longitude"),
                ]
            },
        ),
        (
            _("Identifiers"),
            {"fields": ["website", "founded_year", ("ror_id", "wikidata_id")]},
        ),
        (_("Description and sources"), {"fields": ["description", "sources"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_counts(reader=request.user)
            .annotate(shown_city=localized_order("city"))
        )

    @admin.display(description=_("city"), ordering="shown_city")
    def city_column(self, obj: Institution) -> str:
        return obj.localized_city()

    def get_search_results(self, request, queryset, search_term):
        """Match the folded key of every name, so "Атырау", "атырау" and "Atyrau" agree.

        The autocomplete widgets of other admins call this method too.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        results = queryset.search(term)
        if EXTERNAL_ID.match(term):
            results |= queryset.filter(ror_id__iexact=term) | queryset.filter(
                wikidata_id__iexact=term
            )
        return results, False

    @admin.display(description=_("ROR id"), ordering="ror_id")
    def ror(self, obj: Institution) -> str:
        if not obj.ror_id:
            return "—"
        return format_html(
            '<a href="https://ror.org/{}" target="_blank" rel="noopener">{}</a>',
            obj.ror_id,
            obj.ror_id,
        )

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, obj: Institution) -> int:
        return obj.agreement_count

    @admin.display(description=_("partners"), ordering="partner_count")
    def partner_count(self, obj: Institution) -> int:
        return obj.partner_count


@admin.register(InstitutionName)
class InstitutionNameAdmin(HistoryAdmin):
    list_display = ("name", "language", "kind", "institution")
    list_filter = ("language", "kind")
    search_fields = ("name", "institution__name")
    list_select_related = ("institution",)
    autocomplete_fields = ("institution",)
    ordering = ("institution__name", "kind", "language", "name")


@admin.register(InstitutionEditor)
class InstitutionEditorAdmin(HistoryAdmin):
    """Which institutions each university editor may edit (also an inline on the user)."""

    list_display = ("user", "institution")
    search_fields = ("user__username", "institution__name")
    list_select_related = ("user", "institution")
    autocomplete_fields = ("user", "institution")
    ordering = ("user__username", "institution__name")
