"""CSV lines written by PostgreSQL itself, for exports of millions of rows.

The general export paths (DRF serializers for the API, django-tables2 for the pages) cost
0.3-1 ms of Python per row: a CSV of all 2 million mobility figures took 15 minutes to
hours where ``COPY ... TO STDOUT WITH CSV`` takes seconds (bench/RESULTS.md, scenario 3).
Here PostgreSQL renders each whole CSV line, byte for byte as Python's ``csv.writer`` writes
the values of the general path, and the lines are read through a server-side cursor, so
memory stays flat and Python only joins strings.

The query is two levels: the filtered, sorted queryset selects each column's raw values
(``.values()``, so filters, joins and order are exactly the view's), fenced by ``OFFSET 0``
so PostgreSQL does not inline it; the outer level formats them, reading each value as a
plain column however many times the CSV rules mention it.

Each exported column is declared once, next to the viewset or table it mirrors, as a
:class:`CsvColumn`. tests/api/test_csv_sql.py holds both paths to the same bytes on data
chosen to hit every rule. Other databases (SQLite) keep the general path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Expression, F, QuerySet, TextField
from django.utils import timezone

# Rows fetched per round trip of the server-side cursor.
CHUNK_SIZE = 10_000

# cooperation.api.FORMULA_PREFIXES: a spreadsheet would read such a cell as a formula.
_FORMULA_START = "('=', '+', '-', '@', E'\\t', E'\\r')"


@dataclass(frozen=True)
class CsvColumn:
    """One exported column: ``expression`` (a field path or an expression) rendered as
    ``kind``: "text" (quoted when csv.writer would; ``guard``: prefixed with ' when it
    starts like a formula, as the API does for text), "plain" (as PostgreSQL writes it,
    never quoted: ids, numbers, choice and country codes), "date" (ISO), "datetime" (DRF's
    ISO 8601 in the current time zone) or "bool" (true/false). NULL is an empty cell."""

    expression: str | Expression
    kind: str = "text"
    guard: bool = False

    def values(self, alias: str) -> dict[str, Expression]:
        """The raw values the outer level formats, by alias (the inner level's columns)."""
        expression = F(self.expression) if isinstance(self.expression, str) else self.expression
        if self.kind == "datetime":
            # The wall-clock time in the current zone as text, and the zone's offset at that
            # moment (Almaty was UTC+6 until March 2024, then +5): the wall clock there less
            # the wall clock in UTC.
            zone = timezone.get_current_timezone_name()
            return {
                alias: _Sql("replace((({}) AT TIME ZONE %s)::text, ' ', 'T')", expression, zone),
                f"{alias}_offset": _Sql(
                    "(({0}) AT TIME ZONE %s) - (({0}) AT TIME ZONE 'UTC')", expression, zone
                ),
            }
        return {alias: expression}

    def render(self, alias: str) -> str:
        """SQL writing the cell from the aliases of :meth:`values` (no parameters); NULL
        for an empty cell (concat() in the line writes nothing for it)."""
        v = alias
        if self.kind in ("plain", "date"):
            return v  # concat() writes it with the type's output function (DateStyle ISO)
        if self.kind == "bool":
            return f"CASE WHEN {v} THEN 'true' WHEN NOT {v} THEN 'false' END"
        if self.kind == "datetime":
            # datetime.isoformat(): all six digits of the microseconds when there are some
            # (PostgreSQL drops trailing zeros), the offset as +HH:MM (+HH:MM:SS for the odd
            # historical one), and "Z" for UTC, as DRF writes it. ::text is 2.5x cheaper
            # than to_char on 2 million rows. NULL stays NULL.
            o = f"{alias}_offset"
            magnitude = f"(CASE WHEN {o} < interval '0' THEN -{o} ELSE {o} END)::text"
            return (
                f"CASE WHEN length({v}) > 19 THEN rpad({v}, 26, '0') ELSE {v} END || "
                f"CASE WHEN {o} = interval '0' THEN 'Z' ELSE "
                f"CASE WHEN {o} < interval '0' THEN '-' ELSE '+' END || "
                f"CASE WHEN right({magnitude}, 3) = ':00' THEN left({magnitude}, 5) "
                f"ELSE {magnitude} END END"
            )
        if self.kind == "text":
            t = f"{v}::text"
            if self.guard:
                t = f"(CASE WHEN left({t}, 1) IN {_FORMULA_START} THEN '''' || {t} ELSE {t} END)"
            # QUOTE_MINIMAL: quoted when it holds a comma, a quote or a line break, the
            # quotes inside doubled. strpos is several times cheaper than a regular expression.
            needs_quotes = " OR ".join(
                f"strpos({v}::text, {char}) > 0" for char in ("','", "'\"'", "E'\\r'", "E'\\n'")
            )
            return (
                f"CASE WHEN {needs_quotes} THEN '\"' || replace({t}, '\"', '\"\"') || '\"' "
                f"ELSE {t} END"
            )
        raise ValueError(f"unknown CSV column kind {self.kind!r}")


class _Sql(Expression):
    """``template`` around one expression, which ``{0}`` places (as often as it says), with
    ``params`` for its %s (each placement of the expression brings its own parameters)."""

    def __init__(self, template: str, expression, *params):
        super().__init__()
        self.template, self.expression, self.params = template, expression, params

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def resolve_expression(self, *args, **kwargs):
        clone = self.copy()
        clone.expression = self.expression.resolve_expression(*args, **kwargs)
        return clone

    @property
    def output_field(self):
        return TextField()  # never converted: the outer level reads it in SQL only

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.expression)
        pieces = self.template.replace("{}", "{0}").split("{0}")
        own = list(self.params)
        out_sql, out_params = pieces[0], own[: pieces[0].count("%s")]
        del own[: pieces[0].count("%s")]
        # Each placement of the expression brings its parameters, each piece after it its own.
        for piece in pieces[1:]:
            out_sql += sql + piece
            out_params += [*params, *own[: piece.count("%s")]]
            del own[: piece.count("%s")]
        return f"({out_sql})", out_params


