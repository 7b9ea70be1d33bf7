"""CSV lines written by PostgreSQL itself, for exports of millions of rows.

The general export paths (DRF serializers for the API, django-tables2 for the pages) cost
0.3-1 ms of Python per row: a CSV of all 2 million mobility figures took 15 minutes to
hours where ``COPY ... TO STDOUT WITH CSV`` takes seconds (bench/RESULTS.md, scenario 3).
Here PostgreSQL writes the CSV itself, ``COPY (…) TO STDOUT WITH (FORMAT csv)``, byte for
byte as Python's ``csv.writer`` writes the values of the general path, streamed as it runs,
so memory stays flat and Python only joins bytes. (A server-side cursor over a query that
built each line with ``concat()`` came to 2.0-2.8x of a bare COPY: a cursor never runs in
parallel, and quoting in SQL cost more than COPY's own.)

The filtered, sorted queryset itself computes each cell (``.values()``, so filters, joins
and order are exactly the view's; time stamps as DRF writes them, the formula guard,
true/false), where PostgreSQL's parallel workers compute them; an outer query fenced by
``OFFSET 0`` drops the primary key and writes empty codes as empty cells; COPY quotes.

Each exported column's cell is declared once, in the list's declaration
(cooperation.exports, e.g. mobility.columns), as a :class:`CsvColumn`: the API's and the
list page's CSV (one export) use it. tests/api/test_csv_sql.py holds both paths to the same
bytes on data chosen to hit every rule. Other databases (SQLite) keep the general path.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import CharField, Expression, F, QuerySet, TextField
from django.utils import timezone

from . import cells

# Bytes per chunk handed to the response, and chunks kept waiting at most.
CHUNK_BYTES = 1 << 20
QUEUE_CHUNKS = 4
_DONE = object()


def _sql_text(text: str) -> str:
    """``text`` as a PostgreSQL string literal: E'' with \\x escapes for a quote, a
    backslash and what is not printable (a tab reads the same whatever the settings), and
    % as \\x25, since the query goes through the driver's parameter substitution."""
    body = "".join(c if c.isprintable() and c not in "'\\%" else f"\\x{ord(c):02x}" for c in text)
    return f"E'{body}'"


# cooperation.cells.csv_cell in SQL, built from its constants: a text that starts like a
# formula (quotes in front of it included) and is not a plain number gets a leading quote.
# First characters are compared as code points (ascii() is the first one's, 0 for ''), and
# most texts are passed on the first test: 2 million names in 1.4-1.8 s where comparing
# left(text, 1) with each prefix took 2.1-2.5 s, and no guard 1.0 s (psql, 2026-12-02).
_FORMULA_CODES = ", ".join(str(ord(prefix)) for prefix in cells.FORMULA_PREFIXES)
_NUMBER = _sql_text(f"^({cells.NUMBER_PATTERN})$")
_QUOTE = _sql_text(cells.QUOTE)
_GUARD = (
    f"(CASE WHEN ascii({{0}}) NOT IN ({ord(cells.QUOTE)}, {_FORMULA_CODES}) THEN {{0}}"
    f" WHEN ascii(ltrim({{0}}, {_QUOTE})) IN ({_FORMULA_CODES}) AND {{0}} !~ {_NUMBER}"
    f" THEN {_QUOTE} || {{0}} ELSE {{0}} END)"
)


# datetime.isoformat() as DRF writes it, in the transaction's time zone (csv_lines sets it
# to the current one): six digits of microseconds when there are some, the offset as
# +HH:MM (+HH:MM:SS for the odd historical one: Almaty was UTC+5:07:48 until 1924), "Z"
# for a zero offset. NULL stays NULL.
_DATETIME = (
    "to_char({0}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN date_trunc('second', {0}) = {0} THEN '' ELSE to_char({0}, '.US') END"
    " || CASE WHEN date_part('timezone', {0}) = 0 THEN 'Z'"
    " WHEN date_part('timezone', {0})::int %% 60 = 0 THEN to_char({0}, 'TZH:TZM')"
    " ELSE to_char({0}, 'TZH:TZM') || ':'"
    " || lpad((abs(date_part('timezone', {0})::int) %% 60)::text, 2, '0') END"
)


