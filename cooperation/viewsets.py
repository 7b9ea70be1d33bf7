"""API viewsets of sources and stated figures, and a mixin of other apps' viewsets (the
shared API pieces are in `api.py`)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements.visibility import shown_agreement_annotations

from . import export_jobs
from .api import XLSX_MEDIA_TYPE, ExportJobSerializer, ModelViewSet
from .filtersets import SourceFilterSet, StatedFigureFilterSet
from .models import ExportJob, ExportJobStatus, Source, StatedFigure
from .serializers import SourceSerializer, StatedFigureSerializer


class ShownAgreementViewSetMixin:
    """Rows read for a representation carry ``<field>_shown`` for each field of
    ``shown_agreement_fields``: the linked agreement's id when the reader may see it
    (``agreements.visibility.shown_agreement_id``), read by the serializers'
    ShownAgreementMixin and by SQL-written CSV columns, so no row costs a query."""

    shown_agreement_fields: tuple[str, ...] = ("agreement",)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            return queryset.annotate(
                **shown_agreement_annotations(self.request.user, self.shown_agreement_fields)
            )
        return queryset


class SourceViewSet(ModelViewSet):
    """Publications that stated a fact: news articles, ministry pages, reports."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ("id", "title", "publisher", "published_on", "created_at", "updated_at")


class StatedFigureViewSet(ModelViewSet):
    """Official aggregates as a source stated them ("more than 70 universities ..."), kept
    beside what the register itself counts; two sources that disagree are two rows."""

    queryset = StatedFigure.objects.prefetch_related("sources", "events")
    serializer_class = StatedFigureSerializer
    filterset_class = StatedFigureFilterSet
    ordering_fields = (
        "id",
        "metric",
        "value",
        "country",
        "stated_on",
        "reference_year",
        "created_at",
        "updated_at",
    )


class ExportJobViewSet(viewsets.GenericViewSet):
    """Exports being prepared in the background: a list's ``?format=csv`` (or ``xlsx``)
    past what a request writes in time answers ``202 Accepted`` with one of these; follow
    ``url`` until ``status`` is ``done``, then download ``file_url``. A job is readable by
    whoever asked it (a job asked without signing in, by anyone) and kept
    ``UNIBRIDGE_EXPORT_KEEP_HOURS``."""

    serializer_class = ExportJobSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return ExportJob.objects.readable_by(self.request.user).select_related("user")

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
            409: OpenApiTypes.OBJECT,
        },
        description="The finished file (409 while it is being prepared or after it failed).",
    )
    @action(detail=True, url_path="file", url_name="file")
    def file(self, request, *args, **kwargs):
        job = self.get_object()
        if job.status != ExportJobStatus.DONE:
            return Response(
                {
                    "detail": _("The file is not ready: the export is %(status)s.")
                    % {"status": job.get_status_display()}
                },
                status=status.HTTP_409_CONFLICT,
            )
        return export_jobs.file_response(job)
