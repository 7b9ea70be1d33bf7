"""Match institution names as people write them to the institutions of the register.

Ministry staff paste names from signing lists: in Russian, Kazakh, Azerbaijani or English,
with old names ("Атырауский государственный университет им. Х.Досмухамедова"), initials,
typos, acronyms ("КазНУ", "ADA") and missing words. One name becomes a list of candidates
with a score from 0 to 100, and a verdict:

- ``sure``: one candidate clearly ahead; it can be taken without asking;
- ``ambiguous``: plausible candidates that a person must choose between;
- ``unknown``: nothing close enough; the person picks one or creates the institution.

How a name is compared:

1. ``cooperation.text.fold`` brings every script to lower-case ASCII words (Cyrillic,
   Kazakh and Azerbaijani letters included), so "Атырау", "Atyrau" and "Атырау" meet.
2. Each word is canonicalised: the generic words of institution names are mapped to one
   English form in every language ("университет", "universiteti", "university" ->
   ``university``; "государственный", "Dövlət", "мемлекеттік" -> ``state``), adjective
   endings are trimmed ("атырауский" -> ``atyrau``, "Досмухамедова" -> ``dosmukhamedov``),
   and "им.", "имени", "named after", "атындағы" and initials are dropped.
3. Generic words (university, state, national, ...) say little about *which* institution
   is meant, so the score weights the distinctive words (place names, people's names,
   fields) more than the whole name.
4. Acronyms are only compared exactly: a fuzzy acronym match is noise. An exact acronym
   ("KazNU", "КазНУ") wins over any overlap of words; an acronym with the person or place
   it is named after ("ЕНУ им. Гумилева") is scored on how well those words agree.
5. Place names are data, not code: every country's name and its language's adjective in
   each interface language (django-countries, the CLDR), the CLDR's cities, and the
   cities of the register's institutions map to one token per place, for any country.

``NameMatcher`` loads every institution and name of the register once (two queries), so
matching a thousand names does not query per name; ``NameMatcher.of_register()`` keeps it
in the process until an institution or a name changes. A name the register records word
for word is found by a dictionary; only the others are compared with every name.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from cooperation.text import fold, romanize

from .choices import InstitutionNameKind
from .models import Institution, InstitutionName

SURE = "sure"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"
VERDICT_LABELS = {SURE: _("matched"), AMBIGUOUS: _("ambiguous"), UNKNOWN: _("unknown")}

# A candidate at or above SURE_SCORE is taken without asking, provided the runner-up (a
# different institution) is at least SURE_MARGIN points behind. Below CANDIDATE_SCORE a
# candidate is not worth showing. Calibrated on tests/test_matching.py's table of real names.
SURE_SCORE = 88.0
SURE_MARGIN = 6.0
CANDIDATE_SCORE = 60.0
ACRONYM_MAX = 10  # letters: a longer name of several words is not read as an acronym

# Words that only join a name to a person or a place ("named after", "имени", "атындағы").
STOP_WORDS = frozenset(
    [
        "im",
        "imeni",
        "named",
        "after",
        "n",
        "a",
        "of",
        "the",
        "and",
        "for",
        "in",
        "at",
        "na",
        "atyndagy",
        "atyndaghy",
        "adyna",
        "adina",
        "adyny",
        "adini",
        "goroda",
        "gorod",
        "city",
        "shahar",
        "shaharinin",
        "kalasy",
        "kalasynyn",
    ]
)
# Generic words, mapped to one English form whatever the language. The key is a folded
# word prefix; the longest prefix that fits wins.
CANONICAL_PREFIXES = {
    # kinds of institution
    "universitet": "university",
    "university": "university",
    "univ": "university",
    "akadem": "academy",
    "academ": "academy",
    "institut": "institute",
    "konservator": "conservatory",
    "conservator": "conservatory",
    "kolledzh": "college",
    "college": "college",
    # ownership and rank
    "gosudarstv": "state",
    "state": "state",
    "dovlat": "state",
    "memleket": "state",
    "natsional": "national",
    "national": "national",
    "milli": "national",
    "ulttyk": "national",
    "mezhdunarod": "international",
    "international": "international",
    "beynalkhalq": "international",
    "beynalhalq": "international",
    "khalykaralyk": "international",
    "regional": "regional",
    "region": "regional",
    "oblast": "regional",
    "respublik": "republic",
    "republic": "republic",
    "chastn": "private",
    "private": "private",
    "ozal": "private",
    # fields
    "tekhni": "technical",
    "technic": "technical",
    "technolog": "technology",
    "tekhnolog": "technology",
    "meditsin": "medical",
    "medicin": "medical",
    "medical": "medical",
    "tibb": "medical",
    "pedagog": "pedagogical",
    "pedaqo": "pedagogical",
    "agrar": "agrarian",
    "aqrar": "agrarian",
    "agricult": "agrarian",
    "selskokhoz": "agrarian",
    "ekonom": "economic",
    "econom": "economic",
    "iqtisad": "economic",
    "neft": "oil",
    "oil": "oil",
    "munai": "oil",
    "munay": "oil",
    "gaz": "gas",
    "gas": "gas",
    "qaz": "gas",
    "inzhener": "engineering",
    "engineer": "engineering",
    "muhandis": "engineering",
    "yazyk": "languages",
    "language": "languages",
    "dillar": "languages",
    "tilder": "languages",
    "iskusstv": "arts",
    "arts": "arts",
    "incasanat": "arts",
    "muzyk": "music",
    "music": "music",
    "musiqi": "music",
    "arkhitektur": "architecture",
    "architect": "architecture",
    "memarliq": "architecture",
    "stroitel": "construction",
    "construct": "construction",
    "inshaat": "construction",
    "turizm": "tourism",
    "touris": "tourism",
    "sport": "sport",
    "idman": "sport",
    "politsi": "police",
    "police": "police",
    "polis": "police",
    "tamozhen": "customs",
    "customs": "customs",
    "gomruk": "customs",
    "yuridich": "law",
    "law": "law",
    "huquq": "law",
}
# Canonical words that say what kind of place a name is, not which one it is.
GENERIC = frozenset(
    {"university", "state", "national", "academy", "institute", "republic", "regional"}
)
# Russian, Kazakh and Azerbaijani endings trimmed from longer words, so the adjective and
# case forms of a place or a person meet their base form ("атырауский" -> atyrau,
# "Досмухамедова" -> dosmukhamedov). Longest first.
ENDINGS = (
    ("skogo", ""),
    ("skomu", ""),
    ("skaya", ""),
    ("skoye", ""),
    ("skom", ""),
    ("skiye", ""),
    ("skiy", ""),
    ("skoy", ""),
    ("skii", ""),
    ("nyy", ""),
    ("naya", ""),
    ("nogo", ""),
    ("ogo", ""),
    # surnames in the genitive: "имени Досмухамедова" -> dosmukhamedov
    ("ova", "ov"),
    ("eva", "ev"),
    ("ina", "in"),
    ("iy", ""),
    ("yy", ""),
    ("ya", ""),
)
_SPLIT = re.compile(r"\s+")
# A place spelling shorter than this is compared as a whole word only ("Mali" is not a
# prefix of "Malikov"); a longer one also as a prefix ("kazakhskiy", "azerbaydzhanskiy").
PLACE_PREFIX_MIN = 5
_VOWELS = "aeiouy"


@lru_cache(maxsize=1)
def place_spellings() -> dict[str, str]:
    """Every folded spelling of every country and of the CLDR's cities, mapped to one token
    per place.

    Data, not code: the country names django-countries and the CLDR (cooperation.countries)
    give in each interface language ("Kazakhstan", "Казахстан", "Қазақстан", "Qazaxıstan"),
    the CLDR names of the country's own language, which are the adjectives institution
    names use ("Kazakh", "казахский", "қазақ", "qazax"), and the cities the CLDR names in
    every language (its time-zone cities: "Baku", "Баку", "Bakı"; "Warsaw", "Варшава").
    The token is the English name, folded. Names of several words ("United States") are
    left to the fuzzy comparison. A spelling ending in a vowel also gives its stem, so the
    adjective meets the noun ("Варшава" -> varshav- -> "Варшавский").
    """
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    from babel.languages import get_official_languages
    from django.conf import settings
    from django.utils import translation
    from django_countries.data import COUNTRIES

    from cooperation.countries import country_name

    languages = [code for code, _label in settings.LANGUAGES]
    likely = get_global("likely_subtags")
    language_names = {}
    for language in languages:
        try:
            language_names[language] = Locale.parse(language).languages
        except UnknownLocaleError:  # pragma: no cover - every interface language is in CLDR
            continue
    spellings: dict[str, str] = {}

    def put(text: str, token: str, language: str = "") -> None:
        # The spelling in the language's own Latin alphabet too, where it has one
        # (Kazakh: "Қазақстан", "Qazaqstan"; cooperation.text.romanize).
        romanized = romanize(text, language) if language else ""
        if romanized:
            put(romanized, token)
        words = fold(text).split()
        if len(words) == 1 and len(words[0]) >= 3 and words[0] not in CANONICAL_PREFIXES:
            word = words[0]
            spellings.setdefault(word, token)
            stem = word.rstrip(_VOWELS)
            if stem != word and len(stem) >= PLACE_PREFIX_MIN:
                spellings.setdefault(stem, token)

    for code in COUNTRIES:
        with translation.override("en"):
            token = "".join(fold(country_name(code)).split())
        if not token:
            continue
        for language in languages:
            with translation.override(language):
                put(country_name(code), token, language)
        # The country's own language, when the country is where the language is mainly at home.
        for own in get_official_languages(code):
            if likely.get(own, "").split("_")[-1] != code:
                continue
            for language, names in language_names.items():
                if own in names:
                    # "қазақ тілі" (Kazakh language): the first word is the adjective.
                    words = names[own].split()
                    if words:
                        put(words[0], token, language)
    for language in languages:
        try:
            zones = Locale.parse(language).time_zones
        except UnknownLocaleError:  # pragma: no cover
            continue
        for zone, info in zones.items():
            city = info.get("city")
            english = "".join(fold(zone.rsplit("/", 1)[-1].replace("_", " ")).split())
            if city and english and "/" in zone:
                put(english, english)
                put(city, english)
    return spellings


def _place_of(word: str) -> tuple[int, str]:
    """The place ``word`` spells and the length of the spelling found, or (0, "")."""
    spellings = place_spellings()
    if word in spellings:
        return len(word), spellings[word]
    for length in range(len(word) - 1, PLACE_PREFIX_MIN - 1, -1):
        token = spellings.get(word[:length])
        if token:
            return length, token
    return 0, ""


@lru_cache(maxsize=1 << 17)  # the register's words (33,500 at size L) and the typed ones
def canonical_word(word: str) -> str:
    """One word's canonical form: the longest generic word or place spelling it starts
    with (a generic word on a tie), else the word with its ending trimmed."""
    place_length, place = _place_of(word)
    for length in range(len(word), 2, -1):
        canonical = CANONICAL_PREFIXES.get(word[:length])
        if canonical and length >= place_length:
            return canonical
    if place:
        return place
    if len(word) > 5:
        for ending, replacement in ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                return word[: -len(ending)] + replacement
    return word


@dataclasses.dataclass(frozen=True, slots=True)
class NameKey:
    """A name ready for comparison: every canonical word, and the distinctive ones."""

    full: str
    distinctive: str
    compact: str  # the folded name without spaces: how acronyms are compared
    generic: tuple[str, ...] = ()  # the generic words ("state", "university"), as written
    written: str = ""  # the folded words as written

    @classmethod
    def of(cls, name: str, place: Callable[[str], str] | None = None) -> NameKey:
        """``place`` maps a canonical word to the city it spells, if any (the matcher's
        cities: "nakhchyvan" -> nakhchivan)."""
        words = [w for w in _SPLIT.split(fold(name)) if w]
        compact = "".join(words)
        kept = [w for w in words if w not in STOP_WORDS]
        # Initials ("Х.", "Kh.", "K. I.") are dropped when there is more to the name.
        if len(kept) > 2:
            kept = [w for w in kept if len(w) > 2]
        canonical = [canonical_word(w) for w in kept]
        if place is not None:
            canonical = [place(w) for w in canonical]
        distinctive = [w for w in canonical if w not in GENERIC]
        return cls(
            full=" ".join(canonical),
            distinctive=" ".join(distinctive),
            compact=compact,
            generic=tuple(w for w in canonical if w in GENERIC),
            written=" ".join(words),
        )


def score_keys(query: NameKey, candidate: NameKey) -> float:
    """How alike two names are, from 0 to 100, distinctive words weighing most."""
    if query.full and query.full == candidate.full:
        return 100.0
    full = fuzz.token_sort_ratio(query.full, candidate.full)
    if query.distinctive and candidate.distinctive:
        distinctive = (
            fuzz.token_set_ratio(query.distinctive, candidate.distinctive)
            + fuzz.token_sort_ratio(query.distinctive, candidate.distinctive)
        ) / 2
    else:
        distinctive = full
    score = round(0.7 * distinctive + 0.3 * full, 1)
    # The same distinctive words but other generic ones ("Azerbaijan State University"
    # against "Azerbaijan University") are two places as often as one: never sure.
    if (
        query.distinctive
        and query.distinctive == candidate.distinctive
        and sorted(query.generic) != sorted(candidate.generic)
    ):
        score = min(score, SURE_SCORE - 1)
    return score


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    """An institution a name may stand for, with the score and the name that matched."""

    institution_id: int
    name: str
    country: str
    score: float
    matched_name: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    """The verdict on one name, with its candidates best first."""

    query: str
    verdict: str
    candidates: tuple[Candidate, ...]

    @property
    def institution_id(self) -> int | None:
        """The institution when the verdict is sure."""
        return self.candidates[0].institution_id if self.verdict == SURE else None

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "verdict": self.verdict,
            "institution": self.institution_id,
            "candidates": [c.as_dict() for c in self.candidates],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Match:
        """The match ``as_dict`` wrote (kept by a search of names in the background)."""
        return cls(
            data["query"], data["verdict"], tuple(Candidate(**c) for c in data["candidates"])
        )


class RegisteredInstitution(NamedTuple):
    """An institution as the register's matcher keeps it (``NameMatcher.institutions``):
    what matching and its callers read of it."""

    pk: int
    name: str
    country: str
    city: str


class _Name(NamedTuple):
    """One of an institution's other names, as the matcher reads it."""

    name: str
    kind: str


