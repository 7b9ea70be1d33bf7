"""Writes with rules for mobility figures: many figures checked and saved at once."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import zip_longest
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from cooperation.audit import insert_columns_with_history
from cooperation.choices import IscedLevel, Qualifier
from cooperation.imports import as_date, as_int, cell_text
from cooperation.models import IscedField, Source
from universities.matching import SURE, NameMatcher

from .choices import Measure, MobilityType, Sex
from .models import MobilityFigure

# 50,000 rows are checked and saved in well under a minute on SQLite and PostgreSQL
# (bench/import_bench.py, bench/RESULTS.md); a larger file is refused with a message.
MAX_ROWS = 50_000

FIELDS = (
    "year", "origin_country", "destination_country", "mobility_type", "level", "field", "sex",
    "measure", "as_of", "qualifier", "value", "host_institution_count", "home_institution",
    "host_institution", "source", "notes",
)  # fmt: skip
FOREIGN_KEYS = ("home_institution", "host_institution", "field", "source")
CHOICES = {
    "mobility_type": MobilityType,
    "level": IscedLevel,
    "sex": Sex,
    "measure": Measure,
    "qualifier": Qualifier,
}
DEFAULTS = {"level": IscedLevel.ALL, "sex": Sex.TOTAL, "qualifier": Qualifier.EXACT}
QUALIFIER_SIGNS = {
    ">": Qualifier.MORE_THAN,
    ">=": Qualifier.AT_LEAST,
    "≥": Qualifier.AT_LEAST,
    "~": Qualifier.ABOUT,
    "≈": Qualifier.ABOUT,
    "<": Qualifier.LESS_THAN,
    "<=": Qualifier.UP_TO,
    "≤": Qualifier.UP_TO,
    "=": Qualifier.EXACT,
}
NO_DATE = datetime.date(1900, 1, 1)  # as the unique constraint coalesces a missing "as of"


def _constraint_message(name: str) -> str:
    return next(
        str(c.violation_error_message) for c in MobilityFigure._meta.constraints if c.name == name
    )


@dataclasses.dataclass
class FigureRow:
    """One checked figure: the values to save (by attname, as ``COLUMNS``), or the errors
    per field."""

    index: int
    values: dict[str, Any] | None = None
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    existing_id: int | None = None  # the same figure is already in the register

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        return "unchanged" if self.existing_id else "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "errors": self.errors,
            "existing": self.existing_id,
        }


@dataclasses.dataclass
class FigureImport:
    """Many figures checked, by columns: each column's converted values for every row (by
    attname, as ``COLUMNS``; those of a row with errors mean nothing), the errors of the
    rows that have some, and the rows already in the register. ``rows`` draws a
    ``FigureRow`` per row when read; the import itself never needs them (issue 18)."""

    size: int = 0
    columns: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    row_errors: dict[int, dict[str, list[str]]] = dataclasses.field(default_factory=dict)
    existing: dict[int, int] = dataclasses.field(default_factory=dict)  # row -> figure id
    errors: list[str] = dataclasses.field(default_factory=list)
    saved: bool = False
    created: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors and not self.row_errors

    @property
    def rows(self) -> list[FigureRow]:
        return [self.row(index) for index in range(self.size)]

    def row(self, index: int) -> FigureRow:
        errors = self.row_errors.get(index)
        if errors:
            return FigureRow(index, None, errors)
        values = {name: column[index] for name, column in self.columns.items()}
        return FigureRow(index, values, {}, self.existing.get(index))

    def statuses(self) -> list[str]:
        """Each row's ``FigureRow.status``, at once."""
        statuses = ["ok"] * self.size
        for index in self.existing:
            statuses[index] = "unchanged"
        for index in self.row_errors:
            statuses[index] = "error"
        return statuses

    def error(self, index: int, field: str, message: str) -> None:
        self.row_errors.setdefault(index, {}).setdefault(field, []).append(str(message))


