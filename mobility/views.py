from collections import defaultdict

import tablib
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.cells import safe_dataset
from cooperation.choices import IscedLevel, Qualifier
from cooperation.views import FilteredListView

from .choices import Measure, MobilityType, Sex
from .filtersets import MobilityFigureFilterSet, ScholarshipProgrammeFilterSet
from .models import MobilityFigure, ScholarshipProgramme
from .tables import MobilityFigureTable, ScholarshipProgrammeTable

PIVOTS = {
    "direction": (_("Direction"), ("origin_country", "destination_country")),
    "mobility_type": (_("Mobility type"), ("mobility_type",)),
    "level": (_("Level"), ("level",)),
    "measure": (_("Measure"), ("measure",)),
    "sex": (_("Sex"), ("sex",)),
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pivot = self.request.GET.get("pivot", "direction")
        if pivot not in PIVOTS:
            pivot = "direction"
        label, fields = PIVOTS[pivot]
        figures = self.object_list  # the filtered rows, or none when a filter is invalid
        rows = (
            figures.order_by().values("year", *fields).annotate(total=Sum("value"), n=Count("pk"))
        )
        columns: list[str] = []
        cells: dict[int, dict[str, int]] = defaultdict(dict)
        for row in rows:
            if pivot == "direction":
                column = f"{row['origin_country']} → {row['destination_country']}"
            else:
                field = MobilityFigure._meta.get_field(fields[0])
                column = str(dict(field.choices).get(row[fields[0]], row[fields[0]]))
            if column not in columns:
                columns.append(column)
            cells[row["year"]][column] = cells[row["year"]].get(column, 0) + row["total"]
        columns.sort()
        years = sorted(cells)
        context.update(
            pivot=pivot,
            pivot_label=label,
            pivot_choices=[(key, value[0]) for key, value in PIVOTS.items()],
            pivot_columns=columns,
            pivot_rows=[(year, [cells[year].get(column) for column in columns]) for year in years],
            chart_data={
                "labels": years,
                "datasets": [
                    {"label": column, "data": [cells[year].get(column) for year in years]}
                    for column in columns
                ],
                "yLabel": gettext("People"),
            },
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
