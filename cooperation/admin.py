"""The back office: shared admin bases, the site's wording, Source, StatedFigure, IscedField."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from import_export import fields as import_export_fields
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from agreements.visibility import agreement_shown, reads_all_agreements, shown_agreement_annotations

from .cells import from_csv_dataset, safe_dataset
from .choices import IscedLevel
from .models import IscedField, Source, StatedFigure
from .roles import object_in_scope, scoped_to
from .translations import text_contains, translations_fields

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


class TranslatedSearchMixin:
    """The admin's search also finds the translations (``cooperation.translations``) of
    the fields it searches: an agreement by its Kazakh title, a figure by its event's."""

    def translated_search_paths(self) -> list[tuple[str, str]]:
        """(prefix, field) of each searched field that has translations."""
        paths = []
        for name in self.search_fields or ():
            if name[:1] in "^=@":
                continue
            *relations, field = name.split("__")
            model = self.model
            try:
                for relation in relations:
                    model = model._meta.get_field(relation).related_model
            except (AttributeError, LookupError, FieldDoesNotExist):
                continue
            if model is not None and any(t.of == field for t in translations_fields(model)):
                paths.append(("".join(f"{r}__" for r in relations), field))
        return paths

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        paths = self.translated_search_paths()
        terms = [
            unescape_string_literal(bit) if bit[:1] in "\"'" and bit[0] == bit[-1] else bit
            for bit in smart_split(search_term)
        ]
        terms = [term for term in terms if term]
        if not paths or not terms:
            return results, may_have_duplicates
        translated = queryset
        for term in terms:
            condition = models.Q()
            for prefix, field in paths:
                condition |= text_contains(field, term, prefix)
            translated = translated.filter(condition)
        if any(prefix for prefix, _field in paths):
            translated = queryset.filter(pk__in=translated.values("pk"))
        return results | translated, may_have_duplicates