def _choice_lookup() -> dict[str, dict[str, str]]:
    """Every code and every label (in every interface language) of each choice field."""
    from django.conf import settings

    lookup: dict[str, dict[str, str]] = {}
    for field, choices in CHOICES.items():
        names: dict[str, str] = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for value, label in choices.choices:
                    names[str(label).casefold()] = value
        names.update({value.casefold(): value for value in choices.values})
        lookup[field] = names
    lookup["qualifier"].update(QUALIFIER_SIGNS)
    lookup["level"].update({f"isced {v}": v for v in ("5", "6", "7", "8")})
    return lookup


def written_names(columns: Mapping[str, Sequence[Any]]) -> list[str]:
    """The home and host institutions of the figures (cells by column, as
    ``mobility_figures_check`` reads them) written as names (not ids), which the register's
    matcher is asked, each once, in the order of the rows."""
    home, host = (columns.get(key) or () for key in ("home_institution", "host_institution"))
    texts = {cell_text(cell) for cell in [*_distinct(home), *_distinct(host)]}
    if all(not text or text.isdigit() for text in texts):
        return []  # no names (most files): the cells are not read again one by one
    cells = (cell_text(cell) for pair in zip_longest(home, host) for cell in pair)
    return list(dict.fromkeys(c for c in cells if c and not c.isdigit()))


class _Resolver:
    """Sources, fields and institutions named by the rows, each loaded in one query."""

    def __init__(self, columns: Mapping[str, Sequence[Any]]) -> None:
        cells = {cell_text(cell) for cell in _distinct(columns["source"])} - {""}
        ids = {int(c) for c in cells if c.isdigit()}
        urls = {c for c in cells if c.startswith(("http://", "https://"))}
        titles = cells - urls - {str(i) for i in ids}
        self.sources: dict[str, list[Source]] = defaultdict(list)
        if cells:
            query = Q(pk__in=ids) | Q(url__in=urls) | Q(title__in=titles)
            for source in Source.objects.filter(query).only("id", "title", "url"):
                for key in (str(source.pk), source.url, source.title):
                    if key in cells:
                        self.sources[key].append(source)
        self.fields = dict(IscedField.objects.values_list("code", "pk"))
        self.matcher: NameMatcher | None = None
        self.institution_ids: set[int] = set()
        names = {
            cell_text(cell)
            for key in ("home_institution", "host_institution")
            for cell in _distinct(columns[key])
        } - {""}
        if written_names(columns):
            self.matcher = NameMatcher.of_register()
            self.institution_ids = set(self.matcher.institutions)
        elif names:
            from universities.models import Institution

            self.institution_ids = set(
                Institution.objects.filter(pk__in=[int(n) for n in names]).values_list(
                    "pk", flat=True
                )
            )

    def source(self, value: Any, row: FigureRow | _Errors) -> int | None:
        text = cell_text(value)
        if not text:
            row.error("source", _("Give the source: its id, URL or exact title."))
            return None
        found = {s.pk: s for s in self.sources.get(text, [])}
        if len(found) == 1:
            return next(iter(found))
        if not found:
            row.error(
                "source",
                _("No source has the id, URL or title “%(value)s”; add the source first "
                  "(admin → Sources) or correct the cell.") % {"value": text[:200]},
            )  # fmt: skip
        else:
            row.error(
                "source",
                _("%(count)s sources have the title or URL “%(value)s”: give the id instead "
                  "(%(ids)s).") % {"count": len(found), "value": text[:200],
                                    "ids": ", ".join(map(str, sorted(found)))},
            )  # fmt: skip
        return None

    def field(self, value: Any, row: FigureRow | _Errors) -> int | None:
        if value in (None, ""):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Excel turned "0511" into 511: try the code with its leading zeros back.
            digits = cell_text(value)
            options = {digits.zfill(width) for width in (2, 3, 4)} & set(self.fields)
            if len(options) == 1:
                return self.fields[options.pop()]
        code = cell_text(value).split(" ")[0]
        if code in self.fields:
            return self.fields[code]
        row.error(
            "field",
            _("“%(value)s” is not an ISCED-F 2013 field code (2 to 4 digits, e.g. 0511); in "
              "Excel, format the column as text to keep leading zeros.") % {"value": value},
        )  # fmt: skip
        return None

    def institution(self, value: Any, row: FigureRow | _Errors, field: str) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        if text.isdigit():
            if int(text) in self.institution_ids:
                return int(text)
            row.error(field, _("No institution has the id %(id)s.") % {"id": text})
            return None
        assert self.matcher is not None
        match = self.matcher.match(text)
        if match.verdict == SURE:
            return match.institution_id
        if match.candidates:
            row.error(
                field,
                _("“%(name)s” may be %(candidates)s: write the institution's id or its exact "
                  "name.") % {"name": text, "candidates": "; ".join(
                      f"{c.name} (id {c.institution_id}, {c.score:.0f})"
                      for c in match.candidates[:3])},
            )  # fmt: skip
        else:
            row.error(field, _("No institution matches “%(name)s”.") % {"name": text})
        return None


