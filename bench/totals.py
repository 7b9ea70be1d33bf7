"""Mobility totals at size L against the same rules written by hand in one SQL statement
(issue 18: "totals, any group_by, vs the same rules in raw SQL: <= 2x, peak RSS <= 200 MB").

    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/run.py 7 --repeat 3

Run by ``bench/run.py`` as scenario 7. For each case (a ``group_by`` and some filters) it
times ``/api/mobility-figures/totals/`` through a gunicorn worker started for the purpose
(with that worker's peak RSS for the request), the explorer's pivot (``/mobility/``, whose
pivot reads the same selector, with the page's list of figures around it) and
:func:`raw_totals`, a statement written from the rules as the README states them ("Mobility
totals"), not from the ORM's SQL; and it checks that the API and the statement give the
same numbers, cell by cell.

The statement (PostgreSQL only):

- the filtered figures, each marked ``counted`` when every breakdown dimension that is not
  grouped by holds its total ("all" levels, sex "total", no field, no home or host
  institution) or, where the filters pick values of it without its total, one of those;
- of the counted figures stating the same number (every dimension, the year and the "as of"
  date equal), the one whose source was published last (undated sources oldest; of one
  day, the figure entered last): ``DISTINCT ON``; the others are alternatives;
- those kept, added up per cell and "as of" date; in a cell of stocks the latest date is the
  total and the other dates are earlier counts;
- every cell with a filtered figure is a row, also one with breakdowns only (no value).
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

# Dimension of a total -> its column in the statement below (``fl``: the ISCED-F field).
COLUMNS = {
    "year": "m.year",
    "origin": "m.origin_country",
    "destination": "m.destination_country",
    "mobility_type": "m.mobility_type",
    "level": "m.level",
    "field": "fl.code",
    "sex": "m.sex",
}
# Breakdown -> (its column, the value that is the total; None: the column is empty).
BREAKDOWN_TOTALS = {
    "level": ("m.level", "all"),
    "sex": ("m.sex", "total"),
    "field": ("fl.code", None),
    "home_institution": ("m.home_institution_id", None),
    "host_institution": ("m.host_institution_id", None),
}
# Filters the statement understands -> (column, operator).
FILTERS = {
    "origin": ("m.origin_country", "in"),
    "destination": ("m.destination_country", "in"),
    "mobility_type": ("m.mobility_type", "in"),
    "level": ("m.level", "in"),
    "sex": ("m.sex", "in"),
    "measure": ("m.measure", "in"),
    "field": ("fl.code", "="),
    "year_min": ("m.year", ">="),
    "year_max": ("m.year", "<="),
}
# Filters that pick values of a breakdown (the others only narrow the figures).
PICKING = {"level": "level", "sex": "sex", "field": "field"}
QUALIFIERS = ("exact", "more_than", "at_least", "about", "less_than", "up_to")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def raw_totals_sql(
    group_by: Sequence[str], filters: Mapping[str, Any]
) -> tuple[str, list[Any], list[str]]:
    """The statement, its parameters and the names of its cell's columns."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"the raw statement has no filter {sorted(unknown)}")
    params: list[Any] = []
    where = ["TRUE"]
    for name, value in filters.items():
        column, operator = FILTERS[name]
        if operator == "in":
            where.append(f"{column} = ANY(%s)")
            params.append(_as_list(value))
        else:
            where.append(f"{column} {operator} %s")
            params.append(value)
    counted = ["TRUE"]
    counted_params: list[Any] = []
    for dimension, (column, total) in BREAKDOWN_TOTALS.items():
        if dimension in group_by:
            continue
        picked = (
            _as_list(filters[dimension]) if dimension in PICKING and dimension in filters else []
        )
        if picked and total not in picked:
            counted.append(f"{column} = ANY(%s)")
            counted_params.append(picked)
        elif total is None:
            counted.append(f"{column} IS NULL")
        else:
            counted.append(f"{column} = '{total}'")
    cell_names = [*(f"c_{name}" for name in group_by), "c_measure"]
    cell_select = ", ".join(
        [*(f"{COLUMNS[name]} AS c_{name}" for name in group_by), "m.measure AS c_measure"]
    )
    cell = ", ".join(cell_names)
    same_number = (
        "m.year, m.as_of, m.field_id, m.home_institution_id, m.host_institution_id, "
        "m.origin_country, m.destination_country, m.mobility_type, m.level, m.sex, m.measure"
    )
    per_qualifier = ", ".join(
        f"COUNT(*) FILTER (WHERE qualifier = '{name}') AS q_{name}" for name in QUALIFIERS
    )
    qualifier_sums = ", ".join(f"SUM(q_{name}) AS q_{name}" for name in QUALIFIERS)
    qualifier_zeros = ", ".join(f"0 AS q_{name}" for name in QUALIFIERS)
    qualifier_of_one = " ".join(f"WHEN q_{name} = 1 THEN '{name}'" for name in QUALIFIERS)
    tables = (
        "FROM mobility_mobilityfigure m LEFT JOIN cooperation_iscedfield fl ON fl.id = m.field_id"
    )
    base = f"{tables} WHERE {' AND '.join(where)}"
    sql = f"""
WITH chosen AS (
    SELECT DISTINCT ON ({same_number}) {cell_select}, m.value, m.qualifier, m.source_id,
           CASE WHEN m.measure = 'stock' THEN COALESCE(m.as_of, DATE '0001-01-01') END AS d,
           m.as_of
      {tables} JOIN cooperation_source s ON s.id = m.source_id
     WHERE {" AND ".join(where)} AND {" AND ".join(counted)}
     ORDER BY {same_number}, s.published_on DESC NULLS LAST, m.id DESC
), per_date AS (
    SELECT {cell}, d, SUM(value) AS value, COUNT(*) AS n, COUNT(DISTINCT source_id) AS sources,
           MAX(as_of) AS as_of, {per_qualifier}
      FROM chosen GROUP BY {cell}, d
), latest AS (
    SELECT per_date.*, ROW_NUMBER() OVER (PARTITION BY {cell} ORDER BY d DESC NULLS LAST) AS r,
           SUM(n) OVER (PARTITION BY {cell}) AS n_chosen
      FROM per_date
), summed AS (
    SELECT {cell}, SUM(value) AS value, SUM(sources) AS sources, MAX(as_of) AS as_of,
           {qualifier_sums}, SUM(alternatives) AS alternatives, SUM(earlier) AS earlier,
           SUM(breakdowns) AS breakdowns
      FROM (
        SELECT {cell}, value, sources, as_of, {", ".join(f"q_{q}" for q in QUALIFIERS)},
               -n_chosen AS alternatives, n_chosen - n AS earlier, 0 AS breakdowns
          FROM latest WHERE r = 1
        UNION ALL
        SELECT {cell_select}, NULL, 0, NULL, {qualifier_zeros},
               COUNT(*) FILTER (WHERE {" AND ".join(counted)}),
               0, COUNT(*) FILTER (WHERE NOT ({" AND ".join(counted)}))
          {base} GROUP BY {cell}
      ) parts
     GROUP BY {cell}
)
SELECT {cell}, value,
       CASE WHEN {" + ".join(f"q_{q}" for q in QUALIFIERS)} = 0 THEN NULL
            WHEN {" + ".join(f"q_{q}" for q in QUALIFIERS)} = 1 THEN CASE {qualifier_of_one} END
            WHEN q_about > 0 OR (q_more_than + q_at_least > 0 AND q_less_than + q_up_to > 0)
                 THEN 'about'
            WHEN q_more_than + q_at_least > 0 THEN 'at_least'
            WHEN q_less_than + q_up_to > 0 THEN 'up_to'
            ELSE 'exact' END AS qualifier,
       CASE WHEN c_measure = 'stock' THEN as_of END AS as_of,
       {" + ".join(f"q_{q}" for q in QUALIFIERS)} AS figures, sources, alternatives, earlier,
       breakdowns
  FROM summed"""
    # In the order of the statement's placeholders: the choice's filters and counted
    # condition, then the two counts' conditions before their filters.
    all_params = [*params, *counted_params, *counted_params, *counted_params, *params]
    return sql, all_params, cell_names


