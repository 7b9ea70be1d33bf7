"""API viewsets of sources and stated figures (the shared API pieces are in `api.py`)."""

from .api import ModelViewSet
from .filtersets import SourceFilterSet, StatedFigureFilterSet
from .models import Source, StatedFigure
from .serializers import SourceSerializer, StatedFigureSerializer


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
