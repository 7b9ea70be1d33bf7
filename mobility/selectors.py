"""Reads of mobility figures that are more than a filter: the totals that the explorer's
pivot and its export, the dashboard's chart and ``/api/mobility-figures/totals/`` show.

They all call ``mobility_totals`` (and the explorer ``mobility_total_details``, which says
which figures each total used and which it left out): the rules of adding figures up live
here once, and run in the database, so a total over millions of figures reads no figure
into Python.
"""

import dataclasses
import datetime
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import (
    Case,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Collate, RowNumber
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperation.choices import IscedLevel, Qualifier
from cooperation.sql import StatementCancelled, local_settings

from .choices import Measure, Sex

# Dimension of a total -> the figure's column that holds it.
TOTAL_DIMENSIONS = {
    "year": "year",
    "origin": "origin_country",
    "destination": "destination_country",
    "mobility_type": "mobility_type",
    "level": "level",
    "field": "field__code",
    "sex": "sex",
    "measure": "measure",
}
# Dimensions that break a total down -> (the column, the value of the total, the column the
# filters name). "All levels" and "level 6" of the same year must never be added up.
BREAKDOWNS: dict[str, tuple[str, Any]] = {
    "level": ("level", IscedLevel.ALL.value),
    "sex": ("sex", Sex.TOTAL.value),
    "field": ("field__code", None),
    "home_institution": ("home_institution_id", None),
    "host_institution": ("host_institution_id", None),
}
# Filters of MobilityFigureFilterSet that pick values of a breakdown dimension.
FILTERS_PICKING = {
    "level": ("level",),
    "sex": ("sex",),
    "field": ("field",),
    "home_institution_id": ("home_institution",),
    "host_institution_id": ("host_institution",),
    "institution_id": ("home_institution", "host_institution"),
}
# What makes two figures statements of the same number: every dimension and the period.
# Two of them can differ only by their source (the model's unique constraint). (In this
# order after the total's own dimensions: numbers first, which a sort compares faster
# than text.)
SERIES = (
    "year",
    "as_of",
    "field_id",
    "home_institution_id",
    "host_institution_id",
    "origin_country",
    "destination_country",
    "mobility_type",
    "level",
    "sex",
    "measure",
)
# A dimension of a total that stands for a column of SERIES: the field's code for its id
# (codes are unique).
STANDS_FOR = {"field__code": "field_id"}
# SERIES' text columns (after its numbers), and the field's code.
TEXT_COLUMNS = {*SERIES[SERIES.index("origin_country") :], "field__code"}
UNDATED = datetime.date(1, 1, 1)  # an undated stock is older than any dated one of its year


class Status:
    """Why a figure that matches the filters is, or is not, in its total."""

    USED = 0
    ALTERNATIVE = 1  # another source states the same number and was published later
    EARLIER = 2  # a stock counted before the date the total is taken at
    BREAKDOWN = 3  # a part of a total (level, sex, field, institution) not grouped by

    LABELS = {
        USED: "used",
        ALTERNATIVE: "alternative",
        EARLIER: "earlier",
        BREAKDOWN: "breakdown",
    }


def breakdowns_picked(cleaned_data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Values of breakdown dimensions that the filters of the mobility figures pick
    (MobilityFigureFilterSet's cleaned data): ``{"level": ["6", "7"]}``."""
    picked: dict[str, list[Any]] = {}
    for name, dimensions in FILTERS_PICKING.items():
        value = cleaned_data.get(name)
        if value in (None, "", []):
            continue
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        for dimension in dimensions:
            picked.setdefault(dimension, []).extend(values)
    return picked


def _counted(group_by: Collection[str], picked: Mapping[str, Collection[Any]]) -> Q:
    """The figures that may be added up: for every breakdown dimension that is not grouped
    by, its total only, or, when the filters pick some of its values (and not the total),
    those values, which do not overlap."""
    condition = Q()
    for dimension, (column, total) in BREAKDOWNS.items():
        if dimension in group_by:
            continue
        values = [value for value in picked.get(dimension, ()) if value not in ("", None)]
        if values and total not in values:
            condition &= Q(**{f"{column}__in": values})
        elif total is None:
            # On the figure's own column ("field_id IS NULL"), not through the join: the
            # planner then knows how many rows it keeps.
            condition &= Q(**{f"{column.split('__')[0]}__isnull": True})
        else:
            condition &= Q(**{column: total})
    return condition


def _fixed(group_by: Collection[str], picked: Mapping[str, Collection[Any]]) -> set[str]:
    """The columns of SERIES that ``_counted`` holds to one value (a total, or the one value
    picked): the same in every figure counted, they need not be compared when sorting."""
    fixed = set()
    for dimension, (column, total) in BREAKDOWNS.items():
        if dimension in group_by:
            continue
        values = {value for value in picked.get(dimension, ()) if value not in ("", None)}
        if not values or total in values or len(values) == 1:
            fixed.add(STANDS_FOR.get(column, column))
    return fixed


def _bytewise(column: str, using: str) -> F | Collate:
    """A column to tell equal values apart, compared byte by byte: a partition only needs
    equality, and PostgreSQL sorts text in the database's collation 3-4 times slower."""
    if connections[using].vendor == "postgresql" and column in TEXT_COLUMNS:
        return Collate(F(column), "C")
    return F(column)


def _classified_sql(
    figures: QuerySet,
    group_by: Sequence[str],
    picked: Mapping[str, Collection[Any]],
    *,
    branch: str,
) -> tuple[str, tuple[Any, ...], list[str]]:
    """SQL of the filtered figures, one row each, with its cell (``g0``, ``g1``..., ``g_measure``)
    and its ``status`` (Status), and the names of the cell's columns.

    ``branch="counted"``: the figures that may be added up, ranked by window functions
    (used, an alternative, an earlier count). ``branch="breakdowns"``: the others, only
    labelled (with the cell and ``t_pk``): at size L they are 95% of the figures, and
    sorting them with the others took 40 s.

    The figures are sorted once (issue 18: three sorts of 1.5 million figures took 20 of the
    23 s of a total by year, type, level and sex at size L): both windows partition by the
    cell first, the same expressions, so the sort for the one serves the other, and the
    totals' GROUP BY reads the cells in that order (their text compared byte by byte, as the
    partitions, so that PostgreSQL knows the order is the same)."""
    counted = _counted(group_by, picked)
    columns = [TOTAL_DIMENSIONS[dimension] for dimension in group_by] + ["measure"]
    names = [f"g{i}" for i in range(len(group_by))] + ["g_measure"]
    base = figures.order_by().annotate(
        **{
            name: _bytewise(column, figures.db) for name, column in zip(names, columns, strict=True)
        },
        t_pk=F("pk"),
    )
    cell = [F(name) for name in names]
    if branch == "breakdowns":
        # Negated as a condition, not as CASE ... = 0: the planner then expects the millions
        # of rows it gets, and counts them per cell by hashing instead of sorting them (an
        # unknown CASE is taken to keep 0.5% of the rows). Django's negation keeps the
        # figures without a field ("NOT (code IN (...) AND code IS NOT NULL)").
        left_out = base.filter(~counted) if counted else base.filter(pk__isnull=True)
        sql, params = left_out.values(*names, "t_pk").query.get_compiler(figures.db).as_sql()
        return f"SELECT f.*, {Status.BREAKDOWN} AS status FROM ({sql}) f", params, names
    in_cell = {STANDS_FOR.get(column, column) for column in columns} | _fixed(group_by, picked)
    series = cell + [_bytewise(column, figures.db) for column in SERIES if column not in in_cell]
    ranked = base.filter(counted).annotate(
        t_value=F("value"),
        t_qualifier=F("qualifier"),
        t_as_of=F("as_of"),
        t_source=F("source_id"),
        t_date=Coalesce("as_of", Value(UNDATED)),
        # Of the figures stating the same number, the source published last is used; of
        # one day's publications (or undated ones), the figure entered last.
        t_rank=Window(
            RowNumber(),
            partition_by=series,
            order_by=[Coalesce("source__published_on", Value(UNDATED)).desc(), F("pk").desc()],
        ),
        # Stocks are added only at one date: the latest one in the cell.
        t_cell_date=Window(
            Max(Case(When(measure=Measure.STOCK, then=F("t_date")))), partition_by=cell
        ),
    )
    columns = ["t_value", "t_qualifier", "t_as_of", "t_source", "t_date", "t_rank", "t_cell_date"]
    sql, params = ranked.values(*names, "t_pk", *columns).query.get_compiler(figures.db).as_sql()
    status = (
        f"CASE WHEN f.t_rank > 1 THEN {Status.ALTERNATIVE} "
        f"WHEN f.g_measure = '{Measure.STOCK.value}' AND f.t_date < f.t_cell_date "
        f"THEN {Status.EARLIER} ELSE {Status.USED} END"
    )
    return f"SELECT f.*, {status} AS status FROM ({sql}) f", params, names


class TotalsTooLarge(Exception):
    """A total a reader asked for that the server will not compute: it would give more than
    ``UNIBRIDGE_TOTALS_MAX_CELLS`` totals, or take longer than ``UNIBRIDGE_TOTALS_SECONDS``
    (PostgreSQL's statement timeout). Pages and the API show the message, which says what
    to narrow; nothing else is refused with it."""


def _too_many_cells() -> TotalsTooLarge:
    cells = settings.UNIBRIDGE_TOTALS_MAX_CELLS
    return TotalsTooLarge(
        ngettext(
            "These figures give more than %(cells)s total: narrow the filters (a year range, "
            "a country) or group by fewer dimensions. The figures themselves can be exported "
            "as a list.",
            "These figures give more than %(cells)s totals: narrow the filters (a year range, "
            "a country) or group by fewer dimensions. The figures themselves can be exported "
            "as a list.",
            cells,
        )
        % {"cells": number_format(cells, force_grouping=True)}
    )


def _too_slow() -> TotalsTooLarge:
    return TotalsTooLarge(
        _(
            "Adding up this many figures takes longer than %(seconds)s seconds: narrow the "
            "filters (a year range, a country) or group by fewer dimensions."
        )
        % {"seconds": settings.UNIBRIDGE_TOTALS_SECONDS}
    )


def _sort_key(values: Sequence[Any]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is None, value if value is not None else "") for value in values)


# Memory for the sorts of the window functions, for one statement: with PostgreSQL's
# default (4 MB) the 500,000 figures of a total by level at size L are sorted on disk.
# (A sort takes what it needs, 75 MB there, not the whole of it.)
SORT_MEMORY = "256MB"


def _read(
    using: str,
    sql: str,
    params: Sequence[Any],
    *,
    limit: int | None = None,
    refuse: bool = True,
) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, at most ``limit`` (TotalsTooLarge past it, or with
    ``refuse=False`` the first ``limit``), read within ``UNIBRIDGE_TOTALS_SECONDS`` on
    PostgreSQL (TotalsTooLarge when cancelled).

    The rows past the limit are never read, nor made where the plan can stop: on
    PostgreSQL through a cursor (``DECLARE``, then one ``FETCH`` of limit + 1 rows). Not a
    ``LIMIT`` in the statement: the planner then picks a plan for the first rows (the
    figures walked in the order of an index of years to count 7,000 breakdowns of KZ-AZ,
    0.9 s, where a hash of the 10,800 figures the countries' index finds takes 15 ms);
    ``cursor_tuple_fraction`` 1 plans the cursor for all its rows."""
    # JIT compiled the expressions for 1.3 s at size L and ran them no faster.
    timeout = f"{int(settings.UNIBRIDGE_TOTALS_SECONDS * 1000)}ms"
    connection = connections[using]
    try:
        with (
            local_settings(
                using,
                work_mem=SORT_MEMORY,
                jit="off",
                statement_timeout=timeout,
                cursor_tuple_fraction="1",
            ),
            connection.chunked_cursor() if limit is not None else connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
            rows = cursor.fetchmany(limit + 1) if limit is not None else cursor.fetchall()
    except StatementCancelled as error:
        raise _too_slow() from error
    if limit is not None and len(rows) > limit:
        if not refuse:
            return rows[:limit]
        raise _too_many_cells()
    return rows


def _date(value: Any) -> datetime.date | None:
    # SQLite hands back the text of a date read through a subquery.
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def mobility_totals(
    *,
    figures: QuerySet,
    group_by: Sequence[str],
    picked: Mapping[str, Collection[Any]] | None = None,
) -> list[dict[str, Any]]:
    """One total per combination of the ``group_by`` dimensions and per measure, with what
    it is made of. ``figures`` is the filtered figures; ``picked`` the values of breakdown
    dimensions that the filters pick (``breakdowns_picked``).

    The rules (README, "Mobility totals"):

    1. A stock is never added to a flow: ``measure`` (Measure) is always a dimension.
    2. Stocks are added only at the same date: a total of stocks is taken at the latest
       "as of" date among its figures (an undated stock counts as older than any dated one
       of its year); the stocks counted earlier are left out as earlier counts.
    3. A breakdown (level, sex, field, home or host institution) is never added to its
       total nor to other breakdowns: unless the dimension is grouped by, only the figures
       for all of it count ("all levels", "total", no field, no institution), or, when the
       filters pick values of it without its total, those values.
    4. Where several sources give a number for the same dimensions and period (the same
       year, and for a stock the same date), the one published last is used (of sources
       published the same day, or undated, the figure entered last); the others are left
       out as alternatives, never summed.
    5. A qualifier travels with the number: one figure keeps its own ("more than 1000"); a
       sum with a lower bound in it is "at least" (Qualifier.of_sum).

    Each row: the group_by dimensions, ``measure``, ``value`` (None when no figure could be
    counted), ``qualifier``, ``text`` ("at least 1005"), ``approximate``, ``as_of`` (the
    stocks' date), ``figures`` and ``sources`` used, and ``alternatives``, ``earlier`` and
    ``breakdowns``: how many figures were left out, and why.
    """
    group_by = list(dict.fromkeys(dimension for dimension in group_by if dimension != "measure"))
    unknown = set(group_by) - set(TOTAL_DIMENSIONS)
    if unknown:
        raise ValueError(f"Cannot group mobility figures by {', '.join(sorted(unknown))}")
    if figures.query.is_empty():
        return []  # none() (a filter refused): nothing to total, and no SQL to build
    picked = picked or {}
    classified, params, names = _classified_sql(figures, group_by, picked, branch="counted")
    used = f"c.status = {Status.USED}"
    qualifiers = [choice.value for choice in Qualifier]
    per_qualifier = ", ".join(
        f"SUM(CASE WHEN {used} AND c.t_qualifier = '{name}' THEN 1 ELSE 0 END)"
        for name in qualifiers
    )
    left_out = ", ".join(
        f"SUM(CASE WHEN c.status = {status} THEN 1 ELSE 0 END)"
        for status in (Status.ALTERNATIVE, Status.EARLIER)
    )
    columns = ", ".join(f"c.{name}" for name in names)
    sql = (
        f"SELECT {columns}, SUM(CASE WHEN {used} THEN c.t_value END), "
        f"COUNT(DISTINCT CASE WHEN {used} THEN c.t_source END), "
        f"MAX(CASE WHEN {used} THEN c.t_as_of END), {per_qualifier}, {left_out}, 0 "
        f"FROM ({classified}) c GROUP BY {columns}"
    )
    if _counted(group_by, picked):
        # The breakdowns are only counted, per cell, in the same statement.
        breakdowns, more_params, _names = _classified_sql(
            figures, group_by, picked, branch="breakdowns"
        )
        nothing = ", ".join(["NULL", "0", "NULL", *["0"] * len(qualifiers), "0", "0"])
        sql += (
            f" UNION ALL SELECT {columns}, {nothing}, COUNT(*) FROM ({breakdowns}) c"
            f" GROUP BY {columns}"
        )
        params = (*params, *more_params)
    cells: dict[tuple[Any, ...], list[Any]] = {}
    # A cell has at most two rows (its used figures, its breakdowns).
    limit = 2 * settings.UNIBRIDGE_TOTALS_MAX_CELLS
    for row in _read(figures.db, sql, params, limit=limit):
        cell, numbers = tuple(row[: len(names)]), list(row[len(names) :])
        if cell in cells:  # used figures, then breakdowns: the second adds its count
            cells[cell][-1] += numbers[-1]
        else:
            cells[cell] = numbers
    if len(cells) > settings.UNIBRIDGE_TOTALS_MAX_CELLS:
        raise _too_many_cells()
    dimensions = [*group_by, "measure"]
    results = []
    for cell, row in cells.items():
        value, sources, as_of = row[:3]
        counts = dict(zip(qualifiers, row[3 : 3 + len(qualifiers)], strict=True))
        alternatives, earlier, breakdowns = row[3 + len(qualifiers) :]
        qualifier = Qualifier.of_sum(counts)
        results.append(
            {
                **dict(zip(dimensions, cell, strict=True)),
                "value": value,
                "qualifier": qualifier.value if qualifier else None,
                "text": Qualifier.phrase(value, qualifier),
                "approximate": qualifier not in (None, Qualifier.EXACT),
                "as_of": _date(as_of) if cell[-1] == Measure.STOCK else None,
                "figures": sum(counts.values()),
                "sources": sources,
                "alternatives": alternatives,
                "earlier": earlier,
                "breakdowns": breakdowns,
            }
        )
    results.sort(key=lambda total: _sort_key([total[name] for name in dimensions]))
    return results


@dataclasses.dataclass(frozen=True)
class FigureInTotal:
    """A figure as one total used it or left it out."""

    pk: int
    value: int
    qualifier: str
    as_of: datetime.date | None
    year: int
    level: str
    sex: str
    field: str | None
    mobility_type: str
    source_id: int
    source_title: str
    status: str  # Status.LABELS

    @property
    def text(self) -> str:
        return Qualifier.phrase(self.value, self.qualifier)


def mobility_total_details(
    *,
    figures: QuerySet,
    group_by: Sequence[str],
    picked: Mapping[str, Collection[Any]] | None = None,
    per_reason: int = 5,
    limit: int = 2000,
) -> dict[tuple[Any, ...], list[FigureInTotal]]:
    """The figures behind each total of ``mobility_totals`` (same arguments), used first:
    at most ``per_reason`` of each status per total (of the breakdowns, the first and the
    last entered) and ``limit`` in all, keyed by the total's dimensions (the group_by ones,
    then the measure). Three queries, whatever the number of figures."""
    group_by = [dimension for dimension in dict.fromkeys(group_by) if dimension != "measure"]
    if figures.query.is_empty():
        return {}  # none() (a filter refused), as in mobility_totals
    picked = picked or {}
    classified, params, names = _classified_sql(figures, group_by, picked, branch="counted")
    cell_columns = ", ".join(f"d.{name}" for name in names)
    partition = ", ".join(f"c.{name}" for name in names)
    sql = (
        f"SELECT {cell_columns}, d.t_pk, d.status FROM ("
        f"SELECT c.*, ROW_NUMBER() OVER (PARTITION BY {partition}, c.status"
        " ORDER BY c.t_date DESC, c.t_pk DESC) AS n"
        f" FROM ({classified}) c) d WHERE d.n <= %s"
        f" ORDER BY {cell_columns}, d.status, d.t_date DESC, d.t_pk DESC LIMIT %s"
    )
    found = [
        (tuple(row[: len(names)]), row[-2], row[-1])
        for row in _read(figures.db, sql, (*params, per_reason, limit))
    ]
    if len(found) < limit and _counted(group_by, picked):
        classified, params, names = _classified_sql(figures, group_by, picked, branch="breakdowns")
        sql = (
            f"SELECT {partition}, MIN(c.t_pk), MAX(c.t_pk) FROM ({classified}) c"
            f" GROUP BY {partition}"
        )
        for row in _read(figures.db, sql, params, limit=(limit - len(found)) // 2, refuse=False):
            cell = tuple(row[: len(names)])
            found += [(cell, pk, Status.BREAKDOWN) for pk in dict.fromkeys(row[-2:])]
    rows = (
        figures.model.objects.filter(pk__in=[pk for _cell, pk, _status in found])
        .order_by()
        .values_list(
            "pk",
            "value",
            "qualifier",
            "as_of",
            "year",
            "level",
            "sex",
            "field__code",
            "mobility_type",
            "source_id",
            "source__title",
        )
        .using(figures.db)
    )
    figure_of = {row[0]: row for row in rows}
    details: dict[tuple[Any, ...], list[FigureInTotal]] = {}
    for cell, pk, status in sorted(found, key=lambda item: item[2]):
        pk, value, qualifier, as_of, year, level, sex, field, kind, source, title = figure_of[pk]
        details.setdefault(cell, []).append(
            FigureInTotal(
                pk=pk,
                value=value,
                qualifier=qualifier,
                as_of=as_of,
                year=year,
                level=level,
                sex=sex,
                field=field,
                mobility_type=kind,
                source_id=source,
                source_title=title,
                status=Status.LABELS[status],
            )
        )
    return details
