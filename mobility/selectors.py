"""Reads of mobility figures that are more than a filter: the totals the dashboards and
analysts use."""

import datetime
from collections.abc import Collection, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from cooperation.choices import IscedLevel, Qualifier

from .choices import Sex

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
# Dimensions that break a figure down. Unless a total is grouped by one (or the filters pick
# values of it), only the figures stated for all of it are summed: "all levels" and "level 6"
# of the same year would otherwise be counted twice.
BREAKDOWNS = {
    "level": Q(level=IscedLevel.ALL),
    "sex": Q(sex=Sex.TOTAL),
    "field": Q(field__isnull=True),
    "home_institution": Q(home_institution__isnull=True),
    "host_institution": Q(host_institution__isnull=True),
}
_FIGURE_KEY = (
    "origin_country",
    "destination_country",
    "home_institution_id",
    "host_institution_id",
    "mobility_type",
    "level",
    "field__code",
    "sex",
    "measure",
    "year",
)


def _sort_key(values: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is None, value if value is not None else "") for value in values)


def mobility_totals(
    *, figures: QuerySet, group_by: Sequence[str], fixed: Collection[str] = ()
) -> list[dict[str, Any]]:
    """Sum ``figures`` per combination of ``group_by`` dimensions, and per measure.

    The rules that keep a total honest:
    - stocks and flows are never added together: every row names its measure;
    - a breakdown dimension (level, sex, field, home or host institution) that is neither
      grouped by nor in ``fixed`` (picked by a filter) counts only its "all" figures;
    - one figure per set of dimensions: where several sources state it, the one published
      last wins (two sources that disagree are not added up), and of a stock the count of
      the latest date in the year is taken.
    """
    for dimension, condition in BREAKDOWNS.items():
        if dimension not in group_by and dimension not in fixed:
            figures = figures.filter(condition)
    rows = (
        figures.prefetch_related(None)
        .order_by()
        .values(
            *_FIGURE_KEY, "as_of", "value", "qualifier", "source_id", "source__published_on", "pk"
        )
    )
    oldest = datetime.date.min
    chosen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[column] for column in _FIGURE_KEY)
        rank = (row["as_of"] or oldest, row["source__published_on"] or oldest, row["pk"])
        current = chosen.get(key)
        if current is None or rank > current["rank"]:
            chosen[key] = {**row, "rank": rank}
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    dimensions = [dimension for dimension in group_by if dimension != "measure"] + ["measure"]
    for row in chosen.values():
        key = tuple(row[TOTAL_DIMENSIONS[dimension]] for dimension in dimensions)
        total = totals.setdefault(
            key, {"value": 0, "approximate": False, "figures": 0, "sources": set()}
        )
        total["value"] += row["value"]
        total["approximate"] |= row["qualifier"] != Qualifier.EXACT
        total["figures"] += 1
        total["sources"].add(row["source_id"])
    return [
        {
            **dict(zip(dimensions, key, strict=True)),
            "value": total["value"],
            "approximate": total["approximate"],
            "figures": total["figures"],
            "sources": len(total["sources"]),
        }
        for key, total in sorted(totals.items(), key=lambda item: _sort_key(item[0]))
    ]
