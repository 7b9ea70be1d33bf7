"""API viewsets of scholarship programmes and mobility figures, and the mobility totals."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from cooperation.api import Column, ModelViewSet, group_by_parameter, parse_group_by
from cooperation.viewsets import ShownAgreementViewSetMixin

from .columns import MOBILITY_FIGURES
from .filtersets import MobilityFigureFilterSet, ScholarshipProgrammeFilterSet
from .models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme
from .selectors import TOTAL_DIMENSIONS, TotalsTooLarge, breakdowns_picked, mobility_totals
from .serializers import (
    MobilityFigureSerializer,
    MobilityTotalsSerializer,
    ScholarshipProgrammeSerializer,
)

TOTALS_DEFAULT = ("year", "origin", "destination")
TOTALS_DESCRIPTIONS = {
    "year": _("Year (of a stock's date; of a flow's academic year, its first)"),
    "origin": _("Origin country: where the people come from"),
    "destination": _("Destination country: where they study or work"),
    "mobility_type": _("Mobility type (UNESCO UIS / OECD / Eurostat)"),
    "level": _("ISCED 2011 level"),
    "field": _("ISCED-F 2013 field code"),
    "sex": _("Sex"),
    "measure": _("stock (people present on a date) or flow (people who moved in a year)"),
    "value": _("Sum of the figures counted (empty when none could be counted)"),
    "qualifier": _("How the sum relates to the true number: exact, more_than, at_least, about…"),
    "text": _("The number as a reader should see it: “more than 1000”"),
    "approximate": _("True when the sum is not exact (its qualifier is not “exact”)"),
    "as_of": _("For stocks: the date they were counted on (stocks of other dates are left out)"),
    "figures": _("Number of figures counted"),
    "sources": _("Number of sources they came from"),
    "alternatives": _("Figures left out: another source's statement of the same number"),
    "earlier": _("Stocks left out: counted on an earlier date than as_of"),
    "breakdowns": _("Figures left out: a level, sex, field or institution breakdown"),
}
TOTALS_COLUMNS = (
    "value",
    "qualifier",
    "text",
    "approximate",
    "as_of",
    "figures",
    "sources",
    "alternatives",
    "earlier",
    "breakdowns",
)


class ScholarshipProgrammeViewSet(ShownAgreementViewSetMixin, ModelViewSet):
    """Named and governmental scholarship programmes with their places per year and level.

    Send `allocations` to replace the list (items with an `id` are kept and updated);
    leave it out to keep them as they are.
    """

    queryset = ScholarshipProgramme.objects.select_related(
        "funder_institution", "host_institution"
    ).prefetch_related(
        Prefetch("allocations", queryset=ScholarshipAllocation.objects.order_by("-year", "level")),
        "sources",
    )
    serializer_class = ScholarshipProgrammeSerializer
    filterset_class = ScholarshipProgrammeFilterSet
    ordering_fields = (
        "id",
        "name",
        "kind",
        "funder_country",
        "host_country",
        "created_at",
        "updated_at",
    )


class MobilityFigureViewSet(ShownAgreementViewSetMixin, ModelViewSet):
    """Counts of people who moved from one country to another, as a source stated them.

    Definitions follow UNESCO UIS / OECD / Eurostat: the origin is where people come from,
    the destination where they study or work; degree mobility (a whole programme abroad) is
    kept apart from credit mobility (a period abroad); a stock counts the people present on
    a date, a flow those who moved during an academic year.
    """

    queryset = MobilityFigure.objects.with_related()
    serializer_class = MobilityFigureSerializer
    filterset_class = MobilityFigureFilterSet
    ordering_fields = (
        "id",
        "year",
        "origin_country",
        "destination_country",
        "mobility_type",
        "level",
        "value",
        "created_at",
        "updated_at",
    )
    export_actions = ("list", "totals")
    action_query_params = {"totals": ("group_by",)}
    # Declared once (mobility.columns); the CSV of all 2 million figures is written by
    # PostgreSQL from the columns' sql (bench/RESULTS.md, scenario 3).
    export_columnset = MOBILITY_FIGURES

    @extend_schema(
        summary=_("Mobility totals"),
        description=_(
            "The figures that match the filters, summed per combination of the dimensions in "
            "group_by and per measure: stocks and flows are never added together; stocks "
            "only at one date (the latest, as_of; earlier counts are left out); a level, "
            "sex, field or institution breakdown is never added to its total nor to other "
            "breakdowns unless it is grouped by (or the filters pick some of its values); "
            "where several sources give the same number, the one published last counts and "
            "the others are left out as alternatives; the qualifier travels with the sum (a "
            "sum with a “more than” in it is “at least”). The explorer's pivot and the "
            "dashboard's chart show the same totals."
        ),
        parameters=[
            group_by_parameter(tuple(TOTAL_DIMENSIONS), TOTALS_DEFAULT),
            OpenApiParameter("ordering", exclude=True),
            OpenApiParameter("page", exclude=True),
            OpenApiParameter("page_size", exclude=True),
        ],
        responses=MobilityTotalsSerializer,
        filters=True,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def totals(self, request, *args, **kwargs):
        group_by = parse_group_by(
            request.query_params.getlist("group_by"),
            allowed=tuple(TOTAL_DIMENSIONS),
            default=TOTALS_DEFAULT,
        )
        filterset = self.bound_filterset()
        try:
            rows = mobility_totals(
                figures=filterset.qs,
                group_by=group_by,
                picked=breakdowns_picked(filterset.form.cleaned_data),
            )
        except TotalsTooLarge as error:
            raise ValidationError({"group_by": [str(error)]}) from error
        names = [*dict.fromkeys([*group_by, "measure"]), *TOTALS_COLUMNS]
        columns = [
            Column(name, str(TOTALS_DESCRIPTIONS[name]), "date" if name == "as_of" else "text")
            for name in names
        ]
        return self.aggregate_response(
            {"group_by": group_by, "results": rows}, rows=rows, columns=columns
        )
