"""Shared pieces of the REST API.

- ``ModelCleanSerializer``: validates with the model's own ``full_clean()`` and constraints,
  so the API refuses exactly what the admin refuses, with the same messages, as a 400; it
  also writes nested children (parties, allocations, names) in the same transaction.
- ``ModelViewSet``: atomic writes, strict query parameters (an unknown one is a 400 naming
  it), CSV and XLSX exports of every filtered row.
- pagination with a client page size that is capped, the export renderers, the permission
  rule (public read is a setting), the exception handler (a row still referenced is a 409,
  never a 500) and the schema generator that describes all of it.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from copy import copy
from decimal import Decimal
from functools import cache
from itertools import islice
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, router, transaction
from django.db.models import CheckConstraint
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.serializers import CountryFieldMixin
from django_filters import rest_framework as django_filters
from django_filters.utils import translate_validation
from django_filters.widgets import SuffixedMultiWidget
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from rest_framework import (
    exceptions,
    parsers,
    permissions,
    renderers,
    serializers,
    status,
    viewsets,
)
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator

from . import cells, csv_sql, export_jobs
from .exports import (
    CSV_MEDIA_TYPE,
    DATE,
    DATETIME,
    DEFINITIONS_HEADERS,
    IN_BACKGROUND,
    STRING,
    TYPES,
    XLSX_MEDIA_TYPE,
    ColumnSet,
    ExportColumn,
    ExportInBackground,
    ExportsBusy,
    ExportTooLarge,
    csv_value,
    export_plan,
    serializer_columnset,
    xlsx_value,
)
from .filtersets import (
    BooleanFilter,
    CountryFilter,
    CountryPairFilter,
    SearchFilter,
)
from .models import ExportJob, ExportJobStatus
from .translations import TranslationsField, translation_languages
from .versioning import VersionedSerializerMixin, VersionedViewSetMixin

logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_CHUNK_SIZE = 500
MAX_ID = 2**63 - 1


# --------------------------------------------------------------------------- validation


def constraint_field(model: type[models.Model], constraint: models.BaseConstraint) -> str:
    """The field a violated constraint's message belongs to.

    A unique constraint speaks of its last field (``country, name`` -> ``name``); a check
    constraint of the last model field it reads (``valid_until >= valid_from`` ->
    ``valid_until``); an expression-only constraint of the whole record.
    """
    fields = list(getattr(constraint, "fields", ()) or ())
    if fields:
        return fields[-1]
    if isinstance(constraint, CheckConstraint):
        referenced = constraint.condition.referenced_base_fields
        ordered = [field.name for field in model._meta.concrete_fields if field.name in referenced]
        if ordered:
            return ordered[-1]
    return NON_FIELD_ERRORS


def model_errors(
    instance: models.Model,
    *,
    exclude: Iterable[str] = (),
    constraint_fields: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """Validate ``instance`` as the admin does and return the messages per field.

    Runs ``full_clean()`` (field validators, ``clean()``, unique fields), then every
    ``Meta.constraints`` entry, attaching each constraint's message to a field (see
    ``constraint_field``; ``constraint_fields`` maps a constraint name to another field).
    """
    excluded = set(exclude)
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(exclude=excluded, validate_constraints=False)
    except DjangoValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    # As Django does, a field that already failed is not checked again by a constraint.
    skip = excluded | set(errors)
    using = router.db_for_write(type(instance), instance=instance)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model_class, instance, exclude=skip, using=using)
            except DjangoValidationError as exc:
                field = (constraint_fields or {}).get(constraint.name) or constraint_field(
                    model_class, constraint
                )
                errors.setdefault(field, []).extend(exc.messages)
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in errors.items()
    }


@extend_schema_field(
    {
        "type": "object",
        "properties": {code: {"type": "string"} for code in translation_languages()},
        "additionalProperties": False,
        "description": "The text in other languages than English, by language code "
        f"({', '.join(translation_languages())}); a language left out is shown in another "
        "(cooperation.translations: Kazakh readers read the Russian text first, then the "
        "English).",
    }
)
class TranslationsSerializerField(serializers.JSONField):
    """A ``cooperation.translations.TranslationsField``: checked by the model field's
    validator (a 400 naming the field), described as an object of texts per language."""


class ModelCleanSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """A model serializer whose validation is the model's own.

    ``nested_writes`` maps a nested list field (``parties``) to the foreign key its children
    hold to this record (``agreement``). Children are matched by ``id``: an item with an id
    updates that child, one without creates a child, and a child left out is deleted; a
    request that omits the field leaves the children alone. Parent and children are saved in
    one transaction and each child is validated with ``full_clean()`` too, so a bad child
    leaves nothing behind.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        TranslationsField: TranslationsSerializerField,
    }
    nested_writes: ClassVar[Mapping[str, str]] = {}
    # Constraint name -> the field its message belongs to, where the default guess is poor.
    constraint_fields: ClassVar[Mapping[str, str]] = {}
    # Fields validated later (the parent's foreign key of a nested child).
    validation_exclude: ClassVar[tuple[str, ...]] = ()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # Uniqueness is checked by the model below, with the model's messages; DRF's own
        # validators would report the same conflict twice in other words.
        for field in fields.values():
            if field.validators:
                field.validators = [
                    v for v in field.validators if not isinstance(v, UniqueValidator)
                ]
        return fields

    def get_validators(self) -> list[Any]:
        return list(getattr(self.Meta, "validators", []))

    def instance_for_validation(self, attrs: Mapping[str, Any]) -> models.Model:
        model = self.Meta.model
        instance = copy(self.instance) if isinstance(self.instance, models.Model) else model()
        for name, value in attrs.items():
            if name in self.nested_writes or name == model._meta.pk.name:
                continue
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.concrete and not field.many_to_many:
                setattr(instance, field.name, value)
        return instance

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        instance = self.instance_for_validation(attrs)
        errors = model_errors(
            instance, exclude=self.validation_exclude, constraint_fields=self.constraint_fields
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _pop_nested(self, validated_data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        nested = {}
        for name in self.nested_writes:
            source = self.fields[name].source
            if source in validated_data:
                nested[name] = validated_data.pop(source)
        return nested

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        nested = self._pop_nested(validated_data)
        with transaction.atomic():
            instance = super().create(validated_data)
            self.write_nested(instance, nested)
        return instance

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        nested = self._pop_nested(validated_data)
        with transaction.atomic():
            instance = super().update(instance, validated_data)
            self.write_nested(instance, nested)
        return instance

    def write_nested(self, parent: models.Model, nested: Mapping[str, list[dict]]) -> None:
        errors: dict[str, Any] = {}
        for name, items in nested.items():
            list_field = self.fields[name]
            child_serializer = list_field.child
            child_model = child_serializer.Meta.model
            existing = {child.pk: child for child in getattr(parent, list_field.source).all()}
            wanted = {item["id"] for item in items if item.get("id") is not None}
            for pk in existing.keys() - wanted:
                existing[pk].delete()
            # As DRF reports a list's errors: {index: errors} for the items at fault only.
            item_errors: dict[int, dict[str, Any]] = {}
            for index, item in enumerate(items):
                item = dict(item)
                pk = item.pop("id", None)
                if pk is not None and pk not in existing:
                    item_errors[index] = {
                        "id": [_("No such item belongs to this record: %(id)s.") % {"id": pk}]
                    }
                    continue
                child = existing[pk] if pk is not None else child_model()
                many = {}
                for key in list(item):
                    field = child_model._meta.get_field(key)
                    if field.many_to_many:
                        many[key] = item.pop(key)
                for key, value in item.items():
                    setattr(child, key, value)
                setattr(child, self.nested_writes[name], parent)
                child_errors = model_errors(
                    child, constraint_fields=child_serializer.constraint_fields
                )
                if child_errors:
                    item_errors[index] = child_errors
                    continue
                child.save()
                for key, value in many.items():
                    getattr(child, key).set(value)
            if item_errors:
                errors[name] = item_errors
        if errors:
            raise serializers.ValidationError(errors)


class NestedChildSerializer(ModelCleanSerializer):
    """A child written through its parent (a party of an agreement): ``id`` picks an existing
    child to update; the parent's foreign key is checked once the parent exists."""

    id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# --------------------------------------------------------------------------- exports


def Column(name: str, description: Any = "", kind: str = "text") -> ExportColumn:  # noqa: N802
    """A column of an aggregate (totals, stats, pivot) that has no declaration of its own."""
    return ExportColumn(name, definition=description, type=kind if kind in TYPES else STRING)


def flat_row(data: Mapping[str, Any], columns: Sequence[ExportColumn]) -> dict[str, Any]:
    """The row's cells: each column is a top-level JSON key (a list stays a list here and
    becomes one JSON array cell, cooperation.exports)."""
    return {column.key: data.get(column.key) for column in columns}


def _csv_cell(value: Any, column: ExportColumn) -> Any:
    value = csv_value(value, column)
    return cells.csv_cell(value) if isinstance(value, str) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_header(columns: Sequence[ExportColumn]) -> bytes:
    """The byte-order mark (so Excel reads Cyrillic) and the line of column keys."""
    return ("\ufeff" + csv.writer(_Echo()).writerow([column.key for column in columns])).encode(
        "utf-8"
    )


def csv_chunks(
    columns: Sequence[ExportColumn], rows: Iterable[Mapping[str, Any]]
) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads Cyrillic), a header of column keys,
    one line per row, yielded in batches as the rows are read."""
    writer = csv.writer(_Echo())
    yield csv_header(columns)
    batch: list[str] = []
    for row in rows:
        batch.append(
            writer.writerow([_csv_cell(row.get(column.key), column) for column in columns])
        )
        if len(batch) >= 200:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


_NUMBER_FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm:ss"}


def _xlsx_cell(sheet: Any, value: Any, column: ExportColumn) -> Any:
    value = xlsx_value(value, column)
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _NUMBER_FORMATS[
            DATETIME if isinstance(value, datetime.datetime) else DATE
        ]
        return cell
    if isinstance(value, bool | int | float | Decimal) or value is None:
        return value
    return cells.xlsx_cell(str(value))  # a string cell, never a formula: codes stay text


# Characters wide: a date, a number, and the bounds of a text column.
_XLSX_WIDTHS = {DATE: 12, DATETIME: 20}
_XLSX_MIN_WIDTH, _XLSX_MAX_WIDTH = 10, 48


def xlsx_width(column: ExportColumn) -> float:
    """The width of a column of the data sheet: its header and filter button readable, a
    date whole, a text column wide enough for a name (the rows are streamed, so the width
    is the declaration's, not measured on the values)."""
    if column.type in _XLSX_WIDTHS:
        return max(_XLSX_WIDTHS[column.type], len(column.key) + 4)
    wide = 30 if column.type in ("string", "array") and not column.codes else _XLSX_MIN_WIDTH
    return float(min(_XLSX_MAX_WIDTH, max(wide, len(column.key) + 4)))


def xlsx_bytes(
    columns: Sequence[ExportColumn],
    rows: Iterable[Mapping[str, Any]],
    *,
    title: str,
    sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
    first_sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
) -> bytes:
    """A workbook with the rows on the first sheet under two header rows, the columns'
    labels in the reader's language and their keys (the same in every language, what the
    imports and the API read), with widths, the header frozen and a filter on the keys;
    ``sheets`` after it, and the columns' definitions (their translated labels, types,
    definitions and codes) on the last."""
    workbook = Workbook(write_only=True)

    def add_sheets(added: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        for sheet_title, sheet_rows in added:
            extra = workbook.create_sheet(title=sheet_title[:31])
            for sheet_row in sheet_rows:
                extra.append([cells.xlsx_cell(v) if isinstance(v, str) else v for v in sheet_row])

    add_sheets(first_sheets)
    sheet = workbook.create_sheet(title=title[:31] or "data")
    # Widths and the frozen header go before the first row in a write-only sheet.
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = xlsx_width(column)
    sheet.freeze_panes = "A3"  # both header rows stay in view
    labels = []
    for column in columns:
        label = capfirst(force_str(column.label or column.key))
        cell = WriteOnlyCell(sheet, value=cells.xlsx_cell(label))
        cell.font = Font(bold=True)
        labels.append(cell)
    sheet.append(labels)
    sheet.append([column.key for column in columns])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row.get(column.key), column) for column in columns])
        count += 1
    if columns:  # on the keys, over every row; written with the sheet's tail
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{count + 2}"
    add_sheets(sheets)
    definitions = workbook.create_sheet(title="definitions")
    definitions.append(DEFINITIONS_HEADERS)
    for definition in ColumnSet(
        "definitions", "", tuple(columns), primary_key=None
    ).definitions_rows():
        definitions.append([cells.xlsx_cell(value) for value in definition])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ExportJobSerializer(serializers.ModelSerializer):
    """A background export as its reader follows it (cooperation.export_jobs)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("0-100; null while the total is unknown.")
    )
    url = serializers.SerializerMethodField(help_text=_("This job in the API."))
    page_url = serializers.SerializerMethodField(help_text=_("This job's page, for people."))
    file_url = serializers.SerializerMethodField(
        help_text=_("The finished file; null until the job is done.")
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "status",
            "status_label",
            "list_name",
            "format",
            "rows_total",
            "rows_done",
            "percent",
            "size",
            "filename",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "page_url",
            "file_url",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, job) -> str:
        return self._absolute(reverse("api:export-job-detail", args=[job.pk]))

    def get_page_url(self, job) -> str:
        return self._absolute(job.get_absolute_url())

    def get_file_url(self, job) -> str | None:
        if job.status != ExportJobStatus.DONE:
            return None
        return self._absolute(reverse("api:export-job-file", args=[job.pk]))


def export_job_accepted(request, job) -> Response:
    """``202 Accepted``: the export is being prepared by ``job``; its address in
    ``Location``. JSON whatever format was asked: the file is not there yet."""
    request.accepted_renderer = renderers.JSONRenderer()
    request.accepted_media_type = request.accepted_renderer.media_type
    data = ExportJobSerializer(job, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


def export_filename(name: str, fmt: str) -> str:
    """The one file name pattern of the page and API exports of a list."""
    return f"unibridge-{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def export_response(
    fmt: str,
    *,
    columns: Sequence[ExportColumn],
    rows: Iterable[Mapping[str, Any]],
    basename: str,
    csv_body: Iterator[bytes] | None = None,
    sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
    first_sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
) -> HttpResponseBase:
    """Every row, unpaginated: CSV streamed as it is read (``csv_body`` when the lines are
    already written), XLSX as one workbook."""
    filename = export_filename(basename, fmt)
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_body if csv_body is not None else csv_chunks(columns, rows),
            content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        )
    else:
        response = HttpResponse(
            xlsx_bytes(columns, rows, title=basename, sheets=sheets, first_sheets=first_sheets),
            content_type=XLSX_MEDIA_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rows_of(data: Any) -> list[Mapping[str, Any]]:
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, Mapping):
        return [data]
    return [row if isinstance(row, Mapping) else {"value": row} for row in data or []]


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[ExportColumn]:
    return [Column(name) for name in dict.fromkeys(key for row in rows for key in row)]


class CSVRenderer(renderers.BaseRenderer):
    """``text/csv``; list and aggregate views stream their rows themselves, this renders the
    rest (a plain list of flat objects)."""

    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        rows = _rows_of(data)
        return b"".join(csv_chunks(_columns_of(rows), rows))


class XLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        rows = _rows_of(data)
        return xlsx_bytes(_columns_of(rows), rows, title="data")


# --------------------------------------------------------------------------- viewsets


def _filter_widgets(filterset_class: type[django_filters.FilterSet]):
    """Each filter's name and its form widget (an instance)."""
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.field_class.widget
        yield name, widget() if isinstance(widget, type) else widget


