"""Sorting by what a reader sees, in the reader's alphabet (issue 15).

Kazakh sorts Ә after А and Ұ, Ү, Ы, І in the order of its alphabet; Azerbaijani sorts Ç
after C, Ə after E and I before İ. The Unicode CLDR collations do that: PostgreSQL's ICU
collations (``kk-x-icu``...) in SQL, ICU through PyICU in Python, and the same ICU
collators registered on SQLite connections (``unibridge_kk``...), so a list sorts alike on
both databases and in memory."""

from functools import cache

import icu
from django.db.models import Func
from django.db.models.functions import Collate
from django.utils.translation import get_language

LANGUAGES = ("en", "ru", "kk", "az")


def language_of(language: str | None = None) -> str:
    code = (language or get_language() or "en").split("-")[0]
    return code if code in LANGUAGES else "en"


@cache
def collator(language: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(language))


def sort_key(text: str | None, language: str | None = None) -> bytes:
    """The key that sorts ``text`` as the language's alphabet does."""
    return collator(language_of(language)).getSortKey(text or "")


def sqlite_collation(language: str) -> str:
    return f"unibridge_{language}"


def register_sqlite_collations(connection) -> None:
    for language in LANGUAGES:
        compare = collator(language).compare
        connection.connection.create_collation(
            sqlite_collation(language), lambda a, b, compare=compare: compare(a, b)
        )


class InLanguageOrder(Collate):
    """``expression`` collated as the reader's language sorts it, on PostgreSQL and SQLite."""

    def __init__(self, expression, language: str | None = None):
        self.language = language_of(language)
        super().__init__(expression, f"{self.language}-x-icu")

    def as_sqlite(self, compiler, connection, **extra_context):
        extra_context.setdefault(
            "collation", connection.ops.quote_name(sqlite_collation(self.language))
        )
        return Func.as_sql(self, compiler, connection, **extra_context)
