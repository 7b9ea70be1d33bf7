"""The one export pipeline: each list declares its columns once, every channel derives
from that declaration.

A :class:`ColumnSet` names a list (``mobility-figures``) and holds its
:class:`ExportColumn` entries: the stable snake_case ``key`` (the JSON key of the API, the
CSV header and the XLSX header in every language), the ``label`` (translated, shown in the
XLSX definitions sheet and the data package, never instead of the key), the ``type`` (a
Frictionless Table Schema type: string, integer, number, boolean, date, datetime, array),
the ``definition``, the ``codes`` (the code list, an enum constraint) and, for lists of
millions of rows, the ``sql`` cell that PostgreSQL writes (cooperation.csv_sql).

Channels and where their columns come from:

- the API's ``?format=csv`` / ``?format=xlsx`` (cooperation.api.ModelViewSet): the viewset's
  ``export_columnset``; a list without a declaration derives it from its serializer
  (:func:`serializer_columnset`), so the columns are always the JSON keys;
- the list pages' ``?_export=csv`` / ``xlsx`` (cooperation.views.FilteredListView): the
  same rows, columns and bytes as the API export of the same list (``export_viewset``);
- the COPY path (cooperation.csv_sql): ``ColumnSet.sql_columns()``;
- the data packages (``/datapackage.json``, ``?_export=datapackage``):
  ``ColumnSet.table_schema()``;
- the import templates (mobility.imports) and the pivot export (mobility.views).

Values: ids and numbers as numbers, dates as ISO dates (XLSX: date cells), time stamps as
ISO 8601 with their offset (XLSX: date-time cells in the current time zone), codes as text
(ISCED-F ``0613`` keeps its zero), booleans ``true``/``false``, nothing an empty cell. A
list-valued key (parties, areas, sources) is one cell holding a JSON array, as the JSON
has it (Table Schema type ``array``). Every text cell follows cooperation.cells.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Choices
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from .csv_sql import CsvColumn

# Table Schema types (https://specs.frictionlessdata.io/table-schema/#types-and-formats).
STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, ARRAY, OBJECT = (
    "string", "integer", "number", "boolean", "date", "datetime", "array", "object",
)  # fmt: skip
TYPES = (STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, ARRAY, OBJECT)
MISSING_VALUES = [""]
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}
PROFILE_URL = "tabular-data-resource"

Codes = Sequence[str] | type[Choices] | Callable[[], Sequence[str]] | None


@dataclasses.dataclass(frozen=True)
class ExportColumn:
    """One column of a list, declared once (see the module's docstring)."""

    key: str
    label: Any = ""  # a lazy translation
    type: str = STRING
    definition: Any = ""
    codes: Codes = None
    sql: CsvColumn | None = None
    # Whether the cell may be empty (Table Schema's "required" constraint when False).
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type!r} for {self.key}")

    @property
    def name(self) -> str:
        return self.key

    @property
    def description(self) -> str:
        return force_str(self.definition or self.label or self.key)

    def code_list(self) -> list[str]:
        codes = self.codes
        if codes is None:
            return []
        if isinstance(codes, type) and issubclass(codes, Choices):
            return [str(value) for value in codes.values]
        if callable(codes):
            return [str(code) for code in codes()]
        return [str(code) for code in codes]

    def code_labels(self) -> list[tuple[str, str]]:
        """The codes with their labels, for the definitions sheet: a code list of its own
        (a standard's, like ISO 3166's countries, is named by the definition instead)."""
        codes = self.codes
        if isinstance(codes, type) and issubclass(codes, Choices):
            return [(str(value), force_str(label)) for value, label in codes.choices]
        if callable(codes):
            return []
        return [(code, "") for code in self.code_list()]

    def field_descriptor(self) -> dict[str, Any]:
        """The column as a Table Schema field."""
        field: dict[str, Any] = {
            "name": self.key,
            "title": force_str(self.label or self.key),
            "type": self.type,
            "description": self.description,
        }
        if self.type == DATETIME:
            field["format"] = "any"  # ISO 8601 with its offset, microseconds when any
        constraints: dict[str, Any] = {}
        codes = self.code_list()
        if codes and self.type != ARRAY:
            constraints["enum"] = codes
        if not self.nullable:
            constraints["required"] = True
        if constraints:
            field["constraints"] = constraints
        return field