def supported(queryset: QuerySet) -> bool:
    """Whether this path serves ``queryset``: PostgreSQL, with server-side cursors (without
    them the driver would hold every line in memory), and an unsliced queryset."""
    connection = connections[queryset.db]
    return (
        connection.vendor == "postgresql"
        and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
        and not queryset.query.is_sliced
    )


def csv_lines(queryset: QuerySet, columns: Sequence[CsvColumn]) -> Iterator[bytes]:
    """The CSV lines (without header) of every row of ``queryset``, in its order, UTF-8
    encoded, one chunk per round trip of a server-side cursor."""
    values: dict[str, Expression] = {}
    cells = []
    for index, column in enumerate(columns):
        alias = f"csv_{index}"
        values.update(column.values(alias))
        cells.append(column.render(alias))
    # The primary key too, though not written: a filter that makes the queryset DISTINCT
    # must keep two rows whose exported columns happen to be equal, as the general path does.
    inner = queryset.prefetch_related(None).select_related(None).values("pk", **values)
    inner_sql, params = inner.query.sql_with_params()
    # concat(): one allocation for the whole line where a chain of || copies it at every
    # step, and NULL written as nothing. At most 100 arguments per call: nested by 90.
    pieces = [piece for cell in cells for piece in (cell, "','")][:-1] + ["E'\\r\\n'"]
    while len(pieces) > 90:
        pieces = [f"concat({', '.join(pieces[i : i + 90])})" for i in range(0, len(pieces), 90)]
    line = f"concat({', '.join(pieces)})"
    # OFFSET 0 keeps the inner query a subquery (no inlining), whose order the outer scan
    # keeps.
    sql = f"SELECT {line} AS _csv_line FROM ({inner_sql} OFFSET 0) AS csv_values"
    connection = connections[queryset.db]
    # In a transaction, the server-side cursor streams rows as PostgreSQL makes them; in
    # autocommit it would be WITH HOLD and materialise the whole result before the first row.
    with transaction.atomic(using=queryset.db):
        with connection.cursor() as cursor:
            # JIT compiles the hundred expressions of a line for 2-3 s before the first row
            # and then runs them no faster than the interpreter (bench/RESULTS.md).
            cursor.execute("SET LOCAL jit = off")
            # Every row is read: plan for the whole result (hash joins and one sort), not for
            # the first 10% that a cursor is planned for by default (nested loops).
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            # Dates and times as text in ISO form, intervals as HH:MM:SS, whatever the
            # server's defaults.
            cursor.execute("SET LOCAL DateStyle = 'ISO'")
            cursor.execute("SET LOCAL IntervalStyle = 'postgres'")
        with connection.chunked_cursor() as cursor:
            as_bytes = _lines_as_bytes(cursor.cursor)
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(CHUNK_SIZE):
                if as_bytes:
                    yield b"".join(row[0] for row in rows)
                else:
                    yield "".join(row[0] for row in rows).encode("utf-8")


def _lines_as_bytes(cursor) -> bool:
    """Have psycopg2 hand the lines over as the UTF-8 bytes the database sent: decoding
    2 million lines to str and encoding them back cost 2.5 s of a 2 million row export."""
    try:
        from psycopg2 import extensions
    except ImportError:  # psycopg 3: str it is
        return False
    if not isinstance(cursor, extensions.cursor) or cursor.connection.encoding != "UTF8":
        return False
    extensions.register_type(extensions.BYTES, cursor)
    return True