def _total_fields() -> list[str]:
    """The API's columns of a total that the statement gives, in its order."""
    from mobility.api import TOTALS_COLUMNS

    return [name for name in TOTALS_COLUMNS if name not in ("text", "approximate")]


def raw_totals(
    cursor, group_by: Sequence[str], filters: Mapping[str, Any]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """(the group_by values..., measure) -> (value, qualifier, as_of, figures, sources,
    alternatives, earlier, breakdowns), from the hand-written statement."""
    sql, params, names = raw_totals_sql(group_by, filters)
    cursor.execute(sql, params)
    return {
        tuple(row[: len(names)]): tuple(
            int(value) if isinstance(value, Decimal) else value for value in row[len(names) :]
        )
        for row in cursor.fetchall()
    }


def totals_of_api(body: Mapping[str, Any], group_by: Sequence[str]) -> dict[tuple, tuple]:
    """The API's answer in the shape of :func:`raw_totals`."""
    result = {}
    for row in body["results"]:
        values = [row[name] for name in _total_fields()]
        if values[2]:
            values[2] = datetime.date.fromisoformat(values[2])
        result[(*(row[name] for name in group_by), row["measure"])] = tuple(values)
    return result


def query_string(filters: Mapping[str, Any], **more: str) -> str:
    pairs = list(more.items())
    for name, value in filters.items():
        pairs += [(name, item) for item in _as_list(value)]
    return urlencode(pairs)


# The cases measured: group_bys a reader asks for, without and with filters.
SEVEN = ["year", "origin", "destination", "mobility_type", "level", "field", "sex"]
KZ_AZ = {"origin": ["KZ", "AZ"], "destination": ["KZ", "AZ"]}
CASES: list[tuple[str, list[str], dict[str, Any]]] = [
    ("year", ["year"], {}),
    ("year, 2015 on, stocks", ["year"], {"year_min": 2015, "measure": "stock"}),
    ("year, levels 6 and 7 picked", ["year"], {"level": ["6", "7"]}),
    ("year,origin,destination", ["year", "origin", "destination"], {}),
    ("year,origin,destination KZ-AZ (dashboard)", ["year", "origin", "destination"], KZ_AZ),
    ("year,mobility_type,level,sex", ["year", "mobility_type", "level", "sex"], {}),
    ("level,field", ["level", "field"], {}),
    ("7 keys", SEVEN, {}),
    ("7 keys, KZ->AZ", SEVEN, {"origin": "KZ", "destination": "AZ"}),
    ("7 keys, KZ->AZ, 2020 on", SEVEN, {"origin": "KZ", "destination": "AZ", "year_min": 2020}),
]
# The explorer's pivots measured (its pivot is group_by year + the pivot's dimensions).
PIVOT_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("explorer, direction, KZ-AZ", "direction", KZ_AZ),
    ("explorer, level", "level", {}),
    ("explorer, level, KZ->AZ", "level", {"origin": "KZ", "destination": "AZ"}),
    ("explorer, sex, 2015 on", "sex", {"year_min": 2015}),
]