# A JSON object column (translations by language) as json.dumps writes the dict it reads:
# compact, its keys in the order jsonb keeps them, strings escaped as to_json does.
_JSON_OBJECT = (
    "COALESCE((SELECT '{' || string_agg(to_json(key)::text || ':' || value::text, ','"
    " ORDER BY place) || '}' FROM jsonb_each(({0})::jsonb) WITH ORDINALITY"
    " AS entries(key, value, place)), '{' || '}')"  # not '{}': _Sql's placeholder
)


@dataclass(frozen=True)
class CsvColumn:
    """One exported column: ``expression`` (a field path, an expression, or a function
    giving one for each export, e.g. the text in the reader's language) written as
    ``kind``: "text" (with ``guard``, the default: cooperation.cells.csv_cell's rule, a
    leading ' when it starts like a formula, as every CSV writer writes text), "plain" (as
    PostgreSQL writes the type: ids, numbers, choice and country codes), "date" (ISO),
    "datetime" (DRF's ISO 8601 in the current time zone), "bool" (true/false) or "object"
    (a JSON object column, as json.dumps writes the dict). NULL is an empty cell; COPY
    quotes where CSV needs it."""

    expression: str | Expression | Callable[[], Expression]
    kind: str = "text"
    guard: bool = True

    def cell(self) -> Expression:
        """The cell's value as COPY should write it."""
        expression = self.expression
        if callable(expression) and not isinstance(expression, Expression):
            expression = expression()  # of this export: the reader's language
        expression = F(expression) if isinstance(expression, str) else expression
        if self.kind == "object":
            return _Sql(_JSON_OBJECT, expression)
        if self.kind == "date":
            return expression  # the type's output function (DateStyle ISO)
        if self.kind == "plain":
            return _Plain(expression)
        if self.kind == "bool":
            return _Sql("CASE WHEN {0} THEN 'true' WHEN NOT {0} THEN 'false' END", expression)
        if self.kind == "datetime":
            return _Sql(_DATETIME, expression)
        if self.kind == "text":
            t = "({0})::text"
            if self.guard:
                t = _GUARD.replace("{0}", t)
            # COPY quotes as csv.writer's QUOTE_MINIMAL does (a comma, a quote or a line
            # break; quotes inside doubled), and also an empty string, which csv.writer
            # writes as nothing: empty text goes out as NULL, an empty cell.
            return _Sql(f"NULLIF({t}, '')", expression)
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
    """Whether this path serves ``queryset``: PostgreSQL through psycopg2 (whose
    ``copy_expert`` streams a COPY), and an unsliced queryset."""
    connection = connections[queryset.db]
    return (
        connection.vendor == "postgresql"
        and connection.Database.__name__ == "psycopg2"
        and not queryset.query.is_sliced
    )