@dataclasses.dataclass(frozen=True)
class ColumnSet:
    """The columns of one list, in their order; ``name`` is the file name's stem
    (``unibridge-<name>-<date>.csv``) and the data package's resource name."""

    name: str
    title: Any
    columns: tuple[ExportColumn, ...]
    description: Any = ""
    primary_key: str | None = "id"

    def __post_init__(self) -> None:
        keys = [column.key for column in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.name}: a key is declared twice")

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def __getitem__(self, key: str) -> ExportColumn:
        return next(column for column in self.columns if column.key == key)

    def sql_columns(self) -> dict[str, CsvColumn] | None:
        """The cells PostgreSQL writes, when every column declares one."""
        if all(column.sql is not None for column in self.columns):
            return {column.key: column.sql for column in self.columns}
        return None

    def table_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [column.field_descriptor() for column in self.columns],
            "missingValues": MISSING_VALUES,
        }
        if self.primary_key and self.primary_key in self.keys:
            schema["primaryKey"] = [self.primary_key]
        return schema

    def resource(self, path: str) -> dict[str, Any]:
        """A Tabular Data Resource for the CSV at ``path``."""
        return {
            "name": self.name,
            "title": force_str(self.title),
            "description": force_str(self.description or self.title),
            "profile": PROFILE_URL,
            "path": path,
            "format": "csv",
            "mediatype": "text/csv",
            # The CSV starts with a byte order mark, so that Excel reads Cyrillic.
            "encoding": "utf-8-sig",
            "dialect": CSV_DIALECT,
            "schema": self.table_schema(),
        }

    def definitions_rows(self) -> list[list[str]]:
        """The XLSX definitions sheet: one row per column, then one per code."""
        rows = []
        for column in self.columns:
            rows.append([column.key, "", force_str(column.label), column.type, column.description])
            for code, label in column.code_labels():
                rows.append([column.key, code, label, "", ""])
        return rows


def datapackage(
    name: str, title: Any, resources: Iterable[dict[str, Any]], *, description: Any = ""
) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": force_str(title),
        "description": force_str(description or title),
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "licenses": [],
        "resources": list(resources),
    }


DEFINITIONS_HEADERS = ["column", "code", "label", "type", "definition"]
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}

# The last columns of every list of versioned records (cooperation.models.VersionedModel):
# declared once, for each ColumnSet that exports such records.
RECORD_COLUMNS = (
    ExportColumn(
        "version", _("version"), INTEGER,
        _("The row's version: send it back with a change (optimistic locking)."),
        sql=CsvColumn("version", "plain"), nullable=False,
    ),
    ExportColumn(
        "created_at", _("created at"), DATETIME, _("When it was entered (ISO 8601)."),
        sql=CsvColumn("created_at", "datetime"), nullable=False,
    ),
    ExportColumn(
        "updated_at", _("updated at"), DATETIME, _("When it last changed (ISO 8601)."),
        sql=CsvColumn("updated_at", "datetime"), nullable=False,
    ),
)  # fmt: skip


# --------------------------------------------------------------------------- cell values


def json_cell(value: Any) -> str:
    """A list or an object as one cell: its JSON, as the API writes it (DRF's encoder: a
    decimal, months per year, as a number), compact, Cyrillic as it is."""
    return json.dumps(value, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))