@dataclasses.dataclass(slots=True)
class _Entry:
    institution_id: int
    key: NameKey | None  # computed with the register's cities by NameMatcher._choice_lists
    text: str
    acronym: bool


def _word_set(full: str) -> str:
    """A key's words in a fixed order: two names with the same words in any order score 100
    against each other (``score_keys``), so they are one exact name."""
    return " ".join(sorted(full.split()))


# A word this close to the name of a city of the register (and with the same first three
# letters) is read as that city: "Нахчыванский" -> nakhchyvan -> nakhchivan.
CITY_SCORE = 85.0


# The matches a process keeps (a file names the same institutions again and again), past
# which they are forgotten at once: ~0.7 KB a match of five candidates, so at most ~20 MB
# beside the matcher's ~50 MB at size L. A file naming more distinct institutions than this
# still works, its names compared again when forgotten.
MATCHES_KEPT = 30_000
# The edition of the rules of match(): raise it with any change that makes a name match
# otherwise (scores, shortlists, verdicts), so that the matches kept by the background
# comparisons of names (cooperation.name_searches) are made again, not served as they were.
RULES_EDITION = 1
# How many candidates a match offers, unless asked otherwise.
MATCH_LIMIT = 5


def _names_version() -> tuple:
    """What changes when an institution or a name is added, changed or removed: each
    table's count, highest id and latest change (two queries of a few milliseconds)."""
    return tuple(
        tuple(
            model.objects.aggregate(
                count=Count("pk"), last=Max("pk"), changed=Max("updated_at")
            ).values()
        )
        for model in (Institution, InstitutionName)
    )


