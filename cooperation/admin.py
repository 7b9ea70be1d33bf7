"""The back office: shared admin bases, the site's wording, Source, StatedFigure, IscedField."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from .cells import from_csv_dataset, safe_dataset
from .choices import IscedLevel
from .models import IscedField, Source, StatedFigure
from .roles import object_in_scope, scoped_to

admin.site.site_header = _("UniBridge back office")
admin.site.site_title = _("UniBridge")
admin.site.index_title = _("Register of academic cooperation")

TIMESTAMP_FIELDS = ("created_at", "updated_at")
TERTIARY_LEVELS = [(level.value, level.label) for level in IscedLevel if level != IscedLevel.ALL]


class IscedLevelsField(forms.MultipleChoiceField):
    """ISCED levels 5-8 as checkboxes, cleaned to the sorted list the JSONField stores."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=TERTIARY_LEVELS, **kwargs)

    def clean(self, value) -> list[str]:
        return sorted(super().clean(value))


def isced_levels_display(levels: list[str] | None) -> str:
    return ", ".join(levels or []) or "—"


class TimestampedAdminMixin:
    """Shows created_at / updated_at read-only, in a fieldset of their own, on change forms."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        return fields + tuple(name for name in TIMESTAMP_FIELDS if name not in fields)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        stripped = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in TIMESTAMP_FIELDS]})
            for name, opts in fieldsets
        ]
        return [*stripped, (_("Record"), {"fields": [TIMESTAMP_FIELDS]})]


class RoleScopedAdminMixin:
    """A university editor changes and deletes only the rows of their scope
    (``cooperation.roles``), and adds only rows that land in it; other rows are read-only
    to them. Everyone else is governed by their permissions alone."""

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or object_in_scope(obj, request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or object_in_scope(obj, request.user))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if scoped_to(request.user):
            # "Delete selected" checks the permission once, not per row.
            actions.pop("delete_selected", None)
        return actions

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Checked on the saved state (parties included) inside the admin's transaction:
        # raising rolls the whole save back.
        if not object_in_scope(form.instance, request.user):
            raise PermissionDenied(
                _("You may only save records of the institutions you edit (as a draft).")
            )


class HistoryAdmin(RoleScopedAdminMixin, TimestampedAdminMixin, SimpleHistoryAdmin):
    """Base of every admin of a model with history: who changed what, and when."""

    list_per_page = 50
    # Staff paste addresses without a scheme: assume https (Django 6 will by default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class QuotedCSV(base_formats.CSV):
    """CSV read with the quotes that cooperation.cells puts before formula-like text taken
    off, so that the admin's CSV export imports back unchanged."""

    def create_dataset(self, in_stream, **kwargs):
        return from_csv_dataset(super().create_dataset(in_stream, **kwargs))


class QuotedTSV(base_formats.TSV):
    """TSV read as QuotedCSV reads CSV."""

    def create_dataset(self, in_stream, **kwargs):
        return from_csv_dataset(super().create_dataset(in_stream, **kwargs))


class ImportExportHistoryAdmin(ImportExportMixin, HistoryAdmin):
    """History plus import/export of lists.

    ImportExportMixin only swaps the change list template (keeping the one it replaces as
    its base) and SimpleHistoryAdmin only the object history templates, so the two compose;
    rows imported through the admin are saved one by one and so get history records too.

    Exported cells follow cooperation.cells (django-import-export's own
    IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT drops a leading "=" only, turns every value into
    text and leaves "+", "-" and "@" formulas in); CSV and TSV imports take the quotes off.
    """

    @property
    def import_formats(self):
        readers = {base_formats.CSV: QuotedCSV, base_formats.TSV: QuotedTSV}
        return [readers.get(fmt, fmt) for fmt in super().import_formats]

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # The format is known here, the rows in get_data_for_export: handed over.
        return super().get_export_data(
            file_format, request, queryset, cells_format=file_format.get_extension(), **kwargs
        )

    def get_data_for_export(self, request, queryset, cells_format=None, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        # Numbers come as text in a CSV ("-58.38"): cells.csv_cell leaves plain numbers be.
        return safe_dataset(data, cells_format) if cells_format else data

    def has_import_permission(self, request) -> bool:
        # An import creates, changes and deletes rows, and is not checked row by row
        # against a scope: it takes all three permissions on the model.
        opts = self.model._meta
        return all(
            request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
            for action in ("add", "change", "delete")
        ) and not scoped_to(request.user)

    def get_export_queryset(self, request):
        # The default resource writes every foreign key and many-to-many column; fetch them
        # with the rows so an export of thousands stays a handful of queries.
        opts = self.model._meta
        return (
            super()
            .get_export_queryset(request)
            .select_related(*(field.name for field in opts.fields if field.is_relation))
            .prefetch_related(*(field.name for field in opts.many_to_many))
        )


class SourceResource(resources.ModelResource):
    class Meta:
        model = Source
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


@admin.register(Source)
class SourceAdmin(ImportExportHistoryAdmin):
    resource_classes = [SourceResource]
    list_display = ("title", "publisher", "published_on", "language", "link")
    list_filter = ("language", "publisher", "published_precision")
    search_fields = ("title", "publisher", "url", "excerpt", "reference")
    date_hierarchy = "published_on"
    ordering = ("-published_on", "title")
    fieldsets = [
        (None, {"fields": ["title", "publisher", "url", "language"]}),
        (_("Date"), {"fields": [("published_on", "published_precision")]}),
        (_("Content"), {"fields": ["excerpt", "reference", "notes"]}),
    ]

    @admin.display(description=_("link"))
    def link(self, obj: Source) -> str:
        if not obj.url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.url, _("open"))


class StatedFigureResource(resources.ModelResource):
    class Meta:
        model = StatedFigure
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


@admin.register(StatedFigure)
class StatedFigureAdmin(ImportExportHistoryAdmin):
    resource_classes = [StatedFigureResource]
    list_display = (
        "metric",
        "stated_value",
        "country",
        "partner_country",
        "stated_on",
        "reference_year",
        "source_list",
    )
    list_filter = (
        "metric",
        "qualifier",
        ("country", CountryFilter),
        ("partner_country", CountryFilter),
        "reference_year",
    )
    search_fields = ("statement", "notes", "sources__title", "sources__publisher")
    date_hierarchy = "stated_on"
    ordering = ("-stated_on", "metric")
    autocomplete_fields = ("sources",)
    fieldsets = [
        (None, {"fields": ["metric", "statement", ("qualifier", "value")]}),
        (_("Countries"), {"fields": [("country", "partner_country")]}),
        (_("Date"), {"fields": [("stated_on", "stated_precision"), "reference_year"]}),
        (_("Sources"), {"fields": ["sources", "notes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sources")

    @admin.display(description=_("value"), ordering="value")
    def stated_value(self, obj: StatedFigure) -> str:
        return f"{obj.get_qualifier_display()} {obj.value}"

    @admin.display(description=_("sources"))
    def source_list(self, obj: StatedFigure) -> str:
        return "; ".join(str(source) for source in obj.sources.all()) or "—"


@admin.register(IscedField)
class IscedFieldAdmin(admin.ModelAdmin):
    # A reference code list with no HistoricalRecords on the model, hence a plain
    # ModelAdmin: SimpleHistoryAdmin's history view needs a history model.
    list_display = ("code", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name_en")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("code",)
    list_per_page = 50
