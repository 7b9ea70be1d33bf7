"""Text folding for search: one form for every script, so "Атырау" finds "Atyrau".

Names are stored in Latin, Cyrillic (Russian, Kazakh) and Azerbaijani Latin. Folding
lower-cases, transliterates Cyrillic to Latin the way English renderings of Kazakh and
Russian names usually spell them, and strips diacritics, so a search typed in any of
those scripts meets the same key. Case-insensitive LIKE is ASCII-only on SQLite, which is
one more reason to compare folded keys rather than rely on the database's collation.
"""

import functools
import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Kazakh letters
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip
# Azerbaijani Latin letters that have no plain ASCII decomposition, or whose English
# rendering differs (x is "kh": Naxçıvan / Nakhchivan).
_LATIN = {"ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "x": "kh"}

_TABLE = str.maketrans({**_CYRILLIC, **_LATIN})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Return the search key of ``text``: lower-case ASCII words separated by single spaces."""
    if not text:
        return ""
    lowered = text.casefold().translate(_TABLE)
    if lowered.isascii():  # nothing to decompose (most names, once Cyrillic is rendered)
        return _NON_WORD.sub(" ", lowered).strip()
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(ch)
    )
    return _NON_WORD.sub(" ", stripped).strip()


@functools.cache
def _folds(ch: str) -> bool:
    return not ch.isalnum() or bool(fold(ch))


def folds_whole(text: str) -> bool:
    """Whether ``fold`` keeps every letter and digit of ``text``: false for a script it
    does not transliterate (北京, Ελλάδα, თბილისი), whose letters it drops."""
    return text.isascii() or all(map(_folds, text))


def search_forms(text: str) -> list[str]:
    """The forms a text is found by in a search key (``agreements.models.SearchKey``): its
    fold, and its ``casefold`` as well when fold drops letters of it, so that text in any
    other script is still found as typed. A word is looked for in its ``search_form``."""
    if not text:
        return []
    folded = fold(text)
    if folds_whole(text):
        return [folded] if folded else []
    return [form for form in (folded, casefold(text)) if form]


def search_form(word: str) -> str:
    """The form of a searched word looked for in ``search_forms`` of a text: its fold
    ("Алматы" finds "Almaty"), or its ``casefold`` when fold would drop letters of it."""
    return fold(word) if folds_whole(word) else casefold(word)


# Latin alphabets in official use for languages the register also writes in Cyrillic, each
# letter as that alphabet writes it: Kazakh's Latin alphabet of 2021 ("Қазақстан" is
# "Qazaqstan", "қазақ" is "qazaq"). fold() renders Cyrillic the English way ("kazakstan");
# a name written in such an alphabet is found by romanizing the Cyrillic spelling with it.
_LATIN_ALPHABETS = {
    "kk": {
        "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
        "ё": "io", "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
        "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
        "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
        "ю": "iu", "я": "ia",
    },
}  # fmt: skip
_LATIN_TABLES = {language: str.maketrans(table) for language, table in _LATIN_ALPHABETS.items()}


def romanize(text: str, language: str) -> str:
    """``text`` in the official Latin alphabet of ``language``, or "" when the language has
    none here or ``text`` has no Cyrillic to romanize."""
    table = _LATIN_TABLES.get(language.split("-")[0])
    if not table or script_of(text) != "Cyrillic":
        return ""
    return text.casefold().translate(table)


# Azerbaijani and Turkish dotted capital I and dotless small i fold to plain "i".
DOTTED_I = "İı"
PLAIN_I = "Ii"
_I_TABLE = str.maketrans(DOTTED_I, PLAIN_I)


def casefold(text: str | None) -> str | None:
    """The case-insensitive form of ``text`` that every text filter compares (pages, API,
    admin, on SQLite and PostgreSQL alike): lower case in every script (Cyrillic, Kazakh,
    Azerbaijani), with the dotted and dotless i of Azerbaijani as plain "i" ("İlham",
    "ILHAM" and "ılham" are all "ilham"). cooperation.lookups computes the same in SQL."""
    if text is None:
        return None
    return text.translate(_I_TABLE).lower()


def script_of(text: str) -> str:
    """ "Cyrillic" or "Latin": the writing system of the first letter of ``text`` ("" if
    it has no letter of either)."""
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith("CYRILLIC"):
                return "Cyrillic"
            if name.startswith("LATIN"):
                return "Latin"
    return ""


def vague_date(value, precision: str) -> str:
    """A date shown with the precision its source gave: "2018", "March 2025", "6 April 2026"."""
    from django.utils.formats import date_format

    if value is None:
        return ""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")
