import dataclasses
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.api import export_response
from cooperation.charts import coloured
from cooperation.choices import IscedLevel
from cooperation.exports import datapackage
from cooperation.views import FilteredListView

from .api import MobilityFigureViewSet, ScholarshipProgrammeViewSet
from .choices import Measure, MobilityType, Sex
from .columns import MOBILITY_FIGURES, PIVOT_CELLS
from .filtersets import MobilityFigureFilterSet, ScholarshipProgrammeFilterSet
from .models import MobilityFigure, ScholarshipProgramme
from .selectors import (
    FigureInTotal,
    TotalsTooLarge,
    breakdowns_picked,
    mobility_total_details,
    mobility_totals,
)
from .tables import MobilityFigureTable, ScholarshipProgrammeTable

# Pivot -> (its label, the totals' dimensions that make its columns).
PIVOTS = {
    "direction": (_("Direction"), ("origin", "destination")),
    "mobility_type": (_("Mobility type"), ("mobility_type",)),
    "level": (_("Level"), ("level",)),
    "measure": (_("Measure"), ("measure",)),
    "sex": (_("Sex"), ("sex",)),
}
CHOICES = {"mobility_type": MobilityType, "level": IscedLevel, "sex": Sex, "measure": Measure}
# A pivot of every country pair would be thousands of columns wide: the ones with the most
# figures are shown, and the page says how many others the filters would bring in.
MAX_PIVOT_COLUMNS = 30
PIVOT_EXPORTS = {"pivot-csv": "csv", "pivot-xlsx": "xlsx", "pivot-datapackage": "datapackage"}
LEFT_OUT_REASONS = {
    "alternative": _(
        "another source states the same number; the one published last is used, never both"
    ),
    "earlier": _("counted on an earlier date: stocks are added up only at the same date"),
    "breakdown": _(
        "a breakdown (level, sex, field or institution) of a total: never added to it or to "
        "other breakdowns unless the pivot's columns are that dimension"
    ),
}


@dataclasses.dataclass
class PivotCell:
    """One number of the pivot: a total of ``mobility_totals`` and the figures behind it."""

    total: dict[str, Any]
    anchor: str
    figures: list[FigureInTotal]

    @property
    def used(self) -> list[FigureInTotal]:
        return [figure for figure in self.figures if figure.status == "used"]

    @property
    def left_out(self) -> list[tuple[FigureInTotal, str]]:
        return [
            (figure, LEFT_OUT_REASONS[figure.status])
            for figure in self.figures
            if figure.status != "used"
        ]

    @property
    def left_out_count(self) -> int:
        return sum(self.total[name] for name in ("alternatives", "earlier", "breakdowns"))

    @property
    def summary(self) -> str:
        """The cell's title: what it used and what it left out."""
        parts = [
            gettext("%(n)s figure(s) used") % {"n": self.total["figures"]},
        ]
        for name, label in (
            ("earlier", gettext("earlier count(s) left out")),
            ("alternatives", gettext("alternative(s) from other sources left out")),
            ("breakdowns", gettext("breakdown(s) left out")),
        ):
            if self.total[name]:
                parts.append(f"{self.total[name]} {label}")
        return "; ".join(parts)


@dataclasses.dataclass
class Pivot:
    label: str
    columns: list[str]
    rows: list[tuple[int, str, list[PivotCell | None]]]  # year, measure label, cells
    cells: list[tuple[int, str, str, PivotCell]]  # year, measure label, column, cell
    hidden_columns: int
    totals: list[dict[str, Any]]
    by_measure: bool  # the measure is the row's (False when it is the pivot's columns)
    column_keys: dict[str, str] = dataclasses.field(default_factory=dict)  # label -> codes
    columns_are_directions: bool = False


def _column_key(pivot: str, total: dict[str, Any]) -> str:
    if pivot == "direction":
        return f"{total['origin']}-{total['destination']}"
    return str(total[pivot])


def _column_label(pivot: str, total: dict[str, Any]) -> str:
    if pivot == "direction":
        return f"{total['origin']} → {total['destination']}"
    value = total[pivot]
    return str(CHOICES[pivot](value).label) if value in CHOICES[pivot].values else str(value)


