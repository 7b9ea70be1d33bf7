"""Case-insensitive text search in every script on every database (issue 15).

Every ``icontains`` of the project (page filters, API filters and search, admin search,
imports) compares ``cooperation.text.casefold`` forms of the column and of the words:
SQLite's own LIKE folds ASCII only and PostgreSQL's UPPER keeps the Azerbaijani "İ"
apart from "I". On SQLite the column goes through ``UNIBRIDGE_CASEFOLD``, that Python
function registered on each new connection; on PostgreSQL through the same rule in SQL
(``LOWER(TRANSLATE(col, 'İı', 'Ii'))``, built from the same constants). Institution names
keep their transliterated ``search_text`` (universities.models), which also matches across
scripts."""

from django.db.backends.signals import connection_created
from django.db.models import Field
from django.db.models.lookups import IContains

from cooperation.text import DOTTED_I, PLAIN_I, casefold

SQL_FUNCTION = "UNIBRIDGE_CASEFOLD"


class UnicodeIContains(IContains):
    """``icontains`` that folds every script's case on SQLite too."""

    def as_sqlite(self, compiler, connection):
        if not self.rhs_is_direct_value() or self.bilateral_transforms:
            return super().as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        params = [*lhs_params, *(casefold(p) if isinstance(p, str) else p for p in rhs_params)]
        return f"{SQL_FUNCTION}({lhs_sql}) LIKE {rhs_sql} ESCAPE '\\'", params

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value() or self.bilateral_transforms:
            return super().as_sql(compiler, connection)
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        params = [
            *lhs_params,
            DOTTED_I,
            PLAIN_I,
            *(casefold(p) if isinstance(p, str) else p for p in rhs_params),
        ]
        return f"LOWER(TRANSLATE(({lhs_sql})::text, %s, %s)) LIKE {rhs_sql}", params


def register_casefold(sender, connection, **kwargs) -> None:
    """On SQLite: the casefold function, and the collations of cooperation.collation."""
    if connection.vendor == "sqlite":
        from cooperation.collation import register_sqlite_collations

        connection.connection.create_function(SQL_FUNCTION, 1, casefold, deterministic=True)
        register_sqlite_collations(connection)


def install() -> None:
    """Replace Django's ``icontains`` for every field and register the SQLite function on
    every connection (already open ones included)."""
    from django.db import connections

    Field.register_lookup(UnicodeIContains)
    connection_created.connect(register_casefold, dispatch_uid="unibridge_casefold")
    for alias in connections:
        connection = connections[alias]
        if connection.connection is not None:
            register_casefold(None, connection)
