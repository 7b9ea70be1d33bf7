"""API viewset of the institution directory."""

from cooperation.api import ModelViewSet
from cooperation.register_cache import cached_api_list

from .columns import INSTITUTIONS
from .filtersets import InstitutionFilterSet
from .models import Institution, InstitutionCount
from .serializers import InstitutionSerializer


class InstitutionViewSet(ModelViewSet):
    """Universities and other academic bodies, with every name they are known by.

    `q` finds an institution by any word of any of its names, labels, aliases or acronyms,
    typed in any script ("Атырау" and "Atyrau" alike). Names are written with the
    institution: send `names` to replace the list (items with an `id` are kept and
    updated), leave it out to keep the names as they are.
    """

    queryset = Institution.objects.prefetch_related("names", "sources")
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilterSet
    export_columnset = INSTITUTIONS  # universities.columns
    ordering_fields = (
        "id",
        "name",
        "kind",
        "country",
        "city",
        "status",
        "founded_year",
        "agreement_count",
        "partner_count",
        "created_at",
        "updated_at",
    )

    def get_queryset(self):
        # Counts of the agreements this reader may see (Agreement.objects.visible_to).
        return super().get_queryset().with_counts(reader=self.request.user)

    def export_rows_are_slow(self) -> bool:
        """A reader whose counts are not kept ready (a university editor's) has them counted
        live for every row: 41 s for the whole directory at size L."""
        return InstitutionCount.kept_class(self.request.user) is None

    # A page of 50 institutions with their counts (0.5-0.9 s at 25,000 institutions and
    # 500,000 agreements), kept per visibility class until the register changes
    # (cooperation.register_cache), as the agreements' list is (issue 18).
    @cached_api_list
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
