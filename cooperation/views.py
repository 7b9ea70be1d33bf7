"""Views shared by every app: the filtered list (filter + table + export)."""

import csv
from collections.abc import Iterator
from itertools import islice

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView
from django_countries import countries
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export import ExportMixin, TableExport

from . import cells, csv_sql, paging, selectors
from .filtersets import SourceFilterSet, StrictNullBooleanField
from .models import Source
from .register_cache import cached_page
from .tables import SourceTable


class ExcelFriendlyExport(TableExport):
    """CSV starts with a UTF-8 byte order mark, so Excel shows Cyrillic and Azerbaijani intact;
    every cell follows cooperation.cells (a text is never read as a formula)."""

    def export(self):
        data = cells.safe_dataset(self.dataset, self.format).export(self.format)
        if self.format == self.CSV and isinstance(data, str):
            return "\ufeff" + data
        return data


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


# Rows per batch of a streamed CSV export: one database round trip (plus one per prefetch)
# and one small Table per batch, so memory stays flat however many rows are exported.
EXPORT_BATCH_SIZE = 2000


class FilteredListView(ExportMixin, SingleTableMixin, FilterView):
    """A list page: one FilterSet, one Table, and CSV/XLSX of exactly the filtered rows.

    Subclasses set ``queryset`` (from the model's read-path QuerySet method),
    ``filterset_class`` and ``table_class``; the template and the exports come from here.
    """

    template_name = "generic/object_list.html"
    paginate_by = 50
    strict = True  # an invalid filter shows its error and no rows, rather than every row
    export_class = ExcelFriendlyExport
    export_formats = ("csv", "xlsx")
    title = None
    description = None
    empty_message = _("Nothing matches these filters.")
    per_page_param = "per_page"  # django-tables2's name for the page size

    def get(self, request, *args, **kwargs):
        try:
            self.page_size = paging.page_size(
                request.GET.get(self.per_page_param), default=self.paginate_by
            )
        except ValidationError as error:
            return self.page_size_refused(error)
        return super().get(request, *args, **kwargs)

    def page_size_refused(self, error: ValidationError):
        """A page size out of bounds (cooperation.paging): a 400 showing the page with the
        message above its filters, as an invalid filter shows, and no rows."""
        self.page_size = self.paginate_by
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.filterset.is_valid()  # the filters' own errors show too
        for message in error.messages:
            self.filterset.form.add_error(None, f"{self.per_page_param}: {message}")
        self.object_list = self.filterset.queryset.none()
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        response = super(ExportMixin, self).render_to_response(context)  # never an export
        response.status_code = 400
        return response

    def get_paginate_by(self, table_data) -> int:
        return getattr(self, "page_size", self.paginate_by)

    def get_table(self, **kwargs):
        """The table, sorted as the request asks and paged by the checked page size:
        django-tables2's RequestConfig would page by any whole number in ``per_page``."""
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        RequestConfig(self.request, paginate=False).configure(table)  # sorting only
        paginate = self.get_table_pagination(table)
        if paginate:
            options = dict(paginate) if isinstance(paginate, dict) else {}
            options.pop("silent", None)
            try:
                number = int(self.request.GET.get(table.prefixed_page_field, 1))
            except ValueError:
                number = 1
            # As RequestConfig does: a page past the end shows the last one.
            try:
                table.paginate(page=number, **options)
            except EmptyPage:
                table.page = table.paginator.page(table.paginator.num_pages)
        return table

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # The API reads yes/no filters from text ("true"/"false"); people get a menu.
        for field in filterset.form.fields.values():
            if isinstance(field, StrictNullBooleanField):
                field.widget = forms.Select(
                    choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
                )
        return filterset

    def get_title(self):
        return self.title or self.filterset_class._meta.model._meta.verbose_name_plural.capitalize()

    def get_export_filename(self, export_format: str) -> str:
        model = self.filterset_class._meta.model._meta.model_name
        return f"unibridge-{model}-{timezone.localdate():%Y-%m-%d}.{export_format}"

    def create_export(self, export_format: str):
        if export_format == ExcelFriendlyExport.CSV:
            return self.stream_csv_export()
        return super().create_export(export_format)

    def stream_csv_export(self) -> StreamingHttpResponse:
        """CSV of every filtered row, streamed in batches.

        django-tables2's TableExport builds the whole table and a tablib Dataset in memory
        before writing a byte: 2 million mobility figures took gigabytes (bench/RESULTS.md,
        scenario 3). Here the filtered, sorted queryset is read in batches and each batch goes
        through a Table of its own, so the columns and values (``value_*``, ``as_values``)
        are exactly the export's, with the same byte order mark for Excel.
        """
        table = self.get_table(**self.get_table_kwargs())
        rows = table.data.data  # the filtered queryset, in the order the table sorts it
        exclude = self.exclude_columns
        table_class, table_kwargs = type(table), self.get_table_kwargs()

        # A table that declares its columns for PostgreSQL (``csv_sql_columns``, a CsvColumn
        # per column name) has its lines written by the database: 2 million mobility figures
        # in seconds instead of an hour (cooperation.csv_sql; tests hold the bytes equal).
        names = [
            column.name
            for column in table.columns.iterall()
            if not (column.column.exclude_from_export or column.name in (exclude or ()))
        ]
        sql_columns = getattr(table_class, "csv_sql_columns", None)
        if sql_columns and csv_sql.supported(rows) and all(n in sql_columns for n in names):
            sql_lines = csv_sql.csv_lines(rows, [sql_columns[name] for name in names])
        else:
            sql_lines = None

        def lines() -> Iterator[bytes]:
            writer = csv.writer(_Echo())
            header = next(table.as_values(exclude_columns=exclude))
            yield ("\ufeff" + writer.writerow(header)).encode("utf-8")
            if sql_lines is not None:
                yield from sql_lines
                return
            records = rows.iterator(chunk_size=EXPORT_BATCH_SIZE)
            while batch := list(islice(records, EXPORT_BATCH_SIZE)):
                values = table_class(batch, **table_kwargs).as_values(exclude_columns=exclude)
                next(values)  # the header again
                yield "".join(writer.writerow(cells.csv_row(row)) for row in values).encode("utf-8")

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.get_export_filename(ExcelFriendlyExport.CSV)}"'
        )
        return response

    def get_table_pagination(self, table):
        if self.request.GET.get(self.export_trigger_param):
            return False  # an export carries every filtered row, not one page
        return super().get_table_pagination(table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop(self.export_trigger_param, None)
        context.update(
            title=self.get_title(),
            description=self.description,
            empty_message=self.empty_message,
            export_links=[
                (fmt.upper(), f"?{query.urlencode()}&{self.export_trigger_param}={fmt}")
                for fmt in self.export_formats
            ],
            breadcrumbs=[(None, self.get_title())],
            has_filters=any(value for key, value in query.items() if key != "sort"),
        )
        return context


class DashboardView(TemplateView):
    """The focus pair at a glance; every number links to the filtered list behind it."""

    template_name = "cooperation/dashboard.html"

    # The same for every reader of one visibility class until the register changes
    # (cooperation.register_cache): a dozen queries across every app, and its drawing.
    @cached_page
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_pair(self) -> tuple[str, str]:
        default = settings.UNIBRIDGE_FOCUS_PAIR
        raw = self.request.GET.get("pair", "")
        if not raw:
            return default
        codes = [code.strip().upper() for code in raw.replace(",", "-").split("-")]
        if len(codes) == 2 and codes[0] != codes[1] and all(code in countries for code in codes):
            return codes[0], codes[1]
        messages.error(
            self.request,
            _("“%(pair)s” is not a pair of two different country codes; showing %(a)s–%(b)s.")
            % {"pair": raw, "a": default[0], "b": default[1]},
        )
        return default

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country_a, country_b = self.get_pair()
        data = selectors.dashboard(
            country_a, country_b, today=timezone.localdate(), reader=self.request.user
        )
        # Offer every pair with data, the current one first and in the order asked for.
        pairs = [
            pair
            for pair in selectors.pairs_with_data(self.request.user)
            if set(pair) != {country_a, country_b}
        ]
        pairs.insert(0, (country_a, country_b))
        context.update(data)
        names = dict(countries)  # code -> name in the active language, cached per language
        context.update(
            name_a=countries.name(country_a),
            name_b=countries.name(country_b),
            # The menu holds every pair with data (3,400 at size L): names from one dict,
            # not countries.name() twice per pair, which translates on each call (0.2 s).
            pair_choices=[(f"{a}-{b}", f"{names.get(a, a)} – {names.get(b, b)}") for a, b in pairs],
            current_pair=f"{country_a}-{country_b}",
            chart_data={
                "perYear": data["per_year"],
                "mobility": data["mobility"],
                "labels": {
                    "agreements": str(_("Agreements signed")),
                    "people": pgettext("chart axis: number of people", "People"),
                },
            },
        )
        return context


class SourceListView(FilteredListView):
    queryset = Source.objects.all()
    filterset_class = SourceFilterSet
    table_class = SourceTable
    title = _("Sources")
    description = _(
        "Where each fact of the register was stated. Disagreeing sources are both kept."
    )


class SourceDetailView(TemplateView):
    template_name = "cooperation/source_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = get_object_or_404(Source, pk=self.kwargs["pk"])
        # Reverse relations of SourcedModel.sources (related_name "%(class)ss"): every record
        # that cites this source, whichever app declares it.
        cited = [
            (_("Agreements"), source.agreements.visible_to(self.request.user)),
            (_("Events"), source.events.all()),
            (_("Institutions"), source.institutions.all()),
            (_("People"), source.persons.all()),
            (_("Scholarship programmes"), source.scholarshipprogrammes.all()),
        ]
        context.update(
            source=source,
            object=source,
            cited=[(label, list(items)) for label, items in cited],
            figures=list(source.mobility_figures.all()),
            stated=list(source.statedfigures.prefetch_related("events")),
            breadcrumbs=[(reverse("cooperation:source_list"), _("Sources")), (None, source.title)],
        )
        return context
