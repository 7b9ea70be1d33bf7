"""The spreadsheet imports over the API: ``POST /api/agreements/import/`` and
``POST /api/mobility-figures/import/`` take the same files as the pages (multipart field
``file``) and answer with the same per-row report: 200 for a valid dry run, 201 when
saved, 400 with the rows' errors (or the file's) when nothing was saved."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from . import name_searches
from .import_views import Importer
from .imports import ImportRefused, max_import_bytes
from .models import JobStatus
from .problems import problem_response


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A CSV or an Excel workbook (.xlsx)."))
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Check every row and save nothing.")
    )


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("The row's number in the spreadsheet."))
    status = serializers.ChoiceField(["ok", "unchanged", "ambiguous", "error"])
    errors = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    parties = serializers.ListField(child=serializers.DictField(), required=False)


class ImportResultSerializer(serializers.Serializer):
    saved = serializers.BooleanField()
    valid = serializers.BooleanField()
    created = serializers.IntegerField()
    summary = serializers.DictField(child=serializers.IntegerField())
    notes = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())
    rows = ImportRowSerializer(many=True)


class ImportAPIView(APIView):
    """Check, and unless ``dry_run`` save, a spreadsheet of records: all rows or none.
    A 400 carries the same report when a row is invalid, or ``{"file": [message]}`` when the
    file cannot be read at all.

    Names of institutions must match the register surely: choosing between candidates
    is for the import page. A file of many names that the register does not record as
    written answers ``202 Accepted`` (with ``Retry-After``) while the names are compared
    in the background: send the same file again then. Needs the permission to import
    (ministry editors and administrators).
    """

    importer: Importer
    parser_classes = (parsers.MultiPartParser,)
    permission_classes = (permissions.IsAuthenticated,)

    def post(self, request, *args, **kwargs):
        if not self.importer.allowed(request.user):
            raise PermissionDenied
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            if upload.size > max_import_bytes():
                raise ImportRefused(
                    _("The file is too large; an import may be at most %(limit)s bytes.")
                    % {"limit": max_import_bytes()}
                )
            table = self.importer.read(upload.read())
        except ImportRefused as refused:
            raise serializers.ValidationError({"file": [refused.message]}) from None
        try:
            options = self.importer.options_from_data(request.data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        waiting = names_answer(request, self.importer.names(table, {}))
        if waiting is not None:
            return waiting
        if serializer.validated_data["dry_run"]:
            report = self.importer.check(table, options=options, choices={})
        else:
            report = self.importer.save(
                table, options=options, choices={}, user=request.user, filename=upload.name
            )
        data = report_data(report)
        if not report.valid and not report.saved:
            return refused_report(request, data, pointer="/file")
        code = status.HTTP_201_CREATED if report.saved else status.HTTP_200_OK
        return Response(data, status=code)


def report_data(report) -> dict:
    """The report as ``ImportResultSerializer`` gives it. Its rows are already what
    ``ImportRowSerializer`` makes of them (numbers, codes, texts): they are passed as they
    are, since serializing 50,000 rows field by field took longer than checking them
    (issue 18; tests/imports/test_many_figures.py holds them equal)."""
    data = report.as_dict()
    rows = data.pop("rows")
    return {**ImportResultSerializer({**data, "rows": []}).data, "rows": rows}


class NamesBeingComparedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(["queued", "running"])
    detail = serializers.CharField()
    names = serializers.IntegerField(help_text=_("Names not written as the register records them."))
    names_compared = serializers.IntegerField()
    percent = serializers.IntegerField(help_text=_("0-100."))
    stalled = serializers.BooleanField(
        help_text=_("No background worker has taken the comparison for more than a minute.")
    )


# Seconds an API client is asked to wait before sending the request again.
RETRY_AFTER = 5
# The same, when the person has too many comparisons under way.
BUSY_RETRY_AFTER = 60

NAMES_RESPONSES = {
    202: OpenApiResponse(
        NamesBeingComparedSerializer,
        description=_(
            "Many names are not written as the register records them: they are being "
            "compared with every name of the register in the background, and nothing was "
            "checked or saved yet. Send the same request again after `Retry-After` seconds."
        ),
    ),
    429: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description=_(
            "Too many of your comparisons of names are under way (a problem, code "
            "`names_busy`): send the request again after `Retry-After` seconds."
        ),
    ),
    503: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description=_(
            "The comparison of the names failed (a problem, code `names_failed`, with the "
            "reason): it is made again when the request is sent after `Retry-After` seconds."
        ),
    ),
}
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[202, 429, 503],
    description=_("Seconds to wait before sending the request again."),
)


def names_answer(request, names) -> Response | None:
    """None when the request may check (or save) its rows now; otherwise the answer while
    ``names`` are compared with the register in the background
    (``cooperation.name_searches``): 202 with the progress, 429 when the person has too many
    comparisons under way, 503 when the comparison failed (made again after Retry-After)."""
    try:
        search = name_searches.searched(names, user=request.user)
    except name_searches.NameSearchesBusy as busy:
        response = problem_response(
            status.HTTP_429_TOO_MANY_REQUESTS, "names_busy", busy.message, request=request
        )
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    if search is None:
        return None
    if search.status == JobStatus.FAILED:
        response = problem_response(
            status.HTTP_503_SERVICE_UNAVAILABLE, "names_failed", search.error, request=request
        )
        response["Retry-After"] = str(max(1, name_searches.retry_after(search)))
        return response
    data = {
        "status": search.status,
        "detail": _(
            "%(n)s names are not written as the register records them: they are being "
            "compared with every name of the register in the background. Nothing was checked "
            "or saved yet: send the same request again in a few seconds."
        )
        % {"n": search.total},
        "names": search.total,
        "names_compared": search.done,
        "percent": search.percent,
        "stalled": search.stalled,
    }
    return Response(
        NamesBeingComparedSerializer(data).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Retry-After": str(RETRY_AFTER)},
    )


def refused_report(request, report: dict, *, pointer: str) -> Response:
    """A report of rows of which some are invalid, as a 400 problem (code ``invalid_rows``):
    its members are extension members, and its messages about the whole file are the
    problem's errors (``pointer``)."""
    report = dict(report)
    messages = report.pop("errors", [])
    return problem_response(
        status.HTTP_400_BAD_REQUEST,
        "invalid_rows",
        messages[0]
        if messages
        else _("Some rows are invalid; nothing was saved. Each row lists its errors."),
        request=request,
        errors=[{"pointer": pointer, "code": "invalid", "detail": str(m)} for m in messages],
        **report,
    )


def import_api_view(importer: Importer, *, summary: str):
    view = type(
        f"{importer.kind.title()}ImportAPIView",
        (ImportAPIView,),
        {"importer": importer, "__doc__": ImportAPIView.__doc__},
    )

    # A function of its own per view: extend_schema marks the function it decorates, and
    # the two imports must not share (nor overwrite) each other's tags.
    def post(self, request, *args, **kwargs):
        return ImportAPIView.post(self, request, *args, **kwargs)

    view.post = extend_schema(
        summary=summary,
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportResultSerializer, 201: ImportResultSerializer, **NAMES_RESPONSES},
        parameters=[RETRY_AFTER_HEADER],
        tags=[importer.kind.replace("mobility", "mobility-figures")],
    )(post)  # fmt: skip
    return view.as_view()
