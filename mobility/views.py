import dataclasses
from typing import Any

import tablib
from django.db.models import QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.api import Column, export_response
from cooperation.cells import safe_dataset
from cooperation.choices import IscedLevel, Qualifier
from cooperation.views import FilteredListView

from .choices import Measure, MobilityType, Sex
from .filtersets import MobilityFigureFilterSet, ScholarshipProgrammeFilterSet
from .models import MobilityFigure, ScholarshipProgramme
from .selectors import (
    FigureInTotal,
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
PIVOT_EXPORTS = {"pivot-csv": "csv", "pivot-xlsx": "xlsx"}
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
    for total in totals:
        column = _column_label(pivot, total)
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
    )


def pivot_chart(pivot: Pivot) -> dict[str, Any]:
    """The pivot as chart series: one per column (and measure), one point per year."""
    years = sorted({year for year, _measure, _cells in pivot.rows})
    series: dict[str, dict[int, dict[str, Any]]] = {}
    for year, measure, column, cell in pivot.cells:
        name = f"{column} ({measure})" if measure else column
        series.setdefault(name, {})[year] = cell.total
    return {
        "labels": years,
        "datasets": [
            {
                "label": name,
                "data": [points[year]["value"] if year in points else None for year in years],
                "text": [points[year]["text"] if year in points else None for year in years],
            }
            for name, points in sorted(series.items())
        ],
        "yLabel": pgettext("chart axis: number of people", "People"),
    }


def definitions() -> list[tuple[str, str, str]]:
    """What each column and code of the mobility export means (UNESCO UIS / OECD / Eurostat)."""
    rows = [
        ("origin", "", gettext("Country the people come from (ISO 3166-1 alpha-2).")),
        ("destination", "", gettext("Country where they study or work (ISO 3166-1 alpha-2).")),
        (
            "year",
            "",
            gettext(
                "For a stock, the year of its date; for a flow, the first year "
                "of the academic year."
            ),
        ),  # fmt: skip
        ("as of", "", gettext("The date a stock was counted, when stated.")),
        ("value", "", gettext("The number of people, as the source stated it.")),
        ("host institutions", "", gettext("How many host institutions, when stated.")),
        ("field", "", gettext("ISCED-F 2013 field of education and training.")),
    ]
    for column, choices in (
        ("type", MobilityType),
        ("level", IscedLevel),
        ("sex", Sex),
        ("measure", Measure),
        ("qualifier", Qualifier),
    ):
        rows += [(column, value, str(label)) for value, label in choices.choices]
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

    def create_export(self, export_format: str):
        if export_format != "xlsx":
            return super().create_export(export_format)
        table = self.get_table(**self.get_table_kwargs())
        exporter = self.export_class(export_format="csv", table=table)
        data = exporter.dataset
        data.title = gettext("figures")
        sheet = tablib.Dataset(*definitions(), headers=["column", "code", "meaning"])
        sheet.title = gettext("definitions")
        book = tablib.Databook([safe_dataset(data, "xlsx"), safe_dataset(sheet, "xlsx")])
        response = HttpResponse(
            book.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.get_export_filename(export_format)}"'
        )
        return response

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
        if export_format:
            return self.pivot_export(context["pivot_table"], export_format)
        return super().render_to_response(context, **kwargs)

    def pivot_export(self, pivot: Pivot, export_format: str):
        """The pivot as shown, one row per cell, with what each number is made of."""
        rows = [
            {
                "year": year,
                "column": column,
                "measure": cell.total["measure"],
                "as_of": cell.total["as_of"],
                "value": cell.total["value"],
                "qualifier": cell.total["qualifier"],
                "text": cell.total["text"],
                "figures": cell.total["figures"],
                "sources": cell.total["sources"],
                "figures_used": " ".join(str(figure.pk) for figure in cell.used),
                "alternatives": cell.total["alternatives"],
                "earlier": cell.total["earlier"],
                "breakdowns": cell.total["breakdowns"],
            }
            for year, _measure, column, cell in pivot.cells
        ]
        columns = [
            Column("year", gettext("Year")),
            Column("column", pivot.label),
            Column("measure", gettext("stock or flow: never added together")),
            Column("as_of", gettext("Stocks: the date counted; earlier ones left out"), "date"),
            Column("value", gettext("The total")),
            Column("qualifier", gettext("exact, more_than, at_least, about, ...")),
            Column("text", gettext("The total as shown")),
            Column("figures", gettext("Figures used")),
            Column("sources", gettext("Sources used")),
            Column("figures_used", gettext("Ids of the figures used (the first ones)")),
            Column("alternatives", gettext("Left out: the same number from another source")),
            Column("earlier", gettext("Left out: stocks counted on an earlier date")),
            Column("breakdowns", gettext("Left out: breakdowns of a total")),
        ]
        return export_response(
            export_format, columns=columns, rows=rows, basename="unibridge-mobility-pivot"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            return context  # an export of the figures: no pivot to compute
        pivot = self.get_pivot()
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop(self.export_trigger_param, None)
        context.update(
            pivot=self.request.GET.get("pivot")
            if self.request.GET.get("pivot") in PIVOTS
            else "direction",
            pivot_table=pivot,
            pivot_label=pivot.label,
            pivot_choices=[(key, value[0]) for key, value in PIVOTS.items()],
            pivot_columns=pivot.columns,
            pivot_rows=pivot.rows,
            pivot_export_links=[
                (label, f"?{query.urlencode()}&{self.export_trigger_param}={fmt}")
                for label, fmt in (("CSV", "pivot-csv"), ("XLSX", "pivot-xlsx"))
            ],
            chart_data=pivot_chart(pivot),
            definitions=definitions(),
        )
        return context


class ScholarshipListView(FilteredListView):
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
                (None, programme.name),
            ],
        )
        return context