def csv_value(value: Any, column: ExportColumn) -> Any:
    """A serialized value as its CSV cell (before the formula guard): a list as its JSON
    array, booleans true/false, None empty."""
    if value is None:
        return ""
    if column.type == ARRAY or isinstance(value, list | dict):
        return json_cell(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def xlsx_value(value: Any, column: ExportColumn) -> Any:
    """A serialized value as an XLSX cell value: dates and time stamps as real cells (time
    stamps in the current time zone, without its offset, which XLSX cannot hold)."""
    if value is None or value == "":
        return None
    if column.type == DATE and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if column.type == DATETIME and isinstance(value, str):
        try:
            stamp = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(stamp):
            stamp = timezone.localtime(stamp).replace(tzinfo=None)
        return stamp
    if column.type == ARRAY or isinstance(value, list | dict):
        return json_cell(value)
    return value


# --------------------------------------------------------------------------- size bound


class ExportTooLarge(Exception):
    """An export that would hold more rows than a request builds row by row in time.
    ``csv_holds_all``: the CSV of the same rows is written whatever their number (the
    page and the API then point to it)."""

    def __init__(self, message: str, *, csv_holds_all: bool = False) -> None:
        super().__init__(message)
        self.csv_holds_all = csv_holds_all


class ExportsBusy(ExportTooLarge):
    """A reader (the public counting as one) already has as many exports being prepared in
    the background as ``UNIBRIDGE_EXPORT_JOBS_WAITING`` allows."""


class ExportInBackground(Exception):  # noqa: N818 (a signal, not an error)
    """An export past what a request writes in time: ``job`` prepares it."""

    def __init__(self, job) -> None:
        super().__init__(str(job.pk))
        self.job = job


NOW = "now"  # written within the request
IN_BACKGROUND = "background"  # written by the worker (cooperation.export_jobs)


def export_plan(queryset, fmt: str, *, csv_by_database: bool, slow_rows: bool = False) -> str:
    """How the export of ``queryset`` as ``fmt`` is made, by its number of rows: NOW up to
    ``UNIBRIDGE_EXPORT_SYNC_ROWS`` for a CSV that PostgreSQL writes (cooperation.csv_sql)
    and up to ``UNIBRIDGE_EXPORT_MAX_ROWS`` for one built row by row (every XLSX);
    IN_BACKGROUND past that, for a row-by-row export up to
    ``UNIBRIDGE_EXPORT_JOB_MAX_ROWS``; past which :class:`ExportTooLarge` says why. The
    count stops at the largest bound, so a whole register is not counted to decide.
    ``slow_rows``: PostgreSQL computes something dear for each row (the directory's live
    counts of a reader whose counts are not kept ready): its CSV is written within the
    request only up to ``UNIBRIDGE_EXPORT_MAX_ROWS`` rows too."""
    from django.conf import settings
    from django.utils.formats import number_format

    by_database = fmt == "csv" and csv_by_database
    if by_database:
        now = (
            settings.UNIBRIDGE_EXPORT_MAX_ROWS if slow_rows else settings.UNIBRIDGE_EXPORT_SYNC_ROWS
        )
        ceiling = None
    else:
        now, ceiling = settings.UNIBRIDGE_EXPORT_MAX_ROWS, settings.UNIBRIDGE_EXPORT_JOB_MAX_ROWS
    if not now:
        return NOW
    rows = queryset.order_by()[: max(now, ceiling or 0) + 1].count()
    if rows <= now:
        return NOW
    if ceiling is None or rows <= ceiling:
        return IN_BACKGROUND
    limit = max(now, ceiling)
    message = _(
        "These filters select more than %(limit)s rows: more than one %(format)s file holds. "
        "Narrow the filters (a year, a country, an institution) and export again."
    ) % {"limit": number_format(limit, force_grouping=True), "format": fmt.upper()}
    holds_all = fmt != "csv" and csv_by_database
    if holds_all:
        message += " " + _("The CSV export of this list holds every row.")
    raise ExportTooLarge(message, csv_holds_all=holds_all)


# --------------------------------------------------------------------------- derived sets


def _field_type(field: serializers.Field) -> str:
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        return ARRAY
    if isinstance(field, serializers.JSONField | serializers.DictField):
        return OBJECT
    if isinstance(field, serializers.ManyRelatedField | serializers.Serializer):
        return ARRAY if isinstance(field, serializers.ManyRelatedField) else STRING
    if isinstance(field, serializers.BooleanField):
        return BOOLEAN
    if isinstance(field, serializers.DateTimeField):
        return DATETIME
    if isinstance(field, serializers.DateField):
        return DATE
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return INTEGER
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return NUMBER
    return STRING


def _field_codes(field: serializers.Field) -> list[str] | None:
    if isinstance(field, serializers.ChoiceField) and not isinstance(
        field, serializers.MultipleChoiceField
    ):
        codes = [str(code) for code in field.choices if code != ""]
        # A country field's 250 codes are a constraint too, but ISO's list says it better.
        return codes if len(codes) <= 60 else None
    return None


def serializer_columnset(
    name: str,
    title: Any,
    serializer: serializers.Serializer,
    *,
    declared: Mapping[str, ExportColumn] | None = None,
) -> ColumnSet:
    """The columns of a list without a declaration of its own: every readable field of its
    serializer (the JSON keys), typed from the field; ``declared`` overrides some."""
    columns = []
    for key, field in serializer.fields.items():
        if field.write_only:
            continue
        if declared and key in declared:
            columns.append(declared[key])
            continue
        label = force_str(field.label or key)
        help_text = force_str(getattr(field, "help_text", "") or "")
        columns.append(
            ExportColumn(
                key,
                label,
                _field_type(field),
                f"{label} ({help_text})" if help_text else label,
                _field_codes(field),
            )
        )
    return ColumnSet(name, title, tuple(columns))


def check_serializer_keys(columnset: ColumnSet, serializer: serializers.Serializer) -> list[str]:
    """The keys that differ between a declaration and the JSON (for tests and checks)."""
    json_keys = [key for key, field in serializer.fields.items() if not field.write_only]
    return sorted(set(json_keys) ^ set(columnset.keys))


LIST_NOTE = _("A list (parties, areas, sources…) is one cell holding a JSON array, as in the JSON.")


def country_codes() -> list[str]:
    """ISO 3166-1 alpha-2 codes that the register accepts."""
    from django_countries import countries

    return [code for code, _name in countries]
