"""``POST /api/sources/extract/``: the proposals an article states, saved nowhere."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from . import extraction as ex
from .readers import MAX_TEXT_CHARS, IntakeRefused, check_text, read_upload
from .services import may_take_in, propose


class ExtractRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=gettext_lazy("The article's text (or send a file)."),
    )
    file = serializers.FileField(
        required=False, help_text=gettext_lazy("A .txt, .html, .docx or .pdf file, at most 5 MB.")
    )
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=200)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    published_on = serializers.DateField(required=False, allow_null=True)


class ProposalSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(ex.KINDS)
    sentence = serializers.CharField(help_text=gettext_lazy("The sentence it comes from."))
    start = serializers.IntegerField(help_text=gettext_lazy("Where the sentence starts."))
    end = serializers.IntegerField()
    confidence = serializers.FloatField(min_value=0, max_value=1)
    fields = serializers.DictField(help_text=gettext_lazy("The record's proposed values."))
    match = serializers.DictField(
        allow_null=True,
        help_text=gettext_lazy("The register's institution it surely matches, with the score."),
    )
    candidates = serializers.ListField(child=serializers.DictField())
    duplicate = serializers.DictField(
        allow_null=True,
        help_text=gettext_lazy("The record the register already holds for it, if any."),
    )


class ExtractResultSerializer(serializers.Serializer):
    language = serializers.CharField()
    proposals = ProposalSerializer(many=True)


class ExtractView(APIView):
    """Read an article (JSON ``text`` or a multipart ``file``) and answer with the records it
    states, each with its sentence, a confidence and its match in the register. Nothing is
    saved: staff review and confirm on the article intake page. A 400 names the field
    (``text`` or ``file``) with the reason: empty, too long, not text, a PDF without text,
    another language, nothing relevant. Ministry staff only."""

    parser_classes = (parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser)
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        summary=gettext_lazy("Propose the records a news article states"),
        request={
            "application/json": ExtractRequestSerializer,
            "multipart/form-data": ExtractRequestSerializer,
        },
        responses={200: ExtractResultSerializer},
        tags=["sources"],
    )
    def post(self, request, *args, **kwargs):
        if not may_take_in(request.user):
            raise PermissionDenied
        serializer = ExtractRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data.get("file")
        field = "file" if upload else "text"
        try:
            if upload:
                text = read_upload(upload.name, upload.read())
            else:
                text = check_text(data.get("text", ""))
            extraction = propose(
                text,
                url=data.get("url", ""),
                publisher=data.get("publisher", ""),
                published_on=data.get("published_on"),
                title=data.get("title", ""),
            )
        except IntakeRefused as refused:
            raise serializers.ValidationError({refused.field: [refused.message]}) from None
        except ex.OtherLanguage:
            raise serializers.ValidationError(
                {field: [_("The article is not in Russian, English, Kazakh or Azerbaijani.")]}
            ) from None
        except ex.NothingRelevant:
            raise serializers.ValidationError(
                {field: [_("The article names nothing the register keeps.")]}
            ) from None
        return Response(
            {
                "language": extraction.language,
                "proposals": [p.as_dict() for p in extraction.proposals],
            }
        )


__all__ = ["ExtractView", "MAX_TEXT_CHARS"]
