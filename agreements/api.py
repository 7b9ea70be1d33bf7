"""API viewset of the agreement register, and its statistics."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from cooperation import name_searches
from cooperation.api import Column, ModelViewSet, group_by_parameter, parse_group_by
from cooperation.import_api import (
    NamesBeingComparedSerializer,
    names_being_compared,
    refused_report,
)
from cooperation.problems import Conflict
from cooperation.register_cache import cached_api_list
from cooperation.versioning import representation_etag
from cooperation.viewsets import ShownAgreementViewSetMixin

from .columns import AGREEMENTS
from .documents import document_url_expression
from .filtersets import AgreementFilterSet
from .lifecycle import (
    agreement_renew,
    agreement_terminate,
    lifecycle_conflict,
    may_renew,
    may_terminate,
)
from .models import Agreement, CooperationCondition
from .selectors import STATS_DIMENSIONS, agreements_stats
from .serializers import (
    AgreementBulkResultSerializer,
    AgreementBulkSerializer,
    AgreementRenewSerializer,
    AgreementSerializer,
    AgreementStatsSerializer,
    AgreementTerminateSerializer,
)
from .services import agreements_bulk_create, written_names
from .visibility import may_enter_in_bulk

STATS_DEFAULT = ("year",)

STATS_DESCRIPTIONS = {
    "year": _("Year signed (empty when the date is unknown)"),
    "status": _("Status"),
    "kind": _("Kind"),
    "level": _("Level"),
    "country_pair": _("The parties' countries, sorted and joined with a hyphen"),
    "count": _("Agreements"),
}


class AgreementViewSet(ShownAgreementViewSetMixin, ModelViewSet):
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
    shown_agreement_fields = ("parent", "renews")
    if_match_actions = ("update", "partial_update", "destroy", "renew", "terminate")
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
    export_columnset = AGREEMENTS  # agreements.columns
    action_query_params = {"stats": ("group_by",)}

    def get_queryset(self):
        # Reading, counting, exporting and writing: only what the user may read.
        queryset = super().get_queryset().visible_to(self.request.user)
        if self.action in ("list", "retrieve"):
            # The document's address in SQL: the serializer and the CSV PostgreSQL writes.
            queryset = queryset.annotate(document_url=document_url_expression(self.request))
        return queryset

    # A page of 50 agreements with their parties and conditions, kept per visibility class
    # until the register changes (cooperation.register_cache).
    @cached_api_list
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

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
            request.query_params.getlist("group_by"),
            allowed=STATS_DIMENSIONS,
            default=STATS_DEFAULT,
        )
        agreements = self.bound_filterset().qs
        rows = agreements_stats(agreements=agreements, group_by=group_by)
        columns = [Column(name, str(STATS_DESCRIPTIONS[name])) for name in [*group_by, "count"]]
        payload = {"group_by": group_by, "total": agreements.count(), "results": rows}
        return self.aggregate_response(payload, rows=rows, columns=columns)

    @extend_schema(
        summary=_("Enter a signing session"),
        description=_(
            "Check many agreements at once and, when every row is valid, save them all in one "
            "transaction, linked to the event. Party names are matched to the register in any "
            "language and script; each row reports its matches (with scores), errors and "
            "duplicates. With `dry_run` nothing is saved. When a row is invalid or a party "
            "needs a choice, the 400 carries the same per-row report as the 200 (a malformed "
            "request gets the usual messages per field); nothing is saved then. Many names "
            "not written as the register records them answer 202 (with `Retry-After`) while "
            "they are compared in the background: send the same request again then. "
            "Needs the permission to add agreements."
        ),
        request=AgreementBulkSerializer,
        responses={
            201: AgreementBulkResultSerializer,
            200: AgreementBulkResultSerializer,
            202: NamesBeingComparedSerializer,
        },
    )
    @action(detail=False, methods=["post"], pagination_class=None, filterset_class=None)
    def bulk(self, request, *args, **kwargs):
        if not may_enter_in_bulk(request.user):
            # A university editor proposes drafts one by one (POST /api/agreements/).
            raise exceptions.PermissionDenied()
        serializer = AgreementBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        search = name_searches.searched(written_names(data["rows"]), user=request.user, retry=True)
        if search is not None:
            return names_being_compared(search)
        result = agreements_bulk_create(
            event=data.get("event"),
            rows=data["rows"],
            defaults=data.get("defaults") or {},
            user=request.user,
            dry_run=data["dry_run"],
        )
        report = AgreementBulkResultSerializer(result.as_dict()).data
        if not result.valid and not result.saved:
            return refused_report(request, report, pointer="/rows")
        code = status.HTTP_201_CREATED if result.saved else status.HTTP_200_OK
        return Response(report, status=code)

    # ------------------------------------------------------------------ renew, terminate

    def lifecycle_refusal(self, exc: DjangoValidationError) -> Response:
        """The service's refusal: 409 for the agreement's state or a concurrent edit (with a
        ``code``), else 400 with messages per field."""
        conflict = lifecycle_conflict(exc)
        if conflict is not None:
            raise Conflict(conflict.messages[0], code=conflict.code)
        raise exceptions.ValidationError(serializers.as_serializer_error(exc))

    def lifecycle_response(self, agreement: Agreement, code: int) -> Response:
        agreement = self.get_queryset().get(pk=agreement.pk)
        data = AgreementSerializer(agreement, context=self.get_serializer_context()).data
        response = Response(data, status=code)
        response["ETag"] = representation_etag(data)
        if code == status.HTTP_201_CREATED:
            response["Location"] = reverse(
                "api:agreement-detail", args=[agreement.pk], request=self.request
            )
        return response

    @extend_schema(
        summary=_("Renew an agreement"),
        description=_(
            "Create the agreement that renews this one: same kind, level, parties "
            "(institutions, without signatories), areas, parent and public flag; the "
            "cooperation conditions are copied with the academic years of the new validity. "
            "Refused with 409 when the agreement is a draft or terminated, or was saved since "
            "the `version` (or `If-Match`) given; with 400 when the dates are wrong or overlap "
            "another renewal. Needs the permissions to add and change agreements."
        ),
        request=AgreementRenewSerializer,
        responses={
            201: AgreementSerializer,
        },
    )
    @action(detail=True, methods=["post"], pagination_class=None, filterset_class=None)
    def renew(self, request, *args, **kwargs):
        agreement = self.get_object()
        if not may_renew(request.user, agreement):
            raise exceptions.PermissionDenied(_("You may not renew this agreement."))
        self.check_if_match(request, agreement)
        serializer = AgreementRenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            successor = agreement_renew(
                agreement,
                user=request.user,
                valid_from=data["valid_from"],
                valid_until=data.get("valid_until"),
                signed_on=data.get("signed_on"),
                title=data.get("title") or "",
                reference_code=data.get("reference_code") or "",
                status=data["status"],
                copy_conditions=data["copy_conditions"],
                expected_version=data.get("version"),
            )
        except DjangoValidationError as exc:
            return self.lifecycle_refusal(exc)
        return self.lifecycle_response(successor, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Terminate an agreement"),
        description=_(
            "Record that the agreement was terminated: its status becomes “terminated”, with "
            "the date and the reason. Refused with 409 when it is already terminated, is a "
            "draft, or was saved since the `version` (or `If-Match`) given; with 400 when the "
            "date is before the signing, after the end or in the future, or the reason is "
            "missing. Needs the permission to change agreements."
        ),
        request=AgreementTerminateSerializer,
        responses={
            200: AgreementSerializer,
        },
    )
    @action(detail=True, methods=["post"], pagination_class=None, filterset_class=None)
    def terminate(self, request, *args, **kwargs):
        agreement = self.get_object()
        if not may_terminate(request.user, agreement):
            raise exceptions.PermissionDenied(_("You may not terminate this agreement."))
        self.check_if_match(request, agreement)
        serializer = AgreementTerminateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            agreement = agreement_terminate(
                agreement,
                user=request.user,
                on=data["terminated_on"],
                reason=data["reason"],
                expected_version=data.get("version"),
            )
        except DjangoValidationError as exc:
            return self.lifecycle_refusal(exc)
        return self.lifecycle_response(agreement, status.HTTP_200_OK)