def csv_lines(queryset: QuerySet, columns: Sequence[CsvColumn]) -> Iterator[bytes]:
    """The CSV lines (without header) of every row of ``queryset``, in its order, UTF-8
    encoded, in chunks of about CHUNK_BYTES."""
    cells = {f"csv_{index}": column.cell() for index, column in enumerate(columns)}
    # The primary key too, though not written: a filter that makes the queryset DISTINCT
    # must keep two rows whose exported columns happen to be equal, as the general path does.
    # The cells are computed in the filtered, sorted query itself, so that PostgreSQL's
    # parallel workers compute them (in an outer query the leader alone did: 2.8 s of 8.6).
    inner = queryset.prefetch_related(None).select_related(None).values("pk", **cells)
    inner_sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    # OFFSET 0 keeps the inner query a subquery (no inlining), whose order the outer scan
    # keeps; the outer one leaves the primary key out.
    annotations = inner.query.annotations
    outer = [
        f"NULLIF({alias}, '')" if getattr(annotations[alias], "empty_as_null", False) else alias
        for alias in cells
    ]
    select = f"SELECT {', '.join(outer)} FROM ({inner_sql} OFFSET 0) AS csv_values"
    connection = connections[queryset.db]
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        # JIT compiles the expressions of a line for 2-3 s before the first row and
        # then runs them no faster than the interpreter (bench/RESULTS.md).
        cursor.execute("SET LOCAL jit = off")
        # Dates as ISO text whatever the server's defaults; time stamps in the reader's
        # time zone, as DRF writes them (for this transaction only).
        cursor.execute("SET LOCAL DateStyle = 'ISO'")
        cursor.execute(
            "SELECT set_config('TimeZone', %s, true)", [timezone.get_current_timezone_name()]
        )
        raw = cursor.cursor
        # COPY takes no parameters: psycopg2 quotes them in, as it does for every query.
        copy = raw.mogrify(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params)
        try:
            yield from _copy_out(raw, copy)
        finally:
            # Nothing was written: rolling back undoes the settings above also inside an
            # outer transaction (a savepoint keeps SET LOCAL when released), where Django
            # would read time stamps in the wrong zone afterwards.
            transaction.set_rollback(True, using=queryset.db)


def _copy_out(raw_cursor, sql: bytes) -> Iterator[bytes]:
    """Stream a ``COPY ... TO STDOUT`` as it runs. psycopg2's ``copy_expert`` writes the
    whole output to a file object and returns at the end, so it runs in a thread that hands
    chunks over through a small queue (memory stays at a few chunks); the generator yields
    them. A reader who goes away stops the COPY (cancel) and the thread."""
    chunks: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
    stopped = threading.Event()

    class Writer:
        # One call per row, the row ending in "\n" (COPY's line end on every platform):
        # csv.writer ends lines with "\r\n", and a line break inside a quoted value stays.
        def __init__(self) -> None:
            self.parts: list[bytes] = []
            self.size = 0

        def write(self, row: bytes) -> int:
            self.parts += (row[:-1], b"\r\n")
            self.size += len(row)
            if self.size >= CHUNK_BYTES:
                self.flush()
            return len(row)

        def flush(self) -> None:
            if self.parts and not stopped.is_set():
                chunks.put(b"".join(self.parts))
            self.parts, self.size = [], 0

    def run() -> None:
        writer = Writer()
        try:
            raw_cursor.copy_expert(sql, writer)
            writer.flush()
            chunks.put(_DONE)
        except BaseException as exc:  # handed to the reader, raised there
            chunks.put(exc)

    thread = threading.Thread(target=run, name="csv-copy", daemon=True)
    thread.start()
    finished = False
    try:
        while (chunk := chunks.get()) is not _DONE:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk
        finished = True
    finally:
        if not finished:
            stopped.set()
            if thread.is_alive():
                raw_cursor.connection.cancel()
            while thread.is_alive():  # unblock a put() on a full queue
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.05)
        thread.join()


class _Plain(_Sql):
    """A value as its type writes it. A text value may be empty ('': a code that nothing in
    the database forbids to be blank), which COPY writes as "" and csv.writer as nothing:
    csv_lines writes those as NULL after the sort (``empty_as_null``). Not in the sorted
    query: NULLIF there copies every value into the sort, +0.8-1.2 s on 2 million rows."""

    def __init__(self, expression):
        super().__init__("{0}", expression)

    @property
    def empty_as_null(self) -> bool:
        return isinstance(self.expression.output_field, CharField | TextField)


# --------------------------------------------------------------------------- JSON cells
# A list-valued column (an agreement's parties, its conditions) is one cell holding its
# JSON array, written by the general path as json.dumps(value, ensure_ascii=False,
# separators=(",", ":")) (cooperation.exports.csv_value). PostgreSQL's own json output
# differs (spaces after ":" and ",", keys reordered by jsonb), so the text is put together
# here: keys in the serializer's order, strings through to_json(), whose escapes are
# json.dumps's (\" \\ \b \f \n \r \t, other control characters as \u00XX, the rest as it
# is), numbers as their type writes them, NULL as null.