@cache
def filterset_param_names(filterset_class: type[django_filters.FilterSet]) -> frozenset[str]:
    """The query parameters a FilterSet reads (a range widget reads two: ``x_min``, ``x_max``)."""
    names: set[str] = set()
    for name, widget in _filter_widgets(filterset_class):
        if isinstance(widget, SuffixedMultiWidget):
            names.update(widget.suffixed(name, suffix) for suffix in widget.suffixes)
        else:
            names.add(name)
    return frozenset(names)


@cache
def filterset_multi_valued_names(filterset_class: type[django_filters.FilterSet]) -> frozenset[str]:
    """The filters of a FilterSet that read a list (``?country=KZ&country=AZ``)."""
    names: set[str] = set()
    for name, widget in _filter_widgets(filterset_class):
        if getattr(widget, "allow_multiple_selected", False):
            names.add(name)
    return frozenset(names)


class ModelViewSet(VersionedViewSetMixin, viewsets.ModelViewSet):
    """List, retrieve, create, update, partial update and delete one model.

    Writes run in a transaction and answer with the record as a fresh read shows it; the
    list (and every action named in ``export_actions``) also answers ``?format=csv`` and
    ``?format=xlsx`` with every filtered row; an unknown query parameter is a 400.
    """

    # Nested lists (the parties of an agreement) need JSON; forms cannot carry them.
    parser_classes = (parsers.JSONParser,)
    export_actions: ClassVar[tuple[str, ...]] = ("list",)
    # The list's columns, declared once (cooperation.exports): the CSV and XLSX of the API
    # and of the list page, the COPY path (the columns' ``sql``: PostgreSQL writes the CSV of
    # millions of rows; tests/api/test_csv_sql.py holds both paths to the same bytes) and the
    # data package. None: derived from the serializer, so the columns are the JSON keys.
    export_columnset: ClassVar[ColumnSet | None] = None
    # The file name's stem and the data package's resource name (the URL's prefix).
    export_name: ClassVar[str | None] = None
    # Query parameters an extra action reads besides the filters: {"totals": ("group_by",)}.
    action_query_params: ClassVar[Mapping[str, Sequence[str]]] = {}

    def get_renderers(self) -> list[renderers.BaseRenderer]:
        found = super().get_renderers()
        if getattr(self, "action", None) in self.export_actions:
            found += [CSVRenderer(), XLSXRenderer()]
        return found

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            self.check_query_params(request)

    def allowed_query_params(self) -> set[str]:
        allowed = {api_settings.URL_FORMAT_OVERRIDE}
        action = getattr(self, "action", None)
        if action == "list" or action in self.action_query_params:
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= filterset_param_names(filterset_class)
            allowed.update(self.action_query_params.get(action, ()))
        if action == "list":
            allowed.update({api_settings.ORDERING_PARAM, "updated_after"})
            if self.paginator is not None:
                allowed.update(
                    {self.paginator.page_query_param, self.paginator.page_size_query_param}
                )
        return allowed

    def multi_valued_query_params(self) -> set[str]:
        """Parameters that may be repeated: lists (``group_by``, ``ordering``) and the
        filters that take several values (``country=KZ&country=AZ``)."""
        multi = {api_settings.ORDERING_PARAM, "group_by"}
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            multi |= filterset_multi_valued_names(filterset_class)
        return multi

    def check_query_params(self, request) -> None:
        """An unknown parameter, or a single-valued one given twice, is a 400 naming it:
        never silently ignored, never silently the last value."""
        allowed = self.allowed_query_params()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            message = _("Unknown query parameter. Known parameters: %(known)s.") % {
                "known": ", ".join(sorted(allowed))
            }
            raise exceptions.ValidationError({name: [message] for name in unknown})
        multi = self.multi_valued_query_params()
        repeated = sorted(
            name
            for name, values in request.query_params.lists()
            if len(values) > 1 and name not in multi
        )
        if repeated:
            message = _("This parameter takes one value; it was given more than once.")
            raise exceptions.ValidationError({name: [message] for name in repeated})

    def export_format(self) -> str | None:
        fmt = getattr(getattr(self.request, "accepted_renderer", None), "format", None)
        return fmt if fmt in EXPORT_FORMATS else None

    def export_basename(self) -> str:
        return self.get_export_columnset().name

    @classmethod
    def export_list_name(cls) -> str:
        """The list's name in file names and data packages: its declaration's, else the
        API's URL prefix (``/api/mobility-figures/``: ``mobility-figures``)."""
        if cls.export_columnset is not None:
            return cls.export_columnset.name
        if cls.export_name:
            return cls.export_name
        from .api_urls import router  # the URLs import the viewsets

        prefix = next((prefix for prefix, view, _b in router.registry if view is cls), None)
        return prefix or cls.__name__.removesuffix("ViewSet").lower()

    def get_export_columnset(self) -> ColumnSet:
        if self.export_columnset is not None:
            return self.export_columnset
        model = self.get_queryset().model
        return serializer_columnset(
            self.export_list_name(), model._meta.verbose_name_plural, self.get_serializer()
        )

    def get_export_columns(self) -> list[ExportColumn]:
        return list(self.get_export_columnset().columns)

    def list(self, request, *args, **kwargs) -> HttpResponseBase:
        fmt = self.export_format()
        if fmt is None:
            return super().list(request, *args, **kwargs)
        try:
            return self.export(self.filter_queryset(self.get_queryset()), fmt)
        except ExportsBusy as error:
            raise exceptions.Throttled(wait=60, detail=str(error)) from None
        except ExportTooLarge as error:
            message = str(error)
            if error.csv_holds_all:  # the address of the CSV of the same rows
                query = request.query_params.copy()
                query[api_settings.URL_FORMAT_OVERRIDE] = "csv"
                message += " " + request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
            raise exceptions.ValidationError(
                {api_settings.URL_FORMAT_OVERRIDE: [message]}
            ) from None
        except ExportInBackground as background:
            return export_job_accepted(request, background.job)

    def export(self, queryset, fmt: str) -> HttpResponseBase:
        """Every row of ``queryset`` as CSV or XLSX: the API's list and the list pages.
        Raises ExportInBackground with the job that prepares it when it is too long for a
        request, ExportTooLarge past the bound of exports built row by row
        (cooperation.exports.export_plan); the worker's replay of the request writes it."""
        columnset = self.get_export_columnset()
        columns = list(columnset.columns)
        csv_by_database = bool(columnset.sql_columns()) and csv_sql.supported(queryset)
        if export_jobs.running_job(self.request) is not None:
            export_jobs.note_total(self.request, queryset.order_by().count())
        elif (
            export_plan(
                queryset,
                fmt,
                csv_by_database=csv_by_database,
                slow_rows=self.export_rows_are_slow(),
            )
            == IN_BACKGROUND
        ):
            raise ExportInBackground(
                export_jobs.job_for(
                    self.request,
                    user=self.request.user,
                    list_name=columnset.name,
                    fmt=fmt,
                    filename=export_filename(columnset.name, fmt),
                )
            )
        return export_response(
            fmt,
            columns=columns,
            rows=self._export_rows(queryset, columns),
            basename=columnset.name,
            csv_body=self._sql_csv_body(queryset, columnset) if fmt == "csv" else None,
        )

    def export_rows_are_slow(self) -> bool:
        """Whether each exported row costs PostgreSQL much (cooperation.exports.export_plan)."""
        return False

    def _sql_csv_body(self, queryset, columnset: ColumnSet) -> Iterator[bytes] | None:
        """The CSV written by PostgreSQL, when every column is declared for it."""
        sql_columns = columnset.sql_columns()
        if not sql_columns or not csv_sql.supported(queryset):
            return None

        def body() -> Iterator[bytes]:
            yield csv_header(columnset.columns)
            yield from csv_sql.csv_lines(queryset, [sql_columns[key] for key in columnset.keys])

        return body()

    def _export_rows(self, queryset, columns: Sequence[ExportColumn]) -> Iterator[dict[str, Any]]:
        # One serializer per batch, not per row: building a serializer builds its fields, and
        # a country field flattens its 250 choices each time (3 ms): 2 million rows took
        # hours that way (bench/RESULTS.md, scenario 3).
        records = queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE)
        while batch := list(islice(records, EXPORT_CHUNK_SIZE)):
            for data in self.get_serializer(batch, many=True).data:
                yield flat_row(data, columns)

    def bound_filterset(self) -> django_filters.FilterSet:
        """The view's FilterSet bound to the query string; invalid values are a 400."""
        backend = django_filters.DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset

    def aggregate_response(
        self,
        payload: Mapping[str, Any],
        *,
        rows: list[Mapping[str, Any]],
        columns: list[ExportColumn],
    ) -> HttpResponseBase:
        fmt = self.export_format()
        if fmt is None:
            return Response(payload)
        return export_response(
            fmt, columns=columns, rows=rows, basename=f"{self.export_list_name()}-{self.action}"
        )

    def _reload(self, serializer: serializers.BaseSerializer) -> None:
        # Read the record back through the view's queryset: annotations and prefetched
        # relations are then the same as on a GET.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def get_success_headers(self, data: Any) -> dict[str, str]:
        """``Location``: the new record's API address (DRF's default would take a ``url``
        field, which is a source's article)."""
        pk = data.get("id") if isinstance(data, Mapping) else None
        if pk is None:
            return {}
        return {"Location": reverse(f"api:{self.basename}-detail", args=[pk], request=self.request)}

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            serializer.save()
            # A scoped user (a university editor) must end up with a record in their scope
            # (an agreement their institution is a party to): checked on the saved state,
            # inside the transaction, so a refusal leaves nothing behind.
            self.check_object_permissions(self.request, serializer.instance)
        self._reload(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            serializer.save()
            self.check_object_permissions(self.request, serializer.instance)
        self._reload(serializer)

    def perform_destroy(self, instance: models.Model) -> None:
        with transaction.atomic():
            instance.delete()


def parse_group_by(
    raw: str | Sequence[str] | None, *, allowed: Sequence[str], default: Sequence[str]
) -> list[str]:
    """``group_by=year,origin`` or ``group_by=year&group_by=origin`` (the values of the
    repeated parameter, as generated clients send a list) -> ``["year", "origin"]``; an
    unknown dimension is a 400."""
    if raw is not None and not isinstance(raw, str):
        raw = ",".join(raw)
    if raw is None or not raw.strip():
        return list(default)
    dimensions = [item.strip() for item in raw.split(",") if item.strip()]
    unknown = [item for item in dimensions if item not in allowed]
    if unknown:
        raise exceptions.ValidationError(
            {
                "group_by": [
                    _("Cannot group by %(unknown)s; choose among %(allowed)s.")
                    % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
                ]
            }
        )
    return list(dict.fromkeys(dimensions))


def group_by_parameter(allowed: Sequence[str], default: Sequence[str]) -> OpenApiParameter:
    return OpenApiParameter(
        "group_by",
        {"type": "array", "items": {"type": "string", "enum": list(allowed)}},
        OpenApiParameter.QUERY,
        description=force_str(
            _(
                "Dimensions to group by, comma-separated or the parameter repeated "
                "(default: %(default)s)."
            )
            % {"default": ",".join(default)}
        ),
        style="form",
        explode=False,
    )


# --------------------------------------------------------------------------- schema

PROBLEM_COMPONENT = "Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "An RFC 9457 problem (application/problem+json). `code` is stable, `detail` is "
        "prose in the reader's language. Field errors are listed in `errors`, each with a "
        'JSON `pointer` into the request body (`/parties/0/institution`; `""` is the whole '
        "record) or the query `parameter` it is about. Codes: invalid, not_found, "
        "not_authenticated, authentication_failed, permission_denied, method_not_allowed, "
        "not_acceptable, unsupported_media_type, parse_error, edit_conflict (a stale "
        "`version`), precondition_failed (a stale If-Match), malformed_precondition, "
        "referenced (a delete refused; see `referenced_by`), invalid_rows (an import or "
        "signing session refused; its report is beside), throttled, server_error, and the "
        "lifecycle refusals draft, terminated, already_terminated."
    ),
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["code", "detail"],
            },
        },
        "referenced_by": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "id": {"type": "integer"},
                    "label": {"type": "string"},
                },
                "required": ["type", "id", "label"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
    "additionalProperties": True,
}
ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "A hash of this representation: send it as If-Match or If-None-Match.",
}
LOCATION_HEADER = {
    "schema": {"type": "string", "format": "uri"},
    "description": "The API address of the new record.",
}
RETRY_AFTER_HEADER = {
    "schema": {"type": "integer", "minimum": 0},
    "description": "Seconds to wait before the next request.",
}


