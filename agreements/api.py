"""API viewset of the agreement register, and its statistics."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from cooperation.api import Column, ModelViewSet, group_by_parameter, parse_group_by

from .filtersets import AgreementFilterSet
from .models import Agreement, CooperationCondition
from .selectors import STATS_DIMENSIONS, agreements_stats
from .serializers import AgreementSerializer, AgreementStatsSerializer

STATS_DEFAULT = ("year",)
STATS_DESCRIPTIONS = {
    "year": _("Year signed (empty when the date is unknown)"),
    "status": _("Status"),
    "kind": _("Kind"),
    "level": _("Level"),
    "country_pair": _("The parties' countries, sorted and joined with a hyphen"),
    "count": _("Agreements"),
}


class AgreementViewSet(ModelViewSet):
    """Agreements, memoranda and protocols, with their parties and mobility conditions.

    Parties and conditions are written with the agreement: send `parties` (or
    `conditions`) to replace the list, where an item with an `id` updates that item and
    one without adds a new one; leave the field out to keep the list as it is. Areas of
    cooperation and the subject areas of a condition are written by code.
    """

    queryset = Agreement.objects.with_related().prefetch_related(
        Prefetch(
            "conditions", queryset=CooperationCondition.objects.prefetch_related("subject_areas")
        ),
        "sources",
    )
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    ordering_fields = (
        "id",
        "title",
        "reference_code",
        "kind",
        "level",
        "status",
        "signed_on",
        "valid_from",
        "valid_until",
        "created_at",
        "updated_at",
    )
    export_actions = ("list", "stats")
    action_query_params = {"stats": ("group_by",)}
    export_columns = (
        "id",
        "reference_code",
        "title",
        "kind",
        "level",
        "status",
        "event",
        "event_title",
        "signed_on",
        "signed_precision",
        "valid_from",
        "valid_until",
        "areas",
        "parties.institution",
        "parties.institution_name",
        "parties.country",
        "parties.signatory_name",
        "parties.signed_on",
        "parent",
        "renews",
        "terminated_on",
        "termination_reason",
        "document",
        "description",
        "sources",
        "created_at",
        "updated_at",
    )

    @extend_schema(
        summary=_("Count agreements"),
        description=_(
            "Agreements that match the filters, counted per year signed, status, kind, level "
            "or country pair (any combination, in the order given)."
        ),
        parameters=[
            group_by_parameter(STATS_DIMENSIONS, STATS_DEFAULT),
            OpenApiParameter("ordering", exclude=True),
            OpenApiParameter("page", exclude=True),
            OpenApiParameter("page_size", exclude=True),
        ],
        responses=AgreementStatsSerializer,
        filters=True,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def stats(self, request, *args, **kwargs):
        group_by = parse_group_by(
            request.query_params.get("group_by"), allowed=STATS_DIMENSIONS, default=STATS_DEFAULT
        )
        agreements = self.bound_filterset().qs
        rows = agreements_stats(agreements=agreements, group_by=group_by)
        columns = [Column(name, str(STATS_DESCRIPTIONS[name])) for name in [*group_by, "count"]]
        payload = {"group_by": group_by, "total": agreements.count(), "results": rows}
        return self.aggregate_response(payload, rows=rows, columns=columns)
