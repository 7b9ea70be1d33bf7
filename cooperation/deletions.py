"""``GET /api/deletions/``: the records deleted from the register, for a mirror that syncs
what changed (``?updated_after=`` on each list gives the rest). Read from the history
(django-simple-history keeps a last row, ``history_type`` ``-``, for each deleted record).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView

from agreements.models import Agreement
from agreements.visibility import reads_all_agreements

from .api_defaults import PageNumberPagination, parse_instant


class DeletionSerializer(serializers.Serializer):
    type = serializers.CharField(
        help_text=_("The resource, named as in its address: agreements, institutions, ...")
    )
    id = serializers.IntegerField(help_text=_("The deleted record's id."))
    deleted_at = serializers.DateTimeField()


class DeletionsView(GenericAPIView):
    """Records deleted after ``deleted_after`` (all of them without it), oldest first:
    the resource's name (as in its address), the id and when. An agreement the reader may
    not see is left out, as it was from the lists."""

    serializer_class = DeletionSerializer
    pagination_class = PageNumberPagination
    filter_backends = ()
    # resource name -> model, set by api_urls from the router.
    resources: dict[str, type[Model]] = {}

    def get_queryset(self):  # for the permission class and the schema
        return Agreement.objects.none()

    @extend_schema(
        summary=_("Deleted records"),
        parameters=[
            OpenApiParameter(
                "deleted_after",
                {"type": "string", "format": "date-time"},
                description=_("Only records deleted after this instant (ISO 8601)."),
            ),
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string"}},
                description=_(
                    "Only these resources, named as in their addresses (agreements, "
                    "institutions, ...); repeat the parameter for several."
                ),
                explode=True,
            ),
        ],
        responses=DeletionSerializer(many=True),
        tags=["deletions"],
    )
    def get(self, request, *args, **kwargs):
        known = {"deleted_after", "type", "page", "page_size", "format"}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("Unknown query parameter.")] for name in unknown}
            )
        types = request.query_params.getlist("type") or sorted(self.resources)
        bad = [name for name in types if name not in self.resources]
        if bad:
            raise exceptions.ValidationError(
                {
                    "type": [
                        _("Unknown resource %(bad)s; choose among %(known)s.")
                        % {"bad": ", ".join(bad), "known": ", ".join(sorted(self.resources))}
                    ]
                }
            )
        raw = request.query_params.get("deleted_after")
        after = parse_instant("deleted_after", raw) if raw is not None else None
        rows: list[dict[str, Any]] = []
        for name in types:
            model = self.resources[name]
            history = model.history.filter(history_type="-")
            if after is not None:
                history = history.filter(history_date__gt=after)
            if model is Agreement and not reads_all_agreements(request.user):
                history = history.filter(is_public=True)
            for pk, when in history.values_list("id", "history_date"):
                rows.append({"type": name, "id": pk, "deleted_at": when})
        rows.sort(key=lambda row: (row["deleted_at"], row["type"], row["id"]))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeletionSerializer(page, many=True).data)
