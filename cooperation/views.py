"""Views shared by every app: the filtered list (filter + table + export)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldError, ValidationError
from django.core.paginator import EmptyPage
from django.http import HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView
from django_countries import countries
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export import ExportMixin, TableExport
from django_tables2.utils import OrderBy

from . import cells, export_jobs, paging, selectors
from .api import export_filename
from .charts import PALETTE, coloured
from .chips import clear_all_url, filter_chips
from .exports import ExportInBackground, ExportTooLarge, datapackage
from .filtersets import SourceFilterSet, StatedFigureFilterSet, StrictNullBooleanField
from .models import ExportJob, ExportJobStatus, Source, StatedFigure
from .register_cache import cached_page
from .tables import SourceTable, StatedFigureTable
from .viewsets import SourceViewSet, StatedFigureViewSet


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


def _sorted_by(table) -> list[str]:
    """The field names a django-tables2 table sorts its rows by (its columns' ``order_by``
    for the reader's ``?sort=``), as TableQuerysetData.order_by computes them."""
    terms: list[str] = []
    for alias in table.order_by or ():
        column = table.columns[OrderBy(alias).bare]
        accessors = (
            column.order_by.opposite if alias[0] != column.order_by_alias[0] else column.order_by
        )
        terms += [accessor.for_queryset() for accessor in accessors]
    return terms


def _orderable(queryset, term: str) -> bool:
    """Whether ``queryset`` can be sorted by ``term`` (the page's query may know names,
    such as a title in the reader's alphabet, that the export's does not)."""
    try:
        queryset.order_by(term).query.get_compiler(queryset.db).get_order_by()
    except FieldError:
        return False
    return True


class FilteredListView(ExportMixin, SingleTableMixin, FilterView):
    """A list page: one FilterSet, one Table, and CSV/XLSX of exactly the filtered rows.

    Subclasses set ``queryset`` (from the model's read-path QuerySet method),
    ``filterset_class`` and ``table_class``; the template and the exports come from here.
    """

    template_name = "generic/object_list.html"
    paginate_by = 50
    paginator_class = paging.CountingPaginator  # the table's ("N results", or "more than")
    strict = True  # an invalid filter shows its error and no rows, rather than every row
    export_class = ExcelFriendlyExport
    export_formats = ("csv", "xlsx")
    title = None
    description = None
    empty_message = _("Nothing matches these filters.")
    per_page_param = "per_page"  # django-tables2's name for the page size
    # The API viewset of the same list: the page's CSV and XLSX are its export (the same
    # declared columns, rows, bytes and file name, cooperation.exports) of the rows the
    # page's filters and sort select; ``?_export=datapackage`` describes that CSV.
    export_viewset = None
    DATAPACKAGE = "datapackage"

    def get(self, request, *args, **kwargs):
        if self.export_viewset is not None and (
            request.GET.get(self.export_trigger_param) == self.DATAPACKAGE
        ):
            return self.datapackage_response()
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

    def paginate_queryset(self, queryset, page_size):
        """ListView's own paging, which the templates do not use: the table pages the rows
        (``get_table``). Left on, it counted the filtered rows a second time (170-200 ms
        of the register's 700 at 500,000 agreements, issue 18)."""
        return None, None, queryset, False

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
        if self.export_viewset is not None:
            return export_filename(self.export_viewset.export_list_name(), export_format)
        model = self.filterset_class._meta.model._meta.model_name
        return f"unibridge-{model}-{timezone.localdate():%Y-%m-%d}.{export_format}"

    def create_export(self, export_format: str):
        if self.export_viewset is not None:
            viewset = self.api_viewset()
            try:
                return viewset.export(self.export_queryset(viewset), export_format)
            except ExportTooLarge as error:
                # Back to the list with its filters, which says why (cooperation.exports),
                # with a link to the CSV of the same rows when that holds them all.
                query = self.request.GET.copy()
                if error.csv_holds_all:
                    query[self.export_trigger_param] = "csv"
                    messages.error(
                        self.request,
                        format_html(
                            '{} <a href="{}">{}</a>',
                            str(error),
                            f"{self.request.path}?{query.urlencode()}",
                            _("Export as CSV"),
                        ),
                    )
                else:
                    messages.error(self.request, str(error))
                query.pop(self.export_trigger_param, None)
                return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}", status=303)
            except ExportInBackground as background:
                # Too long for a request: its page follows the worker writing it.
                return HttpResponseRedirect(background.job.get_absolute_url(), status=303)
        return super().create_export(export_format)  # django-tables2's, for a list without API

    def api_viewset(self):
        """The list's API viewset, reading as this page's reader."""
        viewset = self.export_viewset(
            action="list", action_map={"get": "list"}, format_kwarg=None, args=(), kwargs={}
        )
        viewset.request = viewset.initialize_request(self.request)
        viewset.headers = {}
        return viewset

    def export_queryset(self, viewset):
        """The API's rows (its visibility, annotations and prefetches) that this page's
        filters select, in the page's order: none when a filter is invalid."""
        queryset = viewset.get_queryset()
        filterset = self.filterset_class(self.request.GET, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            return queryset.none()
        queryset = filterset.qs
        table = self.get_table(**self.get_table_kwargs())
        rows = table.data.data
        # The sort the reader chose, as the field names the table sorted by (a count sort
        # becomes an expression in the page's query, which the export's must make itself);
        # else the page query's own order.
        order = (
            _sorted_by(table)
            or [term for term in rows.query.order_by if isinstance(term, str)]
            or list(rows.model._meta.ordering)
        )
        usable = [term for term in order if _orderable(queryset, term)]
        return queryset.order_by(*usable) if usable else queryset

    def datapackage_response(self) -> JsonResponse:
        """A Frictionless Data Package of this page's CSV export (its filters kept)."""
        query = self.request.GET.copy()
        query[self.export_trigger_param] = "csv"
        path = self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")
        viewset = self.api_viewset()
        columnset = viewset.get_export_columnset()
        package = datapackage(
            f"unibridge-{columnset.name}", columnset.title, [columnset.resource(path)]
        )
        return JsonResponse(
            package, json_dumps_params={"ensure_ascii": False, "indent": 2}, charset="utf-8"
        )

    def get_table_pagination(self, table):
        if self.request.GET.get(self.export_trigger_param):
            return False  # an export carries every filtered row, not one page
        return super().get_table_pagination(table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop(self.export_trigger_param, None)
        export_links = [
            (fmt.upper(), f"?{query.urlencode()}&{self.export_trigger_param}={fmt}")
            for fmt in self.export_formats
        ]
        if self.export_viewset is not None:
            export_links.append(
                (
                    _("Data package"),
                    f"?{query.urlencode()}&{self.export_trigger_param}={self.DATAPACKAGE}",
                )
            )
        context.update(
            title=self.get_title(),
            description=self.description,
            empty_message=self.empty_message,
            export_links=export_links,
            breadcrumbs=[(None, self.get_title())],
            has_filters=any(value for key, value in query.items() if key != "sort"),
            # Above the results, and on paper: what the rows are filtered by.
            filter_chips=filter_chips(self.filterset.form, self.request.GET),
            clear_filters_url=clear_all_url(self.request.GET),
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
                "mobility": {
                    **data["mobility"],
                    "datasets": coloured(data["mobility"].get("datasets", [])),
                },
                "colour": PALETTE[0],
                "labels": {
                    "agreements": str(_("Agreements signed")),
                    "people": pgettext("chart axis: number of people", "People"),
                },
            },
        )
        return context


class SourceListView(FilteredListView):
    export_viewset = SourceViewSet
    queryset = Source.objects.all()
    filterset_class = SourceFilterSet
    table_class = SourceTable
    title = _("Sources")
    description = _(
        "Where each fact of the register was stated. Disagreeing sources are both kept."
    )


class StatedFigureListView(FilteredListView):
    """Official aggregates as the sources state them, with the register's filters, table
    and exports (the API's stated figures)."""

    queryset = StatedFigure.objects.prefetch_related("sources", "events").order_by(
        "-stated_on", "metric", "pk"
    )
    filterset_class = StatedFigureFilterSet
    table_class = StatedFigureTable
    export_viewset = StatedFigureViewSet
    title = _("Stated figures")
    description = _(
        "Official aggregates as their sources state them (“more than 70 universities…”), "
        "kept beside what the register itself counts; two sources that disagree are two rows."
    )


def datapackage_view(request):
    """``/datapackage.json``: a Frictionless Data Package of every list's CSV export (the
    API's ``?format=csv``; a filtered export has the same columns), from each list's
    declared columns (cooperation.exports)."""
    from .api_urls import router  # the URLs import every app's viewsets

    resources = []
    for _prefix, viewset_class, basename in router.registry:
        if "list" not in getattr(viewset_class, "export_actions", ()):
            continue
        viewset = viewset_class(
            action="list", action_map={"get": "list"}, format_kwarg=None, args=(), kwargs={}
        )
        viewset.request = viewset.initialize_request(request)
        viewset.headers = {}
        columnset = viewset.get_export_columnset()
        path = request.build_absolute_uri(f"{reverse(f'api:{basename}-list')}?format=csv")
        resources.append(columnset.resource(path))
    package = datapackage(
        "unibridge",
        _("UniBridge register"),
        resources,
        description=_(
            "Every list of the register as CSV (UTF-8 with a byte order mark): the columns "
            "are the API's JSON keys; a list is one cell holding a JSON array."
        ),
    )
    return JsonResponse(
        package, json_dumps_params={"ensure_ascii": False, "indent": 2}, charset="utf-8"
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


class SearchPageView(TemplateView):
    """Every kind of record matching ``q``, grouped by kind (cooperation.search_everywhere), each
    group linking to its list with the same search."""

    template_name = "cooperation/search.html"

    def get_context_data(self, **kwargs):
        from .search_everywhere import QUERY_MAX_LENGTH, search_everything

        context = super().get_context_data(**kwargs)
        query = " ".join(self.request.GET.get("q", "").split())
        too_long = len(query) > QUERY_MAX_LENGTH
        groups = [] if too_long else search_everything(query, request=self.request)
        context.update(
            title=_("Search"),
            query=query,
            too_long=too_long,
            query_max_length=QUERY_MAX_LENGTH,
            groups=groups,
        )
        return context


class ExportJobView(TemplateView):
    """An export being prepared in the background (cooperation.export_jobs): how far it
    has got, then its file; static/js/export-job.js follows it without reloading."""

    template_name = "cooperation/export_job.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = get_object_or_404(ExportJob.objects.readable_by(self.request.user), pk=kwargs["pk"])
        back = None
        if not job.path.startswith("/api/"):
            query = QueryDict(job.query, mutable=True)
            query.pop(FilteredListView.export_trigger_param, None)
            back = f"{job.path}?{query.urlencode()}" if query else job.path
        context.update(
            job=job,
            back=back,
            title=_("Export: %(file)s") % {"file": job.filename},
            stalled=job.stalled,
        )
        return context


def export_job_file(request, pk):
    """The finished file of an export job its reader may read; 404 otherwise."""
    job = get_object_or_404(
        ExportJob.objects.readable_by(request.user), pk=pk, status=ExportJobStatus.DONE
    )
    return export_jobs.file_response(job)