def _clear_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets the peak (VmHWM) to the present RSS (Linux >= 4.0).
    with open(f"/proc/{pid}/clear_refs", "w") as handle:
        handle.write("5")


def _once(fn: Callable, repeat: int) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _pivot(pivot: str, filters: Mapping[str, Any]) -> None:
    """The explorer's pivot alone, in this process (its totals and the figures behind each
    cell: ``mobility.views.mobility_pivot``), for the filters of the page."""
    from django.http import QueryDict
    from django.test import override_settings

    from mobility.filtersets import MobilityFigureFilterSet
    from mobility.models import MobilityFigure
    from mobility.selectors import breakdowns_picked
    from mobility.views import mobility_pivot

    filterset = MobilityFigureFilterSet(
        QueryDict(query_string(filters)), queryset=MobilityFigure.objects.all()
    )
    assert filterset.is_valid(), filterset.errors
    picked = breakdowns_picked(filterset.form.cleaned_data)
    with override_settings(UNIBRIDGE_TOTALS_SECONDS=300):  # as the server in this scenario
        mobility_pivot(filterset.qs, pivot=pivot, picked=picked)


def _timed_get(url: str, repeat: int, median_time: Callable) -> tuple[float, Any]:
    import requests

    answers = []

    def get():
        answers.append(requests.get(url, timeout=900))

    return median_time(get, repeat), answers[-1]