def json_value(sql: str, kind: str) -> str:
    """SQL for the JSON text of one value: "number" (ids, counts, a numeric: 5.0 as
    Python writes the float DRF gives), "string" (text, a date in ISO, a code), or
    "strings" (a JSON array column of strings, e.g. study levels, written element by
    element) or "json" (JSON text already, a nested json_array)."""
    if kind == "number":
        return f"COALESCE(({sql})::text, 'null')"
    if kind == "string":
        return f"COALESCE(to_json(({sql})::text)::text, 'null')"
    if kind == "json":  # already JSON text (a json_array)
        return sql
    if kind == "strings":
        return (
            "COALESCE((SELECT '[' || string_agg(to_json(element)::text, ',' ORDER BY place)"
            f" || ']' FROM jsonb_array_elements_text(({sql})::jsonb) WITH ORDINALITY"
            " AS elements(element, place)), '[]')"
        )
    raise ValueError(f"unknown JSON value kind {kind!r}")


def json_object(fields: Sequence[tuple[str, str, str]]) -> str:
    """SQL for the JSON text of an object of ``fields``: (key, SQL, kind), in order."""
    parts = []
    for index, (key, sql, kind) in enumerate(fields):
        opening = "{" if index == 0 else ","
        parts += [_sql_text(f'{opening}"{key}":'), json_value(sql, kind)]
    return " || ".join([*parts, "'}'"])


def json_array(element: str, source: str, order: str) -> str:
    """SQL for the JSON text of the array of ``element`` (the SQL of one item's JSON) over
    the rows ``source`` (FROM … WHERE …, which may name the outer row as ``{outer}``), in
    ``order``; [] when there are none."""
    return (
        f"COALESCE((SELECT '[' || string_agg({element}, ',' ORDER BY {order}) || ']'"
        f" FROM {source}), '[]')"
    )


class Correlated(Expression):
    """SQL text computed for each row of the queryset it annotates, naming that row's table
    as ``{outer}`` (a correlated subquery: a JSON array of an agreement's parties)."""

    output_field = TextField()

    def __init__(self, template: str):
        super().__init__()
        self.template = template

    def as_sql(self, compiler, connection):
        outer = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"({self.template.replace('{outer}', outer)})", []


# Names for the SQL of list-valued cells, from the models (never typed twice).


def table(model) -> str:
    """``model``'s table."""
    return model._meta.db_table


def column(model, name: str) -> str:
    """The column of ``model``'s field ``name``."""
    return model._meta.get_field(name).column


def m2m(model, name: str) -> tuple[str, str, str]:
    """The through table of ``model.name`` and its two columns (this side, the other)."""
    field = model._meta.get_field(name)
    return field.m2m_db_table(), field.m2m_column_name(), field.m2m_reverse_name()


def ordering(model, alias: str) -> str:
    """SQL for ``model``'s ``Meta.ordering`` over the table aliased ``alias``, then the id
    (for ties): the order in which Django reads its rows (a prefetch, a related list).
    Fields of the model itself only; a descending one as PostgreSQL sorts it (NULLs first,
    as Django leaves them)."""
    terms = []
    for term in model._meta.ordering:
        if not isinstance(term, str) or "__" in term:
            raise ValueError(f"{model.__name__}: ordering {term!r} is not a field of its own")
        name = term.lstrip("-")
        terms.append(f"{alias}.{column(model, name)}{' DESC' if term.startswith('-') else ''}")
    return ", ".join([*terms, f"{alias}.{model._meta.pk.column}"])


def related_ids(model, name: str) -> Correlated:
    """The JSON array of the ids of the outer row's ``model.name`` (a many-to-many field:
    sources, organisers), as a PrimaryKeyRelatedField writes them: in the related model's
    order."""
    through, own, other = m2m(model, name)
    target = model._meta.get_field(name).related_model
    return Correlated(
        json_array(
            f"m.{other}::text",
            f"{through} m JOIN {table(target)} t ON t.id = m.{other} WHERE m.{own} = {{outer}}.id",
            ordering(target, "t"),
        )
    )
