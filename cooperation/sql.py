"""SQL the ORM does not write: a filter on a column being one of many ids; settings for
the statements of a block (a timeout)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connections, transaction
from django.db.models import BooleanField, Expression, F, Q, QuerySet


class AnyOf(Expression):
    """``column = ANY(%s)`` with the ids as one array parameter (PostgreSQL)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, ids: Iterable[int]):
        super().__init__()
        self.column, self.ids = F(column), list(ids)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def resolve_expression(self, *args, **kwargs):
        clone = self.copy()
        clone.column = self.column.resolve_expression(*args, **kwargs)
        return clone

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", [*params, self.ids]


def id_in(
    column: str, ids: Iterable[int], *, using: str, subquery: QuerySet | None = None
) -> Q | Expression:
    """A filter on ``column`` being one of ``ids``, ids already read (thousands of them).

    On PostgreSQL one array parameter: the rows are looked up by index, where the subquery
    that found the ids would run again (0.5 s each time on the dashboard) and thousands of
    ``IN`` parameters cost more to parse than the lookups. Elsewhere ``subquery`` (the
    query that selected the ids) when given, since SQLite limits the parameters of a
    statement (999 in older builds), else ``__in``."""
    if connections[using].vendor == "postgresql":
        return AnyOf(column, ids)
    if subquery is not None:
        return Q(**{f"{column}__in": subquery.order_by().values("pk")})
    return Q(**{f"{column}__in": list(ids)})


class StatementCancelled(Exception):
    """A statement ran past the timeout ``local_settings`` gave it (PostgreSQL)."""


@contextmanager
def local_settings(using: str, **values: str) -> Iterator[None]:
    """PostgreSQL settings (``statement_timeout="2s"``, ``jit="off"``, ``work_mem=...``) for
    the reads inside the block only: in a savepoint rolled back after it, since a released
    savepoint would keep ``set_config(..., true)`` for the rest of an outer transaction.
    Only for reads: whatever the block writes is rolled back. A statement cancelled by
    ``statement_timeout`` raises :class:`StatementCancelled`. Elsewhere (SQLite) the block
    runs as it is."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    try:
        with transaction.atomic(using=using):
            if values:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in values),
                        [item for pair in values.items() for item in pair],
                    )
            yield
            transaction.set_rollback(True, using=using)  # a read: only the settings to undo
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) == "57014":  # query_canceled
            raise StatementCancelled(str(error)) from error
        raise