def _raw_time(group_by, filters, repeat: int, median_time: Callable) -> tuple[float, dict]:
    from django.db import connection

    found = []

    def raw():
        # The statement with the same sort memory as the selector gives its own (256 MB).
        with connection.cursor() as cursor:
            cursor.execute("SET work_mem = '256MB'")
            found.append(raw_totals(cursor, group_by, filters))
            cursor.execute("RESET work_mem")

    return median_time(raw, repeat), found[-1]


def scenario(repeat: int, *, port: int, report: Callable, median_time: Callable, gunicorn, rss_mb):
    """Scenario 7 of bench/run.py (its helpers passed in): each case through one gunicorn
    worker, whose peak RSS is reset before each case."""
    import requests
    from django.conf import settings

    from mobility.views import PIVOTS

    # The statement timeout lifted to see how long each total takes (the deployed 5 s
    # would cut the slow ones short); the cap on the number of totals kept as deployed.
    deployed = settings.UNIBRIDGE_TOTALS_SECONDS
    os.environ["UNIBRIDGE_TOTALS_SECONDS"] = "300"
    server = gunicorn(port, 1)
    try:
        worker = server.workers()[0]
        base = f"http://127.0.0.1:{port}"
        requests.get(f"{base}/bench/bare/", timeout=30)  # the worker has its imports
        for key, (title, group_by, filters) in enumerate(CASES, start=1):
            query = query_string(filters, group_by=",".join(group_by))
            _clear_peak(worker)
            baseline = rss_mb(worker)
            app, response = _timed_get(
                f"{base}/api/mobility-figures/totals/?{query}", repeat, median_time
            )
            peak = rss_mb(worker, "VmHWM")
            if response.status_code == 400:
                # Refused (more totals than the cap): the statement's time, for the record,
                # once (the seven keys over every figure take minutes).
                limit, expected = _raw_time(group_by, filters, 1, _once)
            else:
                limit, expected = _raw_time(group_by, filters, repeat, median_time)
            same = None
            if response.status_code == 200:
                got = totals_of_api(response.json(), group_by)
                same = got == expected
                for cell in [cell for cell in expected if got.get(cell) != expected[cell]][:3]:
                    print(f"    differ at {cell}: api {got.get(cell)} raw {expected[cell]}")
            ratio = app / limit
            report(
                f"7.{key}",
                f"totals {title}",
                app,
                limit,
                "<= 2x, <= 200 MB",
                response.status_code in (200, 400)
                and same is not False
                and ratio <= 2
                and peak <= 200,
                status=response.status_code,
                cells=len(expected),
                same_numbers=same,
                within_deployed_timeout=app <= deployed,
                peak_mb=round(peak, 1),
                baseline_mb=round(baseline, 1),
                query=query,
            )
        for key, (title, pivot, filters) in enumerate(PIVOT_CASES, start=1):
            group_by = ["year", *PIVOTS[pivot][1]]
            query = query_string(filters, pivot=pivot)
            _clear_peak(worker)
            app, response = _timed_get(f"{base}/mobility/?{query}", repeat, median_time)
            peak = rss_mb(worker, "VmHWM")
            limit, expected = _raw_time(group_by, filters, repeat, median_time)
            pivot_time = median_time(
                lambda pivot=pivot, filters=filters: _pivot(pivot, filters), repeat
            )
            shown = 'id="pivot-table"' in response.text
            refused = "narrow the filters" in response.text
            report(
                f"7.p{key}",
                f"{title} (the whole page: list, count, pivot, chart)",
                app,
                limit,
                "<= 2x, <= 200 MB",
                response.status_code == 200 and not refused and app / limit <= 2 and peak <= 200,
                status=response.status_code,
                pivot_refused=refused,
                pivot_shown=shown,
                cells=len(expected),
                within_deployed_timeout=app <= deployed,
                peak_mb=round(peak, 1),
                pivot_ms=round(pivot_time * 1000, 1),
                pivot_ratio=round(pivot_time / limit, 2),
                query=query,
            )
    finally:
        server.stop()
        os.environ.pop("UNIBRIDGE_TOTALS_SECONDS", None)