def mobility_pivot(figures: QuerySet, *, pivot: str, picked: dict[str, list[Any]]) -> Pivot:
    """The explorer's pivot: ``mobility_totals`` per year (and measure) and pivot column,
    each cell with the figures it used and left out (``mobility_total_details``)."""
    label, dimensions = PIVOTS[pivot]
    group_by = ["year", *dimensions]
    totals = mobility_totals(figures=figures, group_by=group_by, picked=picked)
    weight: dict[str, int] = {}
    keys: dict[str, str] = {}
    for total in totals:
        column = _column_label(pivot, total)
        keys[column] = _column_key(pivot, total)
        weight[column] = weight.get(column, 0) + total["figures"] + total["breakdowns"]
    shown = sorted(sorted(weight, key=lambda column: -weight[column])[:MAX_PIVOT_COLUMNS])
    details = (
        mobility_total_details(figures=figures, group_by=group_by, picked=picked) if totals else {}
    )
    by_measure = pivot != "measure"
    measure_labels = dict(Measure.choices)
    grid: dict[tuple[int, str], dict[str, PivotCell]] = {}
    placed = []
    for total in totals:
        column = _column_label(pivot, total)
        if column not in shown:
            continue
        key = (*(total[name] for name in group_by if name != "measure"), total["measure"])
        measure = str(measure_labels[total["measure"]]) if by_measure else ""
        cell = PivotCell(
            total=total, anchor=f"cell-{len(placed) + 1}", figures=details.get(key, [])
        )
        grid.setdefault((total["year"], measure), {})[column] = cell
        placed.append((total["year"], measure, column, cell))
    rows = [
        (year, measure, [grid[(year, measure)].get(column) for column in shown])
        for year, measure in sorted(grid)
    ]
    return Pivot(
        label=str(label),
        columns=shown,
        rows=rows,
        cells=placed,
        hidden_columns=len(weight) - len(shown),
        totals=totals,
        by_measure=by_measure,
        column_keys={column: keys[column] for column in shown},
        columns_are_directions=pivot == "direction",
    )


def pivot_grid(pivot: Pivot) -> list[list[Any]]:
    """The pivot table laid out as the explorer shows it: headers, then one row per year
    (and measure), each cell's number as shown with its date and what was left out."""
    header = [gettext("Year"), *([gettext("Measure")] if pivot.by_measure else [])]
    grid: list[list[Any]] = [[*header, *pivot.columns]]
    for year, measure, cells in pivot.rows:
        texts = []
        for cell in cells:
            if cell is None:
                texts.append("—")
                continue
            lines = [cell.total["text"]]
            if cell.total["as_of"]:
                lines.append(gettext("on %(date)s") % {"date": f"{cell.total['as_of']:%Y-%m-%d}"})
            if cell.left_out_count:
                lines.append(
                    ngettext("%(counter)s left out", "%(counter)s left out", cell.left_out_count)
                    % {"counter": cell.left_out_count}
                )
            texts.append("\n".join(lines))
        grid.append([year, *([measure] if pivot.by_measure else []), *texts])
    return grid


def pivot_chart(pivot: Pivot) -> dict[str, Any]:
    """The pivot as chart series: one per column (and measure), one point per year; a
    direction's series in the direction's colour (``cooperation.charts``)."""
    years = sorted({year for year, _measure, _cells in pivot.rows})
    series: dict[str, dict[int, dict[str, Any]]] = {}
    directions: dict[str, list[str]] = {}
    measures: dict[str, str] = {}
    for year, measure, column, cell in pivot.cells:
        name = f"{column} ({measure})" if measure else column
        series.setdefault(name, {})[year] = cell.total
        measures[name] = cell.total["measure"]
        if pivot.columns_are_directions:
            directions[name] = pivot.column_keys[column].split("-")
    return {
        "labels": years,
        "datasets": coloured(
            [
                {
                    "label": name,
                    "direction": directions.get(name),
                    "measure": measures[name],
                    "data": [points[year]["value"] if year in points else None for year in years],
                    "text": [points[year]["text"] if year in points else None for year in years],
                }
                for name, points in sorted(series.items())
            ]
        ),
        "yLabel": pgettext("chart axis: number of people", "People"),
    }


def definitions() -> list[tuple[str, str, str]]:
    """What each column and code of the mobility export means (UNESCO UIS / OECD /
    Eurostat), from the export's declaration (mobility.columns)."""
    rows: list[tuple[str, str, str]] = []
    for column in MOBILITY_FIGURES.columns:
        rows.append((column.key, "", column.description))
        rows += [(column.key, code, label) for code, label in column.code_labels()]
    rows.append(
        (
            "",
            "",
            gettext(
                "Degree mobility: enrolled abroad for a whole programme. Credit mobility: a "
                "period abroad within a programme at home. Inbound and outbound are seen from "
                "the destination and the origin. Figures from different sources are kept "
                "apart and may overlap: do not add them up across sources."
            ),
        )
    )
    return rows