class HistoryAdmin(
    TranslatedSearchMixin, RoleScopedAdminMixin, TimestampedAdminMixin, SimpleHistoryAdmin
):
    """Base of every admin of a model with history: who changed what, and when.

    simple_history's own views read a record's history straight from the history table and
    let anyone who may *view* the model POST its "revert" form, which saves every field. Here
    the history pages obey the same two rules as the change page:

    - a record the reader may not see through ``get_queryset`` (a hidden agreement, its
      parties and conditions) is a 404, its history and old versions included; the history
      of a deleted record is shown only to readers of the whole register
      (``reads_all_agreements``), since what it was can no longer be checked against a scope;
    - reverting is a change: it needs the change permission on the live record within the
      editor's scope (``RoleScopedAdminMixin``), with the change form's own read-only fields
      and choices; re-creating a deleted record needs the add permission and no scope.
    """

    list_per_page = 50
    # Staff paste addresses without a scheme: assume https (Django 6 will by default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def history_subject(self, request, object_id):
        """The live record behind a history URL, as this reader may see it; None when it
        was deleted. Raises Http404 when the reader may not see it at all."""
        pk = unquote(object_id)
        try:
            live = self.get_queryset(request).filter(pk=pk).first()
            exists = live is not None or self.model._default_manager.filter(pk=pk).exists()
        except (ValueError, ValidationError):
            raise Http404 from None
        if live is None and (exists or not reads_all_agreements(request.user)):
            raise Http404
        return live

    def may_revert(self, request, live) -> bool:
        if live is None:
            return self.has_add_permission(request) and not scoped_to(request.user)
        return self.has_change_permission(request, live)

    def history_view(self, request, object_id, extra_context=None):
        self.history_subject(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        live = self.history_subject(request, object_id)
        request._unibridge_may_revert = self.may_revert(request, live)
        request._unibridge_history_live = live
        if request.method == "POST" and not request._unibridge_may_revert:
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if getattr(request, "_unibridge_may_revert", True) or getattr(
            request, "_unibridge_listing_fields", False
        ):
            return fields
        # A reader's view of an old version: every field shown, none of them an input
        # (what the change page does for a view-only reader). get_fieldsets may build the
        # form, which asks for the read-only fields again: the flag stops that loop.
        request._unibridge_listing_fields = True
        try:
            names = flatten_fieldsets(self.get_fieldsets(request, obj))
        finally:
            request._unibridge_listing_fields = False
        return fields + tuple(name for name in names if name not in fields and self._shows(name))

    def _shows(self, name: str) -> bool:
        # A name the read-only display can render: a model field, or an attribute of the
        # admin or the model (not a form-only field such as ``opened_version``).
        return hasattr(self, name) or hasattr(self.model, name)

    def get_form(self, request, obj=None, change=False, **kwargs):
        live = getattr(request, "_unibridge_history_live", None)
        if obj is not None and live is not None and hasattr(live, "version"):
            # A revert saves the old values over the record as it is now: the version check
            # compares with the live row's version, not the old version's.
            obj.version = live.version
        return super().get_form(request, obj, change, **kwargs)

    def revert_disabled(self, request, obj=None):
        may_revert = getattr(request, "_unibridge_may_revert", None)
        if may_revert is None:
            live = None if obj is None else self.model._default_manager.filter(pk=obj.pk).first()
            may_revert = self.may_revert(request, live)
        return not may_revert or super().revert_disabled(request, obj)


class AgreementLinkAdminMixin:
    """Rows that name an agreement (a figure, a scholarship, a party, a renewal's parent) name
    it only to a reader who may see it, and link only to one they may see: the rule is
    ``agreements.visibility.shown_agreement_id`` / ``visible_to``, the one the API and the exports
    use. The link's choices are the visible agreements (a hidden id is refused as a missing
    one is); in the list the column shows "—"; on the change page a link to a hidden
    agreement is left out, so it is neither shown nor lost when the row is saved."""

    agreement_link_fields: tuple[str, ...] = ("agreement",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(**shown_agreement_annotations(request.user, self.agreement_link_fields))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.agreement_link_fields:
            kwargs["queryset"] = db_field.related_model.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def hidden_agreement_fields(self, request, obj) -> set[str]:
        if obj is None:
            return set()
        return {
            field
            for field in self.agreement_link_fields
            if not agreement_shown(obj, request.user, field)
        }

    def get_fieldsets(self, request, obj=None):
        hidden = self.hidden_agreement_fields(request, obj)
        fieldsets = super().get_fieldsets(request, obj)
        if not hidden:
            return fieldsets

        def keep(line):
            if isinstance(line, list | tuple):
                kept = [name for name in line if name not in hidden]
                return kept or None
            return None if line in hidden else line

        return [
            (name, {**opts, "fields": [kept for line in opts["fields"] if (kept := keep(line))]})
            for name, opts in fieldsets
        ]

    def get_list_display(self, request):
        return [
            "agreement_link" if name == "agreement" else name
            for name in super().get_list_display(request)
        ]

    @admin.display(description=_("agreement"), ordering="agreement")
    def agreement_link(self, obj):
        return obj.agreement if getattr(obj, "agreement_shown", None) is not None else "—"


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


class StatedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's filter by each value a text field holds, where the blank value reads
    "(not stated)" instead of an empty link (a link without a name, axe-core link-name)."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": _("(not stated)")}
            yield choice


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
    list_filter = ("language", ("publisher", StatedValuesFilter), "published_precision")
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
    # Exported only: how the figure reads (StatedFigure.label) and where it was stated (the
    # events link it from their side); an import ignores both.
    label = import_export_fields.Field(attribute="label", column_name="label", readonly=True)
    events = import_export_fields.Field(column_name="events", readonly=True)

    class Meta:
        model = StatedFigure
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def dehydrate_events(self, figure: StatedFigure) -> str:
        return ",".join(str(event.pk) for event in figure.events.all())


@admin.register(StatedFigure)
class StatedFigureAdmin(ImportExportHistoryAdmin):
    resource_classes = [StatedFigureResource]
    list_display = (
        "figure_label",
        "metric",
        "status",
        "stated_on",
        "reference_year",
        "event_list",
        "source_list",
    )
    list_filter = (
        "metric",
        "status",
        "scope",
        "qualifier",
        ("country", CountryFilter),
        ("partner_country", CountryFilter),
        "reference_year",
    )
    search_fields = ("statement", "notes", "sources__title", "sources__publisher")
    date_hierarchy = "stated_on"
    ordering = ("-stated_on", "metric")
    autocomplete_fields = ("sources",)
    readonly_fields = ("figure_label", "event_links")
    fieldsets = [
        (None, {"fields": ["metric", "statement", ("qualifier", "value"), "status"]}),
        (_("Whose figure"), {"fields": ["scope", ("country", "partner_country")]}),
        (_("Date"), {"fields": [("stated_on", "stated_precision"), "reference_year"]}),
        (_("Sources"), {"fields": ["sources", "notes"]}),
        (
            _("As shown"),
            {
                "fields": ["figure_label", "event_links"],
                "description": _(
                    "To link a figure to the event where it was stated, edit the event."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sources", "events")

    @admin.display(description=_("stated figure"), ordering="value")
    def figure_label(self, obj: StatedFigure) -> str:
        return obj.label if obj.pk else "—"

    @admin.display(description=_("events"))
    def event_list(self, obj: StatedFigure) -> str:
        return "; ".join(event.title for event in obj.events.all()) or "—"

    @admin.display(description=_("stated at events"))
    def event_links(self, obj: StatedFigure) -> str:
        if not obj.pk:
            return "—"
        links = [
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:events_event_change", args=[event.pk]),
                event.title,
            )
            for event in obj.events.all()
        ]
        return format_html_join("; ", "{}", ((link,) for link in links)) or "—"

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
