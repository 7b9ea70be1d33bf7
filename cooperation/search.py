"""Search through trigram indexes on PostgreSQL (issue 18).

The register's ``?q=`` and the directory's search compare folded text with ``LIKE
'%word%'`` (``cooperation.lookups``: ``casefold`` of titles and reference codes;
``universities.models``: the transliterated ``search_text`` of institutions). On
PostgreSQL, GIN indexes of ``pg_trgm`` (migrations ``universities.0004`` and
``agreements.0010``, built by ``TrigramIndex`` below) answer those ``LIKE``s without
reading every row, and let a misspelt word still find: when no row holds a word as typed,
the word is matched by trigram word similarity instead (``Almatty`` finds Almaty). SQLite
keeps the plain scans, exact matches only.
"""

from __future__ import annotations

from django.db import connection
from django.db.migrations.operations.base import Operation
from django.db.models import Func, Lookup, TextField

from cooperation.text import DOTTED_I, PLAIN_I

# A word counts as a misspelling of a word of a text from pg_trgm's word_similarity 0.6
# (its setting ``pg_trgm.word_similarity_threshold``, left at its default): "almatty" is
# 0.75 like "almaty".


def casefold_sql(column_sql: str) -> str:
    """The SQL of ``cooperation.text.casefold`` of a column, exactly as the ``icontains``
    lookup writes it (cooperation.lookups), so that an index on it serves the lookup."""
    return f"LOWER(TRANSLATE(({column_sql})::text, '{DOTTED_I}', '{PLAIN_I}'))"


class PostgreSQLIndex(Operation):
    """An index created on PostgreSQL only, ``definition`` being what follows ``ON table``
    (``USING gin (...)``, ``(col DESC NULLS LAST, ...)``), for what SQLite cannot index
    alike. Outside the models' state, so that no SQLite table rebuild recreates it."""

    reversible = True

    def __init__(self, table: str, name: str, definition: str) -> None:
        self.table, self.name, self.definition = table, name, definition

    def deconstruct(self):
        kwargs = {"table": self.table, "name": self.name, "definition": self.definition}
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            qn = schema_editor.quote_name
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {qn(self.name)} ON {qn(self.table)} {self.definition}"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self) -> str:
        return f"Index {self.name} on {self.table} (PostgreSQL only)"


def trigram_index(table: str, column: str, name: str, casefold: bool = False) -> PostgreSQLIndex:
    """A GIN ``gin_trgm_ops`` index on ``column`` of ``table`` (on its casefold with
    ``casefold=True``, as the ``icontains`` lookup compares it), PostgreSQL only: SQLite has
    no such index and keeps its scans."""
    expression = casefold_sql(f'"{column}"') if casefold else f'"{column}"'
    return PostgreSQLIndex(table, name, f"USING gin (({expression}) gin_trgm_ops)")


def fuzzy() -> bool:
    """Whether the database matches misspelt words (PostgreSQL's pg_trgm)."""
    return connection.vendor == "postgresql"


class WordSimilar(Lookup):
    """``WordSimilar(F("search_text"), "almatty")``: some stretch of the text is a word
    like the value (pg_trgm's ``%>``, served by a trigram index). PostgreSQL only."""

    lookup_name = "word_similar"

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        # word_similarity(value, text) >= the threshold, as the operator the index serves.
        return f"{lhs_sql} %%> {rhs_sql}", [*lhs_params, *rhs_params]


class Casefold(Func):
    """``cooperation.text.casefold`` of a text in PostgreSQL's SQL, written as
    ``casefold_sql`` writes it, so that the trigram indexes on it serve the comparison."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return casefold_sql(sql), params