# The columns an import writes, by attname; the others take their defaults.
COLUMNS = (
    "origin_country", "destination_country", "home_institution_id", "host_institution_id",
    "mobility_type", "level", "field_id", "sex", "measure", "year", "as_of", "value",
    "qualifier", "host_institution_count", "source_id", "notes",
)  # fmt: skip
# The dimensions of the unique constraint, and the facts a figure states for them.
KEY = (
    "origin_country", "destination_country", "home_institution_id", "host_institution_id",
    "mobility_type", "level", "field_id", "sex", "measure", "year", "as_of", "source_id",
)  # fmt: skip
FACTS = ("value", "qualifier", "host_institution_count", "notes")


# The constraint's coalesced empty values: no institution, field or date is 0, 0 or NO_DATE.
COALESCED = {"home_institution_id": 0, "host_institution_id": 0, "field_id": 0, "as_of": NO_DATE}


def _keys(columns: Mapping[str, Sequence[Any]]) -> list[tuple]:
    """Each figure's ``KEY`` values (given by columns), its empty values coalesced as the
    unique constraint does."""
    return list(
        zip(
            *[
                [value or COALESCED[name] for value in columns[name]]
                if name in COALESCED
                else columns[name]
                for name in KEY
            ],
            strict=True,
        )
    )


def _facts(values: Sequence[Any]) -> tuple:
    value, qualifier, host_institution_count, notes = values
    return (value, qualifier, host_institution_count, notes or "")