def _header_parameter(name: str, description: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": force_str(description),
        "schema": {"type": "string"},
    }


@cache
def country_codes() -> list[str]:
    return [code for code, _name in countries]


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus what this API does that it cannot see: the export
    formats, the error responses (RFC 9457 problems), conditional requests (ETag,
    If-Match, If-None-Match, 304, 409, 412), throttling (429) and anonymous read while
    public read is on."""

    def get_auth(self) -> list[dict[str, Any]]:
        auth = super().get_auth()
        public = getattr(settings, "UNIBRIDGE_PUBLIC_READ", False)
        if public and self.method in permissions.SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth

    def _map_basic_serializer(self, serializer, direction):
        """A model serializer sends every readable field in every response (null when
        empty): all are required there, so generated clients need not guess."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            schema["required"] = sorted(schema.get("properties", {}))
        return schema

    def _problem(self, description: Any) -> dict[str, Any]:
        from drf_spectacular.plumbing import ResolvedComponent

        component = ResolvedComponent(
            name=PROBLEM_COMPONENT,
            type=ResolvedComponent.SCHEMA,
            object=PROBLEM_COMPONENT,
            schema=PROBLEM_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return {
            "description": force_str(description),
            "content": {"application/problem+json": {"schema": component.ref}},
        }

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return operation
        responses = operation.setdefault("responses", {})
        action = getattr(self.view, "action", None)
        exports = method == "GET" and action in getattr(self.view, "export_actions", ())
        if exports:
            for code, response in responses.items():
                if code.startswith("2") and "content" in response:
                    response["content"][CSV_MEDIA_TYPE] = {
                        "schema": {
                            "type": "string",
                            "description": force_str(
                                _("UTF-8 CSV with a byte-order mark; every filtered row.")
                            ),
                        }
                    }
                    response["content"][XLSX_MEDIA_TYPE] = {
                        "schema": {"type": "string", "format": "binary"}
                    }
            if action == "list":
                job = self.resolve_serializer(ExportJobSerializer, "response")
                responses["202"] = {
                    "description": force_str(
                        _(
                            "A CSV or XLSX export too long to write within the request is "
                            "prepared in the background: follow the job's url (also in "
                            "Location) until its status is done, then download its file_url."
                        )
                    ),
                    "content": {"application/json": {"schema": job.ref}},
                }
                responses.setdefault(
                    "429",
                    self._problem(
                        _(
                            "Too many of the reader's exports are being prepared in the "
                            "background (the public counting as one reader): wait, then ask "
                            "again."
                        )
                    ),
                )
            for parameter in operation.get("parameters", []):
                if parameter["name"] == api_settings.URL_FORMAT_OVERRIDE:
                    parameter["description"] = force_str(
                        _(
                            "json (default), csv (UTF-8 with a byte-order mark) or xlsx; csv "
                            "and xlsx hold every filtered row, not one page. An Accept header "
                            "of text/csv or the XLSX media type does the same."
                        )
                    )
        self._add_conditional(operation, responses, method, action)
        is_detail = "{" in path
        if method == "GET":
            responses.setdefault(
                "400", self._problem(_("A malformed, repeated or unknown query parameter."))
            )
            responses.setdefault("406", self._problem(_("A format this endpoint does not offer.")))
        if method in ("POST", "PUT", "PATCH"):
            responses.setdefault("400", self._problem(_("The request is invalid.")))
        responses.setdefault("401", self._problem(_("Not signed in.")))
        responses.setdefault("403", self._problem(_("Not allowed.")))
        if is_detail or action == "list":
            responses.setdefault("404", self._problem(_("Not found.")))
        if method == "DELETE":
            responses.setdefault(
                "409",
                self._problem(_("Other records still reference this one (code referenced).")),
            )
        throttled = self._problem(_("Too many requests; wait as Retry-After says."))
        throttled["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
        responses.setdefault("429", throttled)
        for code, response in responses.items():
            if code[0] in "45" and "content" in response:
                # An error is always a problem, whatever the endpoint declared.
                content = response["content"]
                if "application/problem+json" not in content:
                    schema = self._problem("")["content"]["application/problem+json"]
                    response["content"] = {"application/problem+json": schema}
        return operation

    def _add_conditional(self, operation, responses, method: str, action: str | None) -> None:
        """ETag on reads and writes of one record, If-None-Match (304) on its read,
        If-Match (412; 400 when malformed) on its writes, 409 on a stale ``version``."""
        view = self.view
        if not hasattr(view, "check_if_match"):
            return
        parameters = operation.setdefault("parameters", [])
        if method == "GET" and action == "retrieve":
            parameters.append(
                _header_parameter(
                    "If-None-Match",
                    _("ETags of copies the client holds: 304, with no body, when one is current."),
                )
            )
            responses.setdefault(
                "304",
                {
                    "description": force_str(_("The client's copy is current.")),
                    "headers": {"ETag": ETAG_HEADER},
                },
            )
        if action in getattr(view, "if_match_actions", ()):
            parameters.append(
                _header_parameter(
                    "If-Match",
                    _(
                        "The ETag of an earlier read: the request is refused with 412 if the "
                        "record changed since."
                    ),
                )
            )
            responses.setdefault("400", self._problem(_("The request is invalid.")))
            responses.setdefault(
                "412",
                self._problem(_("The If-Match ETag is stale (code precondition_failed).")),
            )
            serializer_class = getattr(view, "serializer_class", None)
            versioned = isinstance(serializer_class, type) and issubclass(
                serializer_class, VersionedSerializerMixin
            )
            # A stale version (edit_conflict) or the record's state (renew, terminate); a
            # delete's 409 (referenced) is declared above for every DELETE.
            if versioned or action not in ("update", "partial_update", "destroy"):
                responses.setdefault(
                    "409",
                    self._problem(
                        _(
                            "The record changed since the version sent (code edit_conflict), "
                            "or its state refuses the change."
                        )
                    ),
                )
        if action in ("retrieve", "create", *getattr(view, "if_match_actions", ())):
            for code, response in responses.items():
                if code in ("200", "201"):
                    headers = response.setdefault("headers", {})
                    headers["ETag"] = ETAG_HEADER
                    if code == "201":
                        headers["Location"] = LOCATION_HEADER


class FilterExtension(DjangoFilterExtension):
    """Describes this project's filter types exactly (ranges, codes, strict booleans)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        schema: dict[str, Any] | None = None
        explode = None
        style = None
        field_class = filter_field.field_class
        extra = filter_field.extra
        if isinstance(filter_field, CountryPairFilter):
            schema = {"type": "string", "pattern": "^[A-Za-z]{2},[A-Za-z]{2}$"}
        elif isinstance(filter_field, CountryFilter):
            schema = {"type": "array", "items": {"type": "string", "enum": country_codes()}}
            explode, style = True, "form"
        elif isinstance(filter_field, BooleanFilter):
            schema = {"type": "boolean"}
        elif issubclass(field_class, forms.IntegerField):
            schema = {"type": "integer"}
            if extra.get("min_value") is not None:
                schema["minimum"] = extra["min_value"]
            if extra.get("max_value") is not None:
                schema["maximum"] = extra["max_value"]
        elif isinstance(filter_field, SearchFilter) or (
            isinstance(filter_field, django_filters.CharFilter) and extra.get("max_length")
        ):
            schema = {"type": "string", "maxLength": extra.get("max_length")}
        if schema is None:
            return super().resolve_filter_field(
                auto_schema, model, filterset_class, field_name, filter_field
            )
        description = self._get_field_description(filter_field, None)
        return [
            build_parameter_type(
                name=field_name,
                required=extra["required"],
                location=OpenApiParameter.QUERY,
                description=force_str(description) if description else None,
                schema=schema,
                explode=explode,
                style=style,
            )
        ]
