"""``GET /api/search/?q=``: the header's suggestions (cooperation.search_everywhere)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .search_everywhere import KINDS, QUERY_MAX_LENGTH, SUGGESTIONS, search_everything


class SearchResultSerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("The name or title shown."))
    detail = serializers.CharField(help_text=_("Place, parties, date: what tells it apart."))
    matched = serializers.CharField(
        help_text=_("For an institution: the name the search found, when another is shown.")
    )
    url = serializers.CharField(help_text=_("Its page."))


class SearchGroupSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=[kind.key for kind in KINDS])
    label = serializers.CharField()
    count = serializers.IntegerField(help_text=_("Matches, counted up to a limit."))
    more = serializers.BooleanField(help_text=_("true: there are more than count."))
    count_text = serializers.CharField()
    results = SearchResultSerializer(many=True)
    list_url = serializers.CharField(help_text=_("The list holding every match (empty: none)."))


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    groups = SearchGroupSerializer(many=True)


class SearchView(APIView):
    """Institutions, agreements, events, people, scholarships and sources matching ``q``,
    each by its own list's search rule, among what the reader may see."""

    permission_classes = (AllowAny,)

    @extend_schema(
        summary=_("Search everywhere"),
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description=_("Words in any script, e.g. “КазНУ”, “Farabi”, “forum 2026”."),
            ),
            OpenApiParameter("limit", int, description=_("Results per kind, 1 to 10 (default 3).")),
        ],
        responses=SearchResponseSerializer,
        tags=["search"],
    )
    def get(self, request, *args, **kwargs):
        unknown = sorted(set(request.query_params) - {"q", "limit", "format"})
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("Unknown query parameter.")] for name in unknown}
            )
        query = request.query_params.get("q", "").strip()
        if not query:
            raise exceptions.ValidationError({"q": [_("Type a few letters to search for.")]})
        if len(query) > QUERY_MAX_LENGTH:
            raise exceptions.ValidationError(
                {"q": [_("At most %(n)s characters.") % {"n": QUERY_MAX_LENGTH}]}
            )
        raw_limit = request.query_params.get("limit", str(SUGGESTIONS))
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 10:
            raise exceptions.ValidationError({"limit": [_("A whole number from 1 to 10.")]})
        groups = search_everything(query, request=request, per_kind=int(raw_limit))
        return Response({"query": query, "groups": groups})