class NameMatcher:
    """Matches names against a set of institutions loaded once, in two queries.

    Take the process's (``NameMatcher.of_register()``) or build one of one's own
    (``NameMatcher.from_register()``, or from institutions in memory); ``match()`` then
    works in memory.
    """

    def __init__(self, institutions: Iterable[Institution]):
        self.institutions: dict[int, Institution] = {}
        self._entries: list[_Entry] = []
        self._entries_of: dict[int, list[_Entry]] = {}  # institution id -> its entries
        self._lists: tuple[list[_Entry], list[str], list[str]] | None = None
        # A name's words in a fixed order (_word_set) -> the entries with those words, in
        # the order they were added: a name the register records, found without a scan.
        self._exact: dict[str, list[_Entry]] = {}
        # A session names the same institutions again and again: match each name once.
        self._cache: dict[tuple[str, str | None, int], Match] = {}
        # The folded one-word cities of the institutions: place names are data, not code.
        self._cities: set[str] = set()
        self._city_of: dict[str, str] = {}
        # First three letters -> the cities: _place compares a word with these only (a scan
        # of every city per word took 76 s for 8,400 cities at size L).
        self._cities_by_prefix: dict[str, list[str]] | None = None
        self._keyed_cities = 0  # how many cities the entries' keys were computed with
        # Acronym (folded, compact) -> its entries, for the exact comparison.
        self._acronyms: dict[str, list[_Entry]] = {}
        # The register's names' version it was built from (of_register's matcher only).
        self.version: tuple | None = None
        for institution in institutions:
            self.add(institution)

    @classmethod
    def from_register(cls, queryset=None) -> NameMatcher:
        queryset = Institution.objects.all() if queryset is None else queryset
        names = InstitutionName.objects.all()
        if queryset.query.where:
            names = names.filter(institution__in=queryset.values("pk"))
        # The names as (text, kind), in the order a prefetch gives each institution's: a
        # prefetch builds a queryset and a model per name (3 s of 50,000 at size L).
        names_of: dict[int, list[_Name]] = {}
        rows = names.order_by("kind", "language", "name").values_list(
            "institution_id", "name", "kind"
        )
        for institution_id, text, kind in rows:
            names_of.setdefault(institution_id, []).append(_Name(text, kind))
        matcher = cls([])
        # Tuples, not models: a model instance costs ~1 KB, 25 MB of a process at size L.
        for pk, name, country, city in queryset.values_list("id", "name", "country", "city"):
            institution = RegisteredInstitution(pk, name, country, city or "")
            matcher.add(institution, names_of.get(pk, []))
        return matcher

    @classmethod
    def of_register(cls) -> NameMatcher:
        """The matcher of the whole register, built once per process and kept while no
        institution or name is added, changed or removed (``_names_version``).

        Building it folds and keys every name: 5-6 s at size L, which an import's preview
        and its confirmation, or each of a day's signing sessions, would otherwise pay
        again. Shared: never ``add()`` to it (``from_register()`` gives a matcher of one's
        own).
        """
        global _shared
        version = _names_version()
        with _shared_lock:
            if _shared is None or _shared[0] != version:
                _shared = None  # the old one is not kept while the new one is built
                matcher = cls.from_register()
                matcher._choice_lists()
                matcher.version = version
                _shared = (version, matcher)
            return _shared[1]

    def add(self, institution: Institution, names: Iterable | None = None) -> None:
        """Make ``institution`` a candidate (e.g. one created during a session)."""
        self.institutions[institution.pk] = institution
        self._lists = None
        self._cache = {}
        city = fold(getattr(institution, "city", "") or "")
        if city and " " not in city and len(city) >= 4 and city not in self._cities:
            self._cities.add(city)
            self._city_of = {}
            self._cities_by_prefix = None
        # The keys wait for _choice_lists, which knows every city: computing them here too
        # would fold every name twice.
        added = [_Entry(institution.pk, None, institution.name, False)]
        if names is None:
            names = institution.names.all() if institution.pk else []
        for name in names:
            acronym = name.kind == InstitutionNameKind.ACRONYM
            entry = _Entry(institution.pk, None, name.name, acronym)
            added.append(entry)
            compact = "".join(fold(name.name).split()) if acronym else ""
            if compact:
                self._acronyms.setdefault(compact, []).append(entry)
        self._entries += added
        self._entries_of.setdefault(institution.pk, []).extend(added)

    def _place(self, word: str) -> str:
        """The city ``word`` spells, or ``word`` itself."""
        if word in self._cities or word in GENERIC:
            return word
        if word not in self._city_of:
            city = word
            if len(word) >= 4:
                if self._cities_by_prefix is None:
                    # Sorted: of two cities as close to the word, the first wins, and a set's
                    # order changes from one process to the next (the preview and the
                    # confirmation of an import may run in two).
                    self._cities_by_prefix = {}
                    for known in sorted(self._cities):
                        self._cities_by_prefix.setdefault(known[:3], []).append(known)
                found = process.extractOne(
                    word,
                    self._cities_by_prefix.get(word[:3], []),
                    scorer=fuzz.ratio,
                    score_cutoff=CITY_SCORE,
                )
                if found:
                    city = found[0]
            self._city_of[word] = city
        return self._city_of[word]

    def _key(self, text: str) -> NameKey:
        return NameKey.of(text, self._place) if self._cities else NameKey.of(text)

    def _choice_lists(self) -> tuple[list[_Entry], list[str], list[str]]:
        if self._lists is None:
            rekey = self._keyed_cities != len(self._cities)
            for entry in self._entries:
                if rekey or entry.key is None:
                    entry.key = self._key(entry.text)
            self._keyed_cities = len(self._cities)
            fuzzy = [e for e in self._entries if not e.acronym]
            self._exact = {}
            for entry in fuzzy:
                self._exact.setdefault(_word_set(entry.key.full), []).append(entry)
            self._lists = (
                fuzzy,
                [e.key.full for e in fuzzy],
                [e.key.distinctive for e in fuzzy],
            )
        return self._lists

    def match(self, name: str, *, country: str | None = None, limit: int = MATCH_LIMIT) -> Match:
        """The candidates for ``name`` (best first) and the verdict."""
        cache_key = (name, country, limit)
        if cache_key not in self._cache:
            if len(self._cache) >= MATCHES_KEPT:  # a shared matcher lives as long as its process
                self._cache.clear()
            self._cache[cache_key] = self._match(name, country=country, limit=limit)
        return self._cache[cache_key]

    def unanswered(self, names: Iterable[str], *, matched_too: bool = False) -> list[str]:
        """Of ``names``, those ``match()`` would compare with every name of the register
        (~0.1 s each at size L): not recorded as written, nor matched already (unless
        ``matched_too``). In the order given, each once."""
        self._choice_lists()
        slow = []
        for name in dict.fromkeys(names):
            if not matched_too and (name, None, MATCH_LIMIT) in self._cache:
                continue
            query = self._key(name)
            if not query.compact:
                continue
            short = " " not in query.full.strip() or len(query.compact) <= ACRONYM_MAX
            if self._registered_name(query, country=None, short=short) is None:
                slow.append(name)
        return slow

    def comparisons(self, names: int) -> int:
        """How many pairs of names matching ``names`` names not recorded as written
        compares: the measure of its time (``UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST``)."""
        fuzzy, _fulls, _distinctives = self._choice_lists()
        return 2 * names * len(fuzzy)

    def remember(self, matches: dict[str, Match], *, room: int = 0) -> None:
        """Matches made elsewhere (by the background worker, with the same register's
        names), answered by ``match()`` from now on. ``room``: how many more names are
        about to be matched, which must not fill the cache and forget these meanwhile."""
        if len(self._cache) + len(matches) + room > MATCHES_KEPT:
            self._cache.clear()
        for name, found in matches.items():
            self._cache[(name, None, MATCH_LIMIT)] = found

    def _acronym_with_words(self, query: NameKey) -> list[tuple[int, float, str]]:
        """An acronym and the person or place it is named after ("КазНУ им. аль-Фараби",
        "ЕНУ им. Гумилева"): the institutions of that acronym, scored by how well the other
        words agree with their names."""
        words = [w for w in query.written.split() if w not in STOP_WORDS]
        found = []
        for word in dict.fromkeys(words):
            for acronym_entry in self._acronyms.get(word, []):
                rest = self._key(" ".join(w for w in words if w != word)).distinctive
                if not rest:
                    continue
                names = [
                    e.key.distinctive
                    for e in self._entries_of[acronym_entry.institution_id]
                    if not e.acronym
                ]
                # The city counts as a name's word too ("KazNU Almaty").
                city = fold(getattr(self.institutions[acronym_entry.institution_id], "city", ""))
                names = [f"{n} {city}".strip() for n in names]
                agreement = max((fuzz.token_set_ratio(rest, n) for n in names if n), default=0.0)
                score = round(50.0 + agreement / 2, 1)
                found.append((acronym_entry.institution_id, score, acronym_entry.text))
        best: dict[int, tuple[int, float, str]] = {}
        for item in found:
            if item[0] not in best or item[1] > best[item[0]][1]:
                best[item[0]] = item
        return [item for item in best.values() if item[1] >= CANDIDATE_SCORE]

    def _registered_name(
        self, query: NameKey, *, country: str | None, short: bool
    ) -> Candidate | None:
        """The one institution with a name (in any language) of exactly the words of
        ``query``, when no acronym speaks for another.

        Such a name scores 100 and no other institution's does (``score_keys``: 100 is an
        equal name or the same words in another order; any other pair of names under 290
        letters differs by at least one letter, which keeps it below 99.95), so the verdict
        is sure whatever the rest of the register holds: the comparison with every name,
        ~0.1 s a name at size L, is left to names the register does not record as written.
        It also finds the name where that comparison's shortlist (the 60 best by a cheaper
        score) may be full of longer names holding the same words.
        """
        if not query.full or len(query.full) >= 290:
            return None
        entries = self._exact.get(_word_set(query.full), [])
        if len({entry.institution_id for entry in entries}) != 1:
            return None
        # An acronym (alone, or with the person it is named after) outranks the words.
        if (short and query.compact in self._acronyms) or self._acronym_with_words(query):
            return None
        entry = entries[0]
        institution = self.institutions[entry.institution_id]
        if country and str(institution.country) != country.upper():
            return None
        return Candidate(
            entry.institution_id, institution.name, str(institution.country), 100.0, entry.text
        )

    def _match(self, name: str, *, country: str | None, limit: int) -> Match:
        fuzzy, fulls, distinctives = self._choice_lists()
        query = self._key(name)
        if not query.compact:
            return Match(name, UNKNOWN, ())
        single_word = " " not in query.full.strip()
        short = single_word or len(query.compact) <= ACRONYM_MAX
        registered = self._registered_name(query, country=country, short=short)
        if registered is not None:
            return Match(name, SURE, (registered,))
        best: dict[int, tuple[float, str]] = {}

        def offer(institution_id: int, score: float, text: str) -> None:
            if institution_id not in best or score > best[institution_id][0]:
                best[institution_id] = (score, text)

        # A cheap first pass in C over every name picks the few worth the full score.
        shortlist = process.extract(
            query.full,
            fulls,
            scorer=fuzz.token_set_ratio,
            limit=60,
            score_cutoff=40,
        )
        if query.distinctive:
            shortlist += process.extract(
                query.distinctive,
                distinctives,
                scorer=fuzz.token_set_ratio,
                limit=60,
                score_cutoff=50,
            )
        for _choice, _score, index in shortlist:
            entry = fuzzy[index]
            offer(entry.institution_id, score_keys(query, entry.key), entry.text)
        # An acronym matches as written, spaces or not ("ANG RK", "АНГ РК", "angrk"), and
        # wins over any fuzzy overlap of words: "KazNU" is Al-Farabi KazNU, not the Kazakh
        # National University of Arts (KazNUA).
        exact = [
            (e.institution_id, 100.0, e.text)
            for e in (self._acronyms.get(query.compact, []) if short else [])
        ]
        if not exact:
            exact = self._acronym_with_words(query)
        # Only a sure acronym match puts the fuzzy candidates behind it.
        if exact and max(score for _id, score, _text in exact) >= SURE_SCORE:
            for institution_id, (score, text) in list(best.items()):
                best[institution_id] = (min(score, SURE_SCORE - 1), text)
            for institution_id, score, text in exact:
                best[institution_id] = (score, text)
        else:
            for institution_id, score, text in exact:
                offer(institution_id, score, text)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        candidates = []
        for institution_id, (score, text) in ranked:
            institution = self.institutions[institution_id]
            if country and str(institution.country) != country.upper():
                continue
            if score < CANDIDATE_SCORE:
                break
            candidates.append(
                Candidate(institution_id, institution.name, str(institution.country), score, text)
            )
            if len(candidates) == limit:
                break
        return Match(name, verdict(candidates), tuple(candidates))


# NameMatcher.of_register's matcher and the version of the names it was built from.
_shared: tuple[tuple, NameMatcher] | None = None
_shared_lock = threading.Lock()


def verdict(candidates: list[Candidate]) -> str:
    if not candidates:
        return UNKNOWN
    top = candidates[0].score
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    # A name the register records word for word wins over any near miss.
    if top == 100.0 and runner_up < 100.0:
        return SURE
    if top >= SURE_SCORE and top - runner_up >= SURE_MARGIN:
        return SURE
    return AMBIGUOUS
