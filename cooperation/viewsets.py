"""API viewsets of sources and stated figures, and a mixin of other apps' viewsets (the
shared API pieces are in `api.py`)."""

from agreements.visibility import shown_agreement_annotations

from .api import ModelViewSet
from .filtersets import SourceFilterSet, StatedFigureFilterSet
from .models import Source, StatedFigure
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