class _Errors:
    """Collects the messages of one cell's conversion (``row.error``'s signature)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def error(self, field: str, message: str) -> None:
        self.items.append((field, str(message)))


def _distinct(cells: Sequence[Any]) -> list[Any]:
    """The distinct cells of a column, 1, 1.0, True and "1" told apart; a cell no reader
    gives (a list, a mapping) is kept as it is."""
    return list(_distinct_keys(cells)[1])


def _distinct_keys(cells: Sequence[Any]) -> tuple[Sequence[Any], dict[Any, Any]]:
    """Each cell's key, and the distinct keys mapped to their cell. A key is the cell itself
    when the column holds one type (and None), else (type, cell)."""
    mixed = len(set(map(type, cells)) - {type(None)}) > 1
    keys: Sequence[Any] = list(zip(map(type, cells), cells, strict=True)) if mixed else cells
    try:
        distinct = dict(zip(keys, cells, strict=True))
    except TypeError:  # unhashable: every cell its own key
        keys = range(len(cells))
        distinct = dict(enumerate(cells))
    return keys, distinct


def _convert_column(
    convert, cells: Sequence[Any]
) -> tuple[list[Any], list[tuple[int, list[tuple[str, str]]]]]:
    """``convert(cell, errors)`` computed once per distinct cell: a 50,000-row file holds a
    few hundred distinct values per column (issue 18: the check at the database's speed).
    Returns the column's values and, for the rows whose cell has messages, those."""
    keys, distinct = _distinct_keys(cells)
    values: dict[Any, Any] = {}
    messages: dict[Any, list[tuple[str, str]]] = {}
    for key, cell in distinct.items():
        errors = _Errors()
        values[key] = convert(cell, errors)
        if errors.items:
            messages[key] = errors.items
    converted = list(map(values.__getitem__, keys))
    if not messages:
        return converted, []
    return converted, [(i, messages[key]) for i, key in enumerate(keys) if key in messages]


def _country(value: Any, row: FigureRow | _Errors, field: str, codes: set[str]) -> str:
    code = cell_text(value).upper()
    if not code:
        row.error(field, _("Give the country as an ISO 3166-1 alpha-2 code, e.g. KZ."))
    elif code not in codes:
        row.error(
            field,
            _("“%(code)s” is not a country code (ISO 3166-1 alpha-2, e.g. KZ).")
            % {"code": cell_text(value)},
        )
    return code


def _year(value: Any, row: FigureRow | _Errors) -> int | None:
    text = cell_text(value)
    academic = re.fullmatch(r"(\d{4})\s*[/–-]\s*(\d{2}|\d{4})", text)
    if academic:  # a flow's academic year, "2024/2025" or "2024/25": its first year
        return int(academic.group(1))
    try:
        year = as_int(value)
    except ValueError:
        year = None
    if year is None:
        row.error(
            "year",
            _("“%(value)s” is not a year; write it as 2024 (or 2024/2025).") % {"value": text},
        )
    return year


def mobility_figures_check(
    *,
    rows: Sequence[Mapping[str, Any]] = (),
    row_numbers: Sequence[int] | None = None,
    columns: Mapping[str, Sequence[Any]] | None = None,
) -> FigureImport:
    """Check many mobility figures without saving anything.

    Rules: known country codes, origin and destination different; codes (or labels, in any
    interface language) of the type, level, sex, measure and qualifier; a known ISCED-F
    field; a whole, non-negative value; "as of" only for a stock and in its year; the
    source found by id, URL or exact title, and institutions by id or a sure name match;
    the model's own field rules and clean(); no two rows, and no row and a figure already
    in the register, for the same dimensions and source — an identical figure already in
    the register is reported as unchanged and not saved again. Queries do not grow with
    the number of rows. Messages name other rows by ``row_numbers`` (as the spreadsheet
    numbers them), by default 1, 2, 3...

    The figures come as ``rows`` (a mapping of cells by ``FIELDS`` key each) or as
    ``columns`` (each key's cells, row by row: what a file kept by columns gives at once).
    """
    if columns is None:
        columns = {key: [row.get(key) for row in rows] for key in FIELDS}
    size = max(map(len, columns.values()), default=0)
    if size > MAX_ROWS:
        return FigureImport(
            errors=[
                _("%(count)s rows is more than one import can hold (%(max)s); split the file.")
                % {"count": size, "max": MAX_ROWS}
            ],
        )
    if not size:
        return FigureImport(errors=[_("There are no rows to save.")])
    columns = {key: columns.get(key) or [None] * size for key in FIELDS}
    lookup = _choice_lookup()
    codes = {code for code, _name in countries}
    resolver = _Resolver(columns)
    result = FigureImport(size=size)
    # Column by column, each distinct cell converted and checked once (_convert_column):
    # the model's field rules too, as full_clean() applies them (full_clean() on every row
    # was most of the check's time, issue 18). Foreign keys are resolved in bulk
    # (_Resolver), countries and codes checked against their lists, constraints here and
    # against the register in _flag_duplicates. A row's messages come in the order of the
    # columns, then of the rules across columns.
    for key, name, convert in _converters(lookup, codes, resolver):
        result.columns[name], messages = _convert_column(convert, columns[key])
        for index, items in messages:
            for field, message in items:
                result.error(index, field, message)
    _check_across_columns(result)
    _flag_duplicates(result, row_numbers or range(1, size + 1))
    return result


def _check_across_columns(result: FigureImport) -> None:
    """The rules that read more than one column: origin and destination differ, "as of"
    only for a stock, and ``MobilityFigure.clean()`` (once per distinct year and date)."""
    same_country = _constraint_message("mobilityfigure_origin_differs_from_destination")
    as_of_stock = _constraint_message("mobilityfigure_as_of_only_for_stock")
    values, errors = result.columns, result.row_errors
    origins, destinations = values["origin_country"], values["destination_country"]
    for index in [i for i, origin in enumerate(origins) if origin and origin == destinations[i]]:
        if "origin_country" not in errors.get(index, ()):
            result.error(index, "destination_country", same_country)
    cleaned: dict[tuple, list[tuple[str, str]]] = {}
    years, measures = values["year"], values["measure"]
    for index in [i for i, as_of in enumerate(values["as_of"]) if as_of]:
        as_of = values["as_of"][index]
        if measures[index] not in (None, Measure.STOCK):
            result.error(index, "as_of", as_of_stock)
        if years[index] and not {"year", "as_of"} & errors.get(index, {}).keys():
            key = (years[index], as_of)
            if key not in cleaned:
                found = _Errors()
                _model_clean(*key, found)
                cleaned[key] = found.items
            for field, message in cleaned[key]:
                result.error(index, field, message)


def _converters(lookup: dict, codes: set[str], resolver: _Resolver) -> list[tuple[str, str, Any]]:
    """Each imported column's key, the attname it fills and its conversion from a cell
    (value and messages), called once per distinct cell (``_convert_column``)."""

    def choice(field: str):
        choices = CHOICES[field]
        label = str(MobilityFigure._meta.get_field(field).verbose_name)

        def convert(raw: Any, errors: _Errors) -> str | None:
            text = cell_text(raw)
            if not text and field in DEFAULTS:
                return DEFAULTS[field]
            code = lookup[field].get(text.casefold())
            if code is None:
                errors.error(
                    field,
                    _("“%(value)s” is not a %(field)s; use one of: %(choices)s.")
                    % {"value": text, "field": label, "choices": ", ".join(choices.values)}
                    if text
                    else _("Give the %(field)s: one of %(choices)s.")
                    % {"field": label, "choices": ", ".join(choices.values)},
                )
            return code

        return convert

    def country(field: str):
        return lambda raw, errors: _country(raw, errors, field, codes)

    def institution(field: str):
        return lambda raw, errors: resolver.institution(raw, errors, field)

    def date(raw: Any, errors: _Errors) -> datetime.date | None:
        try:
            return as_date(raw)
        except ValueError:
            errors.error(
                "as_of",
                _("“%(value)s” is not a date; write YYYY-MM-DD (or DD.MM.YYYY).")
                % {"value": cell_text(raw)},
            )
            return None

    def number(field: str):
        def convert(raw: Any, errors: _Errors) -> int | None:
            try:
                value = as_int(raw)
            except ValueError:
                errors.error(
                    field, _("“%(value)s” is not a whole number.") % {"value": cell_text(raw)}
                )
                return None
            if value is None and field == "value":
                errors.error("value", _("Give the value: the number of people."))
            return value

        return convert

    def ruled(field: str, convert):
        """``convert``, then the model field's own rules on a value that converted."""

        def checked(raw: Any, errors: _Errors) -> Any:
            value = convert(raw, errors)
            if not errors.items:
                for message in _field_messages(field, value):
                    errors.error(field, message)
            return value

        return checked

    return [
        *[(field, field, choice(field)) for field in CHOICES],
        *[(field, field, country(field)) for field in ("origin_country", "destination_country")],
        ("year", "year", ruled("year", _year)),
        ("as_of", "as_of", ruled("as_of", date)),
        *[
            (field, field, ruled(field, number(field)))
            for field in ("value", "host_institution_count")
        ],
        ("notes", "notes", ruled("notes", lambda raw, errors: cell_text(raw))),
        ("source", "source_id", resolver.source),
        ("field", "field_id", resolver.field),
        *[
            (field, f"{field}_id", institution(field))
            for field in ("home_institution", "host_institution")
        ],
    ]


def _field_messages(name: str, value: Any) -> list[str]:
    """The messages of the model field's own rules (``Field.clean()``: validators, the
    column's range) for ``value``, as ``full_clean()`` gives them."""
    field = MobilityFigure._meta.get_field(name)
    if field.blank and value in field.empty_values:
        return []  # as full_clean() skips it
    try:
        field.clean(value, None)
    except ValidationError as exc:
        return [str(message) for message in exc.messages]
    return []


def _model_clean(year: int, as_of: datetime.date, errors: _Errors) -> None:
    """The messages of ``MobilityFigure.clean()``, which compares the year with the "as of"
    date and nothing else (a rule reading another field must be added to its cache key)."""
    try:
        MobilityFigure(year=year, as_of=as_of).clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.error(field, message)


def _flag_duplicates(result: FigureImport, numbers: Sequence[int]) -> None:
    """The same dimensions and source twice in the file, or already in the register (one
    query: the register's figures of the file's sources and years, their keys and facts)."""
    errors, values = result.row_errors, result.columns
    ready = [i for i in range(result.size) if i not in errors] if errors else range(result.size)
    if not ready:
        return
    sources = {values["source_id"][i] for i in ready}
    years = {values["year"][i] for i in ready}
    found = list(
        MobilityFigure.objects.filter(source_id__in=sources, year__in=years)
        .order_by()
        .values_list("pk", *KEY, *FACTS)
    )
    existing: dict[tuple, tuple[int, tuple]] = {}
    if found:
        register = dict(zip(["pk", *KEY, *FACTS], zip(*found, strict=True), strict=True))
        for row, key in zip(found, _keys(register), strict=True):
            existing[key] = (row[0], _facts(row[1 + len(KEY) :]))
    keys = _keys(values)
    seen: dict[tuple, int] = {}
    for index in ready:
        key = keys[index]
        if key in seen:
            result.error(
                index,
                "source",
                _("Row %(row)s already gives a figure for exactly these dimensions and "
                  "source.") % {"row": numbers[seen[key]]},
            )  # fmt: skip
            continue
        seen[key] = index
        if key in existing:
            pk, facts = existing[key]
            if facts == _facts([values[name][index] for name in FACTS]):
                result.existing[index] = pk
            else:
                result.error(
                    index,
                    "value",
                    _("The register already has figure #%(id)s for these dimensions from this "
                      "source, with other values; change it in the admin, or remove this row.")
                    % {"id": pk},
                )  # fmt: skip


def mobility_figures_import(
    *,
    rows: Sequence[Mapping[str, Any]] = (),
    row_numbers: Sequence[int] | None = None,
    columns: Mapping[str, Sequence[Any]] | None = None,
    user=None,
    dry_run: bool = False,
    change_reason: str = "",
) -> FigureImport:
    """Check mobility figures (``rows`` or ``columns``, as ``mobility_figures_check``) and,
    when every row is valid, save the new ones in one transaction with history naming
    ``user``; nothing is saved otherwise. Rows identical to a figure already in the
    register are skipped."""
    result = mobility_figures_check(rows=rows, row_numbers=row_numbers, columns=columns)
    if dry_run or not result.valid:
        return result
    figures = {name: result.columns[name] for name in COLUMNS}
    if result.existing:
        new = [i for i in range(result.size) if i not in result.existing]
        figures = {name: [values[i] for i in new] for name, values in figures.items()}
    if not figures["source_id"]:
        return result  # every row is already in the register: nothing to save
    try:
        with transaction.atomic():
            # No instances: the rows go by COPY and their history by INSERT … SELECT on
            # PostgreSQL (cooperation.audit), the database's own speed (issue 18).
            created = insert_columns_with_history(
                MobilityFigure, figures, user=user, reason=change_reason
            )
    except IntegrityError:
        # Someone saved one of these figures between the check and the save.
        result.errors.append(
            _("Some of these figures were saved by someone else meanwhile; nothing was saved. "
              "Check the file again.")
        )  # fmt: skip
        return result
    result.saved = True
    result.created = len(created)
    return result