class MobilityExplorerView(FilteredListView):
    export_viewset = MobilityFigureViewSet
    queryset = MobilityFigure.objects.with_related()
    filterset_class = MobilityFigureFilterSet
    table_class = MobilityFigureTable
    template_name = "mobility/explorer.html"
    import_kind = "mobility"  # the import page is offered to those who may import
    title = _("Mobility explorer")
    description = _(
        "Counts of students and staff who moved between countries, each as its source "
        "stated it. Filter, pivot, chart and export exactly what you see."
    )

    def get_pivot(self) -> Pivot:
        pivot = self.request.GET.get("pivot", "direction")
        if pivot not in PIVOTS:
            pivot = "direction"
        filterset = self.filterset
        valid = filterset.is_valid()
        return mobility_pivot(
            self.object_list,  # the filtered rows, or none when a filter is invalid
            pivot=pivot,
            picked=breakdowns_picked(filterset.form.cleaned_data) if valid else {},
        )

    def render_to_response(self, context, **kwargs):
        export_format = PIVOT_EXPORTS.get(self.request.GET.get(self.export_trigger_param, ""))
        if export_format and context.get("pivot_table"):
            return self.pivot_export(context["pivot_table"], export_format)
        return super().render_to_response(context, **kwargs)

    def pivot_export(self, pivot: Pivot, export_format: str):
        """The pivot exactly as shown: one row per number, in the screen's order, with its
        qualifier, date and what was left out (mobility.columns.PIVOT_CELLS); the XLSX also
        holds the table laid out as on the screen. ``pivot-datapackage`` describes the CSV."""
        if export_format == "datapackage":
            query = self.request.GET.copy()
            query[self.export_trigger_param] = "pivot-csv"
            path = self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")
            package = datapackage(
                f"unibridge-{PIVOT_CELLS.name}", PIVOT_CELLS.title, [PIVOT_CELLS.resource(path)]
            )
            return JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})
        rows = [
            {
                "year": year,
                "measure": cell.total["measure"],
                "column": column,
                "column_key": pivot.column_keys[column],
                "text": cell.total["text"],
                "value": cell.total["value"],
                "qualifier": cell.total["qualifier"],
                "as_of": cell.total["as_of"],
                "left_out": cell.left_out_count,
                "figures": cell.total["figures"],
                "sources": cell.total["sources"],
                "figures_used": [figure.pk for figure in cell.used],
                "alternatives": cell.total["alternatives"],
                "earlier": cell.total["earlier"],
                "breakdowns": cell.total["breakdowns"],
            }
            for year, _measure, cells in pivot.rows
            for column, cell in zip(pivot.columns, cells, strict=True)
            if cell is not None
        ]
        return export_response(
            export_format,
            columns=PIVOT_CELLS.columns,
            rows=rows,
            basename=PIVOT_CELLS.name,
            first_sheets=[(gettext("table"), pivot_grid(pivot))],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            return context  # an export of the figures: no pivot to compute
        chosen = self.request.GET.get("pivot")
        chosen = chosen if chosen in PIVOTS else "direction"
        context.update(
            pivot=chosen,
            pivot_label=PIVOTS[chosen][0],
            pivot_choices=[(key, value[0]) for key, value in PIVOTS.items()],
            definitions=definitions(),
        )
        try:
            pivot = self.get_pivot()
        except TotalsTooLarge as error:
            context.update(pivot_table=None, pivot_error=str(error))
            return context
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop(self.export_trigger_param, None)
        context.update(
            pivot_table=pivot,
            pivot_label=pivot.label,
            pivot_columns=pivot.columns,
            pivot_rows=pivot.rows,
            pivot_export_links=[
                (label, f"?{query.urlencode()}&{self.export_trigger_param}={fmt}")
                for label, fmt in (
                    ("CSV", "pivot-csv"),
                    ("XLSX", "pivot-xlsx"),
                    (gettext("Data package"), "pivot-datapackage"),
                )
            ],
            chart_data=pivot_chart(pivot),
        )
        return context


class ScholarshipListView(FilteredListView):
    export_viewset = ScholarshipProgrammeViewSet
    queryset = (
        ScholarshipProgramme.objects.select_related("host_institution")
        .annotate(
            offered=Sum("allocations__places_offered"), awarded=Sum("allocations__places_awarded")
        )
        .order_by("name")
    )
    filterset_class = ScholarshipProgrammeFilterSet
    table_class = ScholarshipProgrammeTable
    title = _("Scholarships")
    description = _(
        "Named and government scholarships, and intergovernmental quotas; places offered and "
        "awarded are totals over the years and levels recorded."
    )


class ScholarshipDetailView(TemplateView):
    template_name = "mobility/scholarship_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme = get_object_or_404(
            ScholarshipProgramme.objects.select_related(
                "host_institution", "funder_institution", "agreement"
            ).prefetch_related("allocations", "sources"),
            pk=self.kwargs["pk"],
        )
        agreement = programme.agreement
        if agreement is not None and not (
            type(agreement).objects.visible_to(self.request.user).filter(pk=agreement.pk).exists()
        ):
            agreement = None  # hidden from this reader: not even its title
        context.update(
            programme=programme,
            object=programme,
            agreement=agreement,
            breadcrumbs=[
                (reverse("mobility:scholarship_list"), _("Scholarships")),
                (None, programme.localized_name()),
            ],
        )
        return context
