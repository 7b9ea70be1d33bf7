"""Read a news article and propose the records it states: rules and the register's names.

Nothing here writes. ``extract(text, ...)`` returns an ``Extraction``: the language, and a
list of ``Proposal``s (the source itself, institutions, people, events, agreements, stated
figures and mobility figures), each with the sentence it comes from, a confidence from 0 to
1, and the fields a record would take. Institutions are matched by the register's own
matcher (``universities.matching.NameMatcher``); places and countries by the data the
matcher uses (django-countries and the CLDR through ``place_spellings``).

How the text is read, all by rules, in four languages (the rules are richest in English and
Russian, the languages of the articles seen so far; Kazakh and Azerbaijani have their
numbers' qualifiers, count nouns, months and institution words):

- sentences, with initials and "им." kept inside their sentence;
- numbers (digits or words up to twenty) with the qualifier before or after them ("more
  than 70", "более 70", "свыше", "at least", "about", "70-тен астам", "70-dən çox") and the
  noun they count (universities, agreements, scholarships, students, professors);
- dates with their precision (a day, a month, a year), the year taken from the article's
  date when a sentence gives only a day and a month;
- institution names: around each institution word ("University", "университет",
  "universiteti"), the span of words that the matcher scores best, or the name as written;
- people: two capitalised words next to a position word (minister, rector, ambassador,
  посол, аким...);
- events: their kind's words (forum, round table, conference, круглый стол, прием...).

A named-entity recogniser was tried for Russian (natasha 1.6 on Python 3.11): it installs
and runs offline, but it adds about 250 MB of memory to every worker, depends on pymorphy2
(unmaintained since 2019), and on the Russian article it missed "Рашад Мамедов" and the
university in the prepositional case, which the rules and the matcher find.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from cooperation.choices import DatePrecision, Qualifier, StatedFigureMetric, StatedFigureScope
from cooperation.choices import StatedFigureStatus as Status
from cooperation.text import fold
from events.choices import EventKind, EventStatus
from universities.matching import AMBIGUOUS, SURE, NameMatcher, _place_of

LANGUAGES = ("ru", "en", "kk", "az")

# Kinds of proposal, in the order the review page shows them.
SOURCE = "source"
INSTITUTION = "institution"
PERSON = "person"
EVENT = "event"
AGREEMENT = "agreement"
STATED_FIGURE = "stated_figure"
MOBILITY_FIGURE = "mobility_figure"
KINDS = (SOURCE, INSTITUTION, PERSON, EVENT, AGREEMENT, STATED_FIGURE, MOBILITY_FIGURE)


class NothingRelevant(Exception):
    """The text states nothing the register keeps."""


class OtherLanguage(Exception):
    """The text is in a language the rules do not read."""

    def __init__(self, language: str):
        self.language = language
        super().__init__(language)


@dataclasses.dataclass
class Proposal:
    """One record the article states, as the extractor reads it."""

    key: str
    kind: str
    sentence: str
    confidence: float
    fields: dict
    match: dict | None = None  # the register's record it matches, with the score
    candidates: list[dict] = dataclasses.field(default_factory=list)
    duplicate: dict | None = None  # set by services.flag_duplicates
    start: int = 0  # where the sentence is in the text
    end: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Extraction:
    text: str
    language: str
    proposals: list[Proposal]

    def of_kind(self, kind: str) -> list[Proposal]:
        return [p for p in self.proposals if p.kind == kind]


# ---------------------------------------------------------------------------------------
# Language

STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "was", "with", "for", "that", "on", "were"},
    "ru": {"и", "в", "на", "что", "с", "по", "не", "для", "от", "это", "между", "также"},
    "kk": {"және", "мен", "бойынша", "үшін", "бұл", "арасында", "жылы", "туралы", "бар"},
    "az": {"və", "ilə", "bu", "üçün", "olan", "arasında", "da", "də", "ildə", "üzrə"},
}
KAZAKH_LETTERS = set("әғқңөұүһі")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def detect_language(text: str) -> str:
    """ru, en, kk or az, or "other": the script, the letters only one language has, and the
    commonest short words of each language."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return "other"
    cyrillic = sum(1 for w in words if "а" <= w[0] <= "я" or w[0] in "ёәғқңөұүһі")
    hits = {lang: sum(1 for w in words if w in stop) for lang, stop in STOPWORDS.items()}
    if cyrillic > len(words) / 2:
        letters = "".join(words)
        kazakh = sum(1 for ch in letters if ch in KAZAKH_LETTERS)
        if hits["kk"] > hits["ru"] or kazakh > len(letters) / 100:
            return "kk"
        return "ru" if hits["ru"] >= len(words) / 40 else "other"
    if "ə" in text.lower() or hits["az"] > hits["en"]:
        return "az" if hits["az"] >= len(words) / 40 else "other"
    return "en" if hits["en"] >= len(words) / 20 else "other"


# ---------------------------------------------------------------------------------------
# Sentences

_ABBREVIATIONS = {"им", "ул", "г", "гг", "т", "д", "проф", "акад", "st", "dr", "mr", "mrs", "no"}
_BOUNDARY = re.compile(r"(?<=[.!?…])[»\"”]?\s+|\n\s*\n|\n(?=\s*[-–—•])|\n")


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) for each sentence; a period after an initial or an
    abbreviation ("им.", "Kh.") does not end one."""
    found = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        before = text[start : boundary.start()].rstrip('.!?…»"” ')
        last = before.rsplit(None, 1)[-1] if before.split() else ""
        last_word = last.split(".")[-1].lower()
        initial = (len(last_word) == 1 and last_word.isalpha()) or last_word in _ABBREVIATIONS
        if initial and boundary.group().strip() == "" and "\n" not in boundary.group():
            continue
        piece = text[start : boundary.start()].strip()
        if piece:
            offset = text.index(piece, start)
            found.append((offset, offset + len(piece), piece))
        start = boundary.end()
    piece = text[start:].strip()
    if piece:
        offset = text.index(piece, start)
        found.append((offset, offset + len(piece), piece))
    return [s for s in found if len(_WORD.findall(s[2])) >= 3 or s[2].strip("-— ") != ""]


# ---------------------------------------------------------------------------------------
# Places and countries


@lru_cache(maxsize=1)
def _country_of_token() -> dict[str, str]:
    """The matcher's place token (a folded English name) -> ISO code, for countries and for
    the CLDR's cities (through their time zone's territory)."""
    from babel.core import get_global
    from django.utils import translation
    from django_countries.data import COUNTRIES

    from cooperation.countries import country_name

    result: dict[str, str] = {}
    with translation.override("en"):
        for code in COUNTRIES:
            result["".join(fold(country_name(code)).split())] = code
    for zone, territory in get_global("zone_territories").items():
        if "/" in zone:
            city = "".join(fold(zone.rsplit("/", 1)[-1].replace("_", " ")).split())
            result.setdefault(city, territory)
    return result


@lru_cache(maxsize=1)
def _city_tokens() -> frozenset[str]:
    from babel.core import get_global

    return frozenset(
        "".join(fold(zone.rsplit("/", 1)[-1].replace("_", " ")).split())
        for zone in get_global("zone_territories")
        if "/" in zone
    )


def place_in(word: str) -> tuple[str, str]:
    """(ISO country code, city token or "") of the place ``word`` names, or ("", "")."""
    folded = fold(word).replace(" ", "")
    if len(folded) < 4:
        return "", ""
    _length, token = _place_of(folded)
    if not token:
        return "", ""
    code = _country_of_token().get(token, "")
    return code, token if token in _city_tokens() else ""


def countries_in(text: str) -> list[str]:
    """The countries ``text`` names (by name, adjective or demonym), in order, once each."""
    found: list[str] = []
    for word in _WORD.findall(text):
        code, city = place_in(word)
        if code and not city and code not in found:
            found.append(code)
    return found


def cities_in(text: str, matcher: NameMatcher | None) -> list[tuple[str, str]]:
    """(city as written, country) for each city ``text`` names: the CLDR's, and the
    register's institutions' cities."""
    register = {}
    if matcher is not None:
        for institution in matcher.institutions.values():
            city = getattr(institution, "city", "")
            if city:
                register[fold(city)] = (city, str(institution.country))
    found = []
    for word in _WORD.findall(text):
        folded = fold(word)
        if folded in register:
            found.append(register[folded])
            continue
        code, city = place_in(word)
        if city and word[0].isupper():
            # The register's spelling of the city when it has one ("Aktau" for Aqtau).
            near = process.extractOne(city, list(register), scorer=fuzz.ratio, score_cutoff=80)
            found.append(register[near[0]] if near else (city.capitalize(), code))
    return found


def other_of_pair(code: str) -> str:
    pair = settings.UNIBRIDGE_FOCUS_PAIR
    if code in pair:
        return pair[1] if code == pair[0] else pair[0]
    return ""


# ---------------------------------------------------------------------------------------
# Numbers, qualifiers, count nouns

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "dozen": 12, "hundred": 100,
    "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8,
    "девять": 9, "десять": 10, "двенадцать": 12, "двадцать": 20, "сто": 100,
    "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "он": 10,
    "iki": 2, "üç": 3, "dörd": 4, "beş": 5, "on": 10,
}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:-[^\W\d_]+)?(?![\w]|[.,]\d)"
    r"|\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
# Words before a number, lower-case, longest first.
QUALIFIERS_BEFORE = [
    ("more than", Qualifier.MORE_THAN), ("over", Qualifier.MORE_THAN),
    ("in excess of", Qualifier.MORE_THAN), ("above", Qualifier.MORE_THAN),
    ("at least", Qualifier.AT_LEAST), ("no fewer than", Qualifier.AT_LEAST),
    ("no less than", Qualifier.AT_LEAST), ("about", Qualifier.ABOUT),
    ("around", Qualifier.ABOUT), ("approximately", Qualifier.ABOUT), ("nearly", Qualifier.ABOUT),
    ("almost", Qualifier.ABOUT), ("some", Qualifier.ABOUT), ("up to", Qualifier.UP_TO),
    ("less than", Qualifier.LESS_THAN), ("fewer than", Qualifier.LESS_THAN),
    ("более чем", Qualifier.MORE_THAN), ("более", Qualifier.MORE_THAN),
    ("свыше", Qualifier.MORE_THAN), ("больше", Qualifier.MORE_THAN),
    ("не менее", Qualifier.AT_LEAST), ("как минимум", Qualifier.AT_LEAST),
    ("около", Qualifier.ABOUT), ("порядка", Qualifier.ABOUT), ("примерно", Qualifier.ABOUT),
    ("почти", Qualifier.ABOUT), ("до", Qualifier.UP_TO), ("менее", Qualifier.LESS_THAN),
    ("шамамен", Qualifier.ABOUT), ("кем дегенде", Qualifier.AT_LEAST),
    ("təxminən", Qualifier.ABOUT), ("ən azı", Qualifier.AT_LEAST), ("azı", Qualifier.AT_LEAST),
]  # fmt: skip
# Words after a number (Kazakh and Azerbaijani put the qualifier after it).
QUALIFIERS_AFTER = [
    ("астам", Qualifier.MORE_THAN), ("артық", Qualifier.MORE_THAN),
    ("dən çox", Qualifier.MORE_THAN), ("dan çox", Qualifier.MORE_THAN),
    ("çox", Qualifier.MORE_THAN), ("qədər", Qualifier.UP_TO), ("дейін", Qualifier.UP_TO),
]  # fmt: skip

# Count nouns by the start of their folded form.
INSTITUTIONS_NOUN = "institutions"
AGREEMENTS_NOUN = "agreements"
SCHOLARSHIPS_NOUN = "scholarships"
STUDENTS_NOUN = "students"
STAFF_NOUN = "staff"
NOUNS = [
    (INSTITUTIONS_NOUN, ("universit", "vuz", "institution", "higher education inst")),
    (INSTITUTIONS_NOUN, ("universitet", "akademi", "academ", "ali mekt", "zhogary oku")),
    (AGREEMENTS_NOUN, ("memorand", "agreement", "soglasheni", "dogovor", "kelisim", "saziz")),
    (AGREEMENTS_NOUN, ("sazish", "muqavil", "protocol", "protokol")),
    (SCHOLARSHIPS_NOUN, ("scholarship", "stipendi", "grant", "taqaud", "kvot", "quota")),
    (STUDENTS_NOUN, ("student", "citizen", "grazhdan", "talaba", "azamat", "obuchayushch")),
    (STAFF_NOUN, ("professor", "teacher", "lecturer", "prepodavat", "muallim", "okytushy")),
    (STAFF_NOUN, ("scientist", "uchen", "researcher", "staff")),
]
# Words that may stand between a number and its noun.
_FILLERS = {
    "new", "leading", "top", "more", "of", "our", "their", "foreign", "bilateral", "young",
    "novyh", "novykh", "vedushchikh", "veduschih", "nashikh", "inostrannykh", "zhana", "yeni",
    "international", "higher", "education", "educational", "state", "private", "other",
    "astam", "artyk", "chokh", "qadar", "deyin",
}  # fmt: skip


_STUDY = re.compile(r"\b(stud|учат|учил|оқи|təhsil)")


def noun_class(word: str) -> str:
    folded = fold(word)
    for noun, prefixes in NOUNS:
        if folded.startswith(prefixes):
            return noun
    return ""


@dataclasses.dataclass
class Count:
    """A number in a sentence with what it counts."""

    value: int
    qualifier: str
    noun: str
    start: int  # in the sentence
    end: int  # after the noun
    country: str = ""  # the country the counted things belong to, when an adjective says
    demonym: bool = False  # the noun is the people themselves ("1000 Kazakhs")


def counts_in(sentence: str) -> list[Count]:
    """Every number of ``sentence`` that counts something the register keeps."""
    found = []
    lowered = sentence.lower()
    for number in _NUMBER.finditer(sentence):
        if number.group(1):
            digits = re.sub(r"\D", "", number.group(1))
            value = int(digits)
        else:
            value = NUMBER_WORDS[number.group(2).lower()]
        after = sentence[number.end() :]
        gap = re.match(r"[^\d,.;:!?()]*", after[:80]).group()
        words = _WORD.findall(gap)
        noun, country, demonym, used = "", "", False, 0
        for word in words[:4]:
            used += 1
            kind = noun_class(word)
            if kind:
                noun = kind
                break
            code, city = place_in(word)
            if code and not city:
                # "1000 Kazakhs study in Poland": the people named by their country.
                plural = word.lower().endswith(("s", "ы", "и", "lar", "lər"))
                if word[0].isupper() and plural and _STUDY.search(lowered):
                    noun, country, demonym = STUDENTS_NOUN, code, True
                    break
                country = country or code
                continue
            if fold(word) in _FILLERS:
                continue
            break
        if not noun:
            continue
        if number.group(1) and 1900 <= value <= 2100:
            continue  # a year before a noun ("2025 agreements" is rare; "2025 year" is not)
        before = lowered[max(0, number.start() - 20) : number.start()].rstrip()
        qualifier = Qualifier.EXACT
        for phrase, qual in QUALIFIERS_BEFORE:
            if re.search(r"(^|\W)" + re.escape(phrase) + r"$", before):
                qualifier = qual
                break
        suffix = lowered[number.start() : number.end() + 12]
        for phrase, qual in QUALIFIERS_AFTER:
            if phrase in suffix:
                qualifier = qual
                break
        end_offset = number.end()
        for word in words[:used]:
            end_offset = sentence.index(word, end_offset) + len(word)
        found.append(Count(value, qualifier, noun, number.start(), end_offset, country, demonym))
    return found


# ---------------------------------------------------------------------------------------
# Dates

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7,
    "август": 8, "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12,
    "қаңтар": 1, "ақпан": 2, "наурыз": 3, "сәуір": 4, "мамыр": 5, "маусым": 6, "шілде": 7,
    "тамыз": 8, "қыркүйек": 9, "қазан": 10, "қараша": 11, "желтоқсан": 12,
    "yanvar": 1, "fevral": 2, "mart": 3, "aprel": 4, "iyun": 6, "iyul": 7, "avqust": 8,
    "sentyabr": 9, "oktyabr": 10, "noyabr": 11, "dekabr": 12,
}  # fmt: skip
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")[a-zа-яәғқңөұүһі]*"
_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:-?(?:го|th|st|nd|rd|i|ci|cı))?\s+" + _MONTH, re.I)
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})\b(?!\s*(?:-|\d))", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b(?![.,]?\d)")
_MONTH_YEAR = re.compile(_MONTH + r"\s+((?:19|20)\d\d)\b", re.I)


@dataclasses.dataclass
class FoundDate:
    date: datetime.date | None
    precision: str
    year_stated: bool
    text: str


def _month_of(word: str) -> int:
    word = word.lower()
    for name in sorted(MONTHS, key=len, reverse=True):
        if word.startswith(name):
            return MONTHS[name]
    return 0


def date_in(sentence: str, default_year: int | None) -> FoundDate | None:
    """The first date ``sentence`` gives, with its precision; a day and a month without a
    year take ``default_year`` (the article's), and the date has no year when none is known."""
    iso = _ISO_DATE.search(sentence)
    if iso:
        try:
            value = datetime.date(*(int(g) for g in iso.groups()))
            return FoundDate(value, DatePrecision.DAY, True, iso.group())
        except ValueError:
            pass
    year_match = _YEAR.search(sentence)
    year = int(year_match.group(1)) if year_match else None
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        found = pattern.search(sentence)
        if found:
            day, month = int(found.group(day_group)), _month_of(found.group(month_group))
            if not month or not 1 <= day <= 31:
                continue
            the_year = year or default_year
            if the_year is None:
                return FoundDate(None, DatePrecision.DAY, False, found.group())
            try:
                value = datetime.date(the_year, month, day)
            except ValueError:
                continue
            return FoundDate(value, DatePrecision.DAY, year is not None, found.group())
    found = _MONTH_YEAR.search(sentence)
    if found:
        month = _month_of(found.group(1))
        if month:
            value = datetime.date(int(found.group(2)), month, 1)
            return FoundDate(value, DatePrecision.MONTH, True, found.group())
    if year:
        return FoundDate(datetime.date(year, 1, 1), DatePrecision.YEAR, True, year_match.group())
    return None


# ---------------------------------------------------------------------------------------
# Institutions

# Folded word starts that make a word an institution word (singular: plurals are counts).
INSTITUTION_WORDS = (
    "university", "universiteti", "universitet", "institute", "institut", "academy",
    "akademiya", "akadem", "college", "kolledzh", "conservatory", "konservatori",
)  # fmt: skip
_PLURAL_ENDINGS = ("ies", "ov", "ami", "akh", "am", "lar", "lər", "tar", "ter", "dar", "der")
# Words that join a name's parts ("of", "им.", "named after").
_JOINERS = {"of", "the", "and", "im", "imeni", "named", "after", "atyndagy", "adina", "adyna"}
_ENGLISH_JOINERS = {"of", "the", "and"}
_INITIALS = re.compile(r"^(?:\w{1,2}\.)+$")
_SPAN_LEFT = 5
_SPAN_RIGHT = 6


def _is_institution_word(word: str, language: str) -> bool:
    folded = fold(word)
    if not folded.startswith(INSTITUTION_WORDS):
        return False
    if folded.endswith(_PLURAL_ENDINGS) and not folded.endswith(("iteti", "itet")):
        return False
    if folded.startswith(("akademik", "academic", "institution")):
        return False
    # An English name is written with capitals; a Russian one lowers its generic words.
    return word[0].isupper() or language in ("ru", "kk")


def _joiner(token: re.Match) -> bool:
    return fold(token.group()) in _JOINERS


def _name_spans(
    tokens: list[re.Match], index: int, body: str, language: str = "en"
) -> list[tuple[int, int]]:
    """Spans (first token, last token) around the institution word at ``index``, never
    across a comma or a bracket. Before the institution word, Russian names have only
    adjectives ("Атырауском государственном"), not a capitalised first word of the sentence
    ("Студенты-отличники Атырауского ...")."""

    def apart(a: int, b: int) -> bool:
        return bool(re.search(r"[,;:()«»\"“”]", body[tokens[a].end() : tokens[b].start()]))

    lefts = [index]
    for left in range(index - 1, max(-1, index - _SPAN_LEFT - 1), -1):
        word = tokens[left].group()
        if apart(left, left + 1) or tokens[left + 1].group().endswith("."):
            break
        if fold(word) in _ENGLISH_JOINERS:
            break  # "Rector of the ADA University": the name starts after "of the"
        adjective = fold(word).endswith(
            ("skom", "skogo", "skiy", "nom", "nogo", "nyy", "noy", "kiy", "tyk", "dagy")
        )
        if adjective or (word[0].isupper() and language != "ru"):
            lefts.append(left)
        else:
            break
    rights = [index]
    right = index + 1
    while right < len(tokens) and right - index <= _SPAN_RIGHT:
        if apart(right - 1, right):
            break
        word = tokens[right].group()
        # Russian and Kazakh names go on to the right only after "им." / "имени"
        # ("... университет им. Л.Н. Гумилева"), not into the next words of the sentence.
        after_named = any(fold(tokens[r].group()) in {"im", "imeni"} for r in rights)
        capital_ok = word[0].isupper() and (language not in ("ru", "kk") or after_named)
        if _joiner(tokens[right]) or capital_ok:
            rights.append(right)
            if word.endswith(".") and not _joiner(tokens[right]) and not _INITIALS.match(word):
                break
            right += 1
        else:
            break
    spans = []
    for left in lefts:
        if _joiner(tokens[left]):
            continue
        for last in rights:
            if not _joiner(tokens[last]):
                spans.append((left, last))
    return spans


def institutions_in(
    text: str, sentence_list, matcher: NameMatcher, language: str
) -> list[tuple[str, dict | None, list[dict], float, tuple[int, int, str]]]:
    """(name as written, sure match or None, candidates, confidence, sentence) per
    institution the text names, each once."""
    found = []
    seen: set = set()
    for sentence in sentence_list:
        body = sentence[2]
        tokens = list(re.finditer(r"[^\s,;:()«»\"“”]+", body))
        for index, token in enumerate(tokens):
            word = token.group().strip(".")
            if not word or not _is_institution_word(word, language):
                continue
            best = None
            spans = _name_spans(tokens, index, body, language)
            for left, last in spans:
                written = body[tokens[left].start() : tokens[last].end()].rstrip(".")
                if written.lower().startswith("the "):
                    written = written[4:]
                if not any(w[0].isupper() for w in written.split()):
                    continue
                result = matcher.match(written)
                score = result.candidates[0].score if result.candidates else 0.0
                rank = (score, result.verdict == SURE, last - left)
                if best is None or rank > best[0]:
                    best = (rank, written, result)
            if best is None:
                continue
            (score, _sure, _length), written, result = best
            if result.verdict != SURE:
                # Nothing sure: the name as written, from its first capitalised word to
                # the end of its "of ..." ("Gubkin Russian State University of Oil and Gas").
                left = min(span[0] for span in spans)
                last = max(span[1] for span in spans)
                written = body[tokens[left].start() : tokens[last].end()].rstrip(".")
                if written.lower().startswith("the "):
                    written = written[4:]
                result = matcher.match(written)
            if not result.candidates and len(written.split()) < 2:
                continue  # a lone "University": nothing to name
            if result.verdict == SURE:
                identity = ("id", result.institution_id)
            elif result.verdict == AMBIGUOUS and result.candidates:
                identity = ("id", result.candidates[0].institution_id)
            else:
                identity = ("name", fold(written))
            # Named again in another case or shorter ("Атырауского государственного
            # университета" after the full name): the same institution.
            if identity in seen or any(("id", c.institution_id) in seen for c in result.candidates):
                continue
            seen.add(identity)
            candidates = [c.as_dict() for c in result.candidates]
            match = candidates[0] if result.verdict == SURE else None
            confidence = 0.95 if match else (0.7 if candidates else 0.6)
            found.append((written, match, candidates, confidence, sentence))
    return found


# ---------------------------------------------------------------------------------------
# People

POSITION_WORDS = (
    "minister", "rector", "ambassador", "consul", "president", "senator", "member of",
    "deputy", "akim", "head of", "chairman", "director", "vice-rector", "prime minister",
    "министр", "ректор", "посол", "консул", "президент", "заместител", "аким", "глав",
    "председател", "директор", "сенатор", "депутат", "министрі", "елшісі", "nazir", "səfir",
)  # fmt: skip
# Capitalised words that are not names.
_NOT_NAMES = {
    "minister", "ministry", "science", "higher", "education", "republic", "university",
    "academy", "rector", "ambassador", "president", "member", "senate", "forum", "second",
    "first", "the", "on", "in", "at", "during", "speaking", "according", "following",
    "prior", "round", "table", "memoranda", "memorandum", "understanding", "state", "national",
    "central", "district", "hospital", "children", "creativity", "center", "centre",
    "horizon", "dual", "diploma", "programs", "scientific", "expanding", "consulate",
    "general", "глава", "республики", "республика", "республикой", "министерстве",
    "министр", "посол", "выступая", "студенты", "от", "далее", "официальный", "мы",
    "однако", "сегодня", "эти", "это", "желаю", "очень", "also", "kazakh", "azerbaijani",
}  # fmt: skip
_NAME = re.compile(
    r"\b([A-ZА-ЯЁƏÇĞİÖŞÜ][a-zа-яёəçğıöşü]+(?:-[A-ZА-Я][a-zа-яё]+)?)"
    r"\s+([A-ZА-ЯЁƏÇĞİÖŞÜ][a-zа-яёəçğıöşü]{2,}(?:-[A-ZА-Я][a-zа-яё]+)?)\b"
)


def _nameish(word: str) -> bool:
    if word.lower() in _NOT_NAMES:
        return False
    code, _city = place_in(word)
    if code:
        return False
    return not fold(word).startswith(INSTITUTION_WORDS) and not _month_of(word)


def people_in(sentence_list) -> list[tuple[str, str, tuple[int, int, str]]]:
    """(name, position, sentence) per person named next to a position word, each once; a
    surname alone ("Посол Мамедов", "Nurbek") is the same person."""
    people: dict[str, tuple[str, str, tuple]] = {}
    for sentence in sentence_list:
        body = sentence[2]
        at = 0
        while True:
            found = _NAME.search(body, at)
            if found is None:
                break
            at = found.start(2)  # pairs overlap: "Казахстане Рашад Мамедов"
            first, last = found.group(1), found.group(2)
            if not (_nameish(first) and _nameish(last)):
                continue
            position = _position_near(body, found.start(), found.end())
            if not position:
                continue
            key = fold(last)
            if key not in people:
                people[key] = (f"{first} {last}", position, sentence)
    return list(people.values())


_CLAUSE_END = re.compile(r"[,;:.!?]\s|\s[-–—]\s")


def _position_near(body: str, start: int, end: int) -> str:
    """The position written next to the name: in the words just before it ("Kazakh
    Ambassador to Azerbaijan Alim Bayel", "посол Азербайджана в Казахстане Рашад Мамедов"),
    in the clause before it ("The Rector of the ADA University, Hafiz Pashayev"), or in the
    clause after it ("Sayasat Nurbek, Minister of Science ...")."""
    before = body[:start]
    clauses = _CLAUSE_END.split(before)
    last = clauses[-1] if clauses else ""
    if last.strip():
        position = _position_in(last)
        if position:
            return position
        previous = ""
    else:
        previous = clauses[-2] if len(clauses) >= 2 else ""
    if previous.strip():
        position = _position_in(previous)
        if position and len(position) < 140:
            return position
    after = body[end:]
    if after.startswith(","):
        clause = re.split(r",\s+(?:and|who|gave|и|который)\b|[,;.](?=\s)|\s[-–—]\s", after[1:])[0]
        position = _position_in(clause)
        if position and len(clause) < 140:
            return clause.strip()
    return ""


def _position_in(clause: str) -> str:
    """The clause from its first position word (with the capitalised words just before it,
    "Kazakh Ambassador"), or ""."""
    # A Russian past-tense verb ends what came before ("поздравил заместитель акима").
    verbs = list(re.finditer(r"\b[а-яё]+(?:ил|ал|ял|ел|ул|ила|ала|или|али|ился)\b", clause))
    if verbs:
        clause = clause[verbs[-1].end() :]
    lowered = clause.lower()
    hits = [lowered.find(w) for w in POSITION_WORDS if lowered.find(w) >= 0]
    if not hits:
        return ""
    at = min(hits)
    words_before = clause[:at].split()
    while words_before and words_before[-1][0].isupper() and words_before[-1] not in ("The",):
        at = clause.rfind(words_before.pop(), 0, at)
    position = clause[at:].strip(" ,")
    return position[0].upper() + position[1:] if position else ""


# ---------------------------------------------------------------------------------------
# Events

EVENT_WORDS = [
    (EventKind.ROUND_TABLE, ("round table", "roundtable", "круглый стол", "круглого стола")),
    (EventKind.FORUM, ("forum", "форум")),
    (EventKind.CONFERENCE, ("conference", "конференци", "konfrans", "конференция")),
    (EventKind.EXHIBITION, ("exhibition", "выставк", "sərgi", "көрме")),
    (EventKind.RECEPTION, ("reception", "прием", "приём", "qəbul")),
    (EventKind.CELEBRATION, ("торжественн", "celebration", "празднован")),
    (EventKind.OFFICIAL_VISIT, ("official visit", "on a visit", "визит", "səfər", "сапар")),
    (EventKind.SIGNING_CEREMONY, ("signing ceremony", "церемония подписания")),
]
_FUTURE = re.compile(
    r"\b(will|to be|scheduled|planned|будет|будут|планиру|предстоящ|olacaq|болады)\b", re.I
)
_TITLE_WORD = re.compile(r"[A-ZА-ЯЁ][\w'’-]*|of|and|the|for|on|in|между|и")


def _title_at(body: str, at: int, length: int) -> str:
    """A capitalised name around the event word ("Second Forum of Rectors of ..."), or ""."""
    if not body[at : at + 1].isupper():
        return ""
    start = at
    for word in reversed(re.findall(r"\S+", body[:at])[-3:]):
        if word[0].isupper() and word.lower() not in {"the", "on", "a"}:
            start = body.rfind(word, 0, start)
        else:
            break
    words = re.findall(r"\S+", body[at:])
    taken = []
    for word in words:
        clean = word.strip(",.;:")
        if not clean or not _TITLE_WORD.fullmatch(clean):
            break
        taken.append(clean)
        if word != clean:
            break
    while taken and taken[-1].lower() in {"of", "and", "the", "for", "on", "in", "и"}:
        taken.pop()
    title = (body[start:at] + " ".join(taken)).strip()
    return title if len(title.split()) >= 3 else ""


def event_kinds_in(sentence: str) -> set[str]:
    """The kinds of event whose words ``sentence`` uses."""
    lowered = sentence.lower()
    return {kind for kind, words in EVENT_WORDS if any(w in lowered for w in words)}


def events_in(
    sentence_list, matcher: NameMatcher | None, institutions, default_year: int | None
) -> list[dict]:
    """One event per kind (the article's forum, its round table), with the sentence that
    names it first; a signing ceremony within another event is that event's part."""
    by_kind: dict[str, dict] = {}
    for sentence in sentence_list:
        body = sentence[2]
        lowered = body.lower()
        for kind, words in EVENT_WORDS:
            at = -1
            for word in words:
                at = lowered.find(word)
                if at >= 0:
                    break
            if at < 0:
                continue
            if kind == EventKind.OFFICIAL_VISIT and "on a visit" in lowered:
                pass
            title = _title_at(body, at, len(word))
            found = date_in(body, default_year)
            cities = cities_in(body, matcher)
            hosts = [i for i in institutions if i[4] is sentence]
            existing = by_kind.get(kind)
            if existing is None:
                by_kind[kind] = {
                    "kind": kind,
                    "title": title,
                    "date": found,
                    "cities": cities,
                    "host": hosts[0] if hosts else None,
                    "planned": bool(_FUTURE.search(body[max(0, at - 80) : at + 120])),
                    "sentence": sentence,
                    "mentions": 1,
                }
            else:
                existing["mentions"] += 1
                if not existing["title"] and title:
                    existing["title"] = title
                if existing["date"] is None and found is not None and found.date:
                    existing["date"] = found
                if not existing["cities"]:
                    existing["cities"] = cities
                if existing["host"] is None and hosts:
                    existing["host"] = hosts[0]
    events = list(by_kind.values())
    others = [e for e in events if e["kind"] != EventKind.SIGNING_CEREMONY]
    if others:
        events = others
    return events


# ---------------------------------------------------------------------------------------
# Putting it together


def extract(
    text: str,
    *,
    matcher: NameMatcher,
    url: str = "",
    publisher: str = "",
    published_on: datetime.date | None = None,
    title: str = "",
) -> Extraction:
    """The records ``text`` states, as proposals. Raises ``OtherLanguage`` for a text the
    rules cannot read and ``NothingRelevant`` when it names nothing the register keeps."""
    language = detect_language(text)
    if language not in LANGUAGES:
        raise OtherLanguage(language)
    sentence_list = sentences(text)
    proposals: list[Proposal] = []

    def add(kind: str, sentence, confidence: float, fields: dict, **extra) -> Proposal:
        proposal = Proposal(
            key=f"p{len(proposals) + 1}",
            kind=kind,
            sentence=sentence[2],
            start=sentence[0],
            end=sentence[1],
            confidence=round(confidence, 2),
            fields=fields,
            **extra,
        )
        proposals.append(proposal)
        return proposal

    # The source: its date from the dateline when the person gave none.
    dated = None
    if published_on is None and sentence_list:
        dated = date_in(text[:200], None)
        if dated and dated.date and dated.year_stated:
            published_on = dated.date
    default_year = published_on.year if published_on else None
    first = sentence_list[0] if sentence_list else (0, len(text), text)
    heading = title or _heading(text, sentence_list)
    add(
        SOURCE,
        first,
        0.9 if title else 0.6,
        {
            "title": heading[:500],
            "publisher": publisher or _publisher_in(text),
            "url": url,
            "published_on": published_on.isoformat() if published_on else "",
            "published_precision": dated.precision if dated else DatePrecision.DAY,
            "language": language,
            "excerpt": first[2][:500],
        },
    )

    institutions = institutions_in(text, sentence_list, matcher, language)
    for written, match, candidates, confidence, sentence in institutions:
        codes = countries_in(written)
        add(
            INSTITUTION,
            sentence,
            confidence,
            {
                "name": written,
                "country": match["country"] if match else (codes[0] if codes else ""),
            },
            match=match,
            candidates=candidates,
        )

    for name, position, sentence in people_in(sentence_list):
        codes = countries_in(position)
        institution = None
        for written, match, _c, _conf, _s in institutions:
            if fold(written) in fold(position) and match:
                institution = match
        country = codes[0] if codes else (institution["country"] if institution else "")
        local = ""
        if re.search("[А-Яа-яЁё]", name):
            local, name = name, " ".join(w.capitalize() for w in fold(name).split())
        add(
            PERSON,
            sentence,
            0.75,
            {
                "name": name,
                "name_local": local,
                "position": position[:300],
                "country": country,
                "institution": institution["institution_id"] if institution else None,
            },
        )

    for event in events_in(sentence_list, matcher, institutions, default_year):
        sentence = event["sentence"]
        found = event["date"]
        host = event["host"]
        city, city_country = event["cities"][0] if event["cities"] else ("", "")
        if not city and host and host[1] and matcher is not None:
            institution = matcher.institutions.get(host[1]["institution_id"])
            city = getattr(institution, "city", "") or ""
        country = city_country or (host[1]["country"] if host and host[1] else "")
        if not country:
            codes = countries_in(sentence[2])
            country = codes[0] if codes else ""
        title = event["title"] or _event_title(event["kind"], host, city)
        confidence = 0.5 + 0.1 * min(event["mentions"], 3) + (0.1 if found else 0)
        add(
            EVENT,
            sentence,
            min(confidence, 0.95),
            {
                "title": title[:300],
                "kind": event["kind"],
                "start_date": found.date.isoformat() if found and found.date else "",
                "date_precision": found.precision if found else DatePrecision.YEAR,
                "year_stated": bool(found and found.year_stated),
                "city": city,
                "country": country,
                "host_institution": host[1]["institution_id"] if host and host[1] else None,
                "host_name": host[0] if host else "",
                "status": EventStatus.PLANNED if event["planned"] else EventStatus.HELD,
            },
        )

    seen_agreements: set = set()
    article_countries = countries_in(text)
    for sentence in sentence_list:
        _agreements_in(sentence, matcher, institutions, default_year, add, seen_agreements)
        _figures_in(sentence, published_on, default_year, add, article_countries)

    if len(proposals) == 1:
        raise NothingRelevant()
    return Extraction(text=text, language=language, proposals=proposals)


def _heading(text: str, sentence_list) -> str:
    """The article's title: its first line when that line is short and has no full stop."""
    for line in text.splitlines():
        line = line.strip(" -—")
        if not line:
            continue
        if len(line) < 200 and not line.endswith("."):
            return line
        break
    for sentence in sentence_list:
        if not _DATELINE.match(sentence[2]):
            return _DATELINE.sub("", sentence[2])[:200]
    return ""


# "date 2025-03-05 BAKU, Azerbaijan, March 5." or "Astana, 5 March 2025 -": no title.
_DATELINE = re.compile(
    r"^(?:date\s+\S+\s+)?[A-ZА-ЯЁ][A-ZА-ЯЁa-zа-яё-]+,(?:\s+[\w-]+,)?\s+[\w ]{3,20}\.?\s*$"
    r"|^date\s+\S+\s+"
)


def _publisher_in(text: str) -> str:
    """The agency an interview was given to ("... told Trend"), or the site the article
    names as its source ("сообщается на сайте Minval.az")."""
    found = re.search(r"\btold ([A-Z][\w.]+)", text) or re.search(
        r"на сайте ([\w.-]+\.[a-z]{2,})", text
    )
    return found.group(1).rstrip(".") if found else ""


def _event_title(kind: str, host, city: str) -> str:
    label = str(EventKind(kind).label)
    if host:
        place = host[1]["name"] if host[1] else host[0]
        return _("%(kind)s at %(place)s") % {"kind": label, "place": place}
    if city:
        return _("%(kind)s in %(place)s") % {"kind": label, "place": city}
    return label


_SIGNED = re.compile(
    r"\b(signed|signing|concluded|подписал\w*|подписан\w*|подписани\w*|imzala\w*|қол қой\w*)",
    re.I,
)
_SCHEDULED = re.compile(
    r"\b(scheduled|to be signed|will be signed|будут подписаны|планируется подписать)", re.I
)
_ANNOUNCED = re.compile(r"\b(will|plans?|intends?|будет|будут|планиру\w*|olacaq)\b", re.I)
_BOTH = re.compile(r"\b(both countries|two countries|обеих стран|двух стран|hər iki)\b", re.I)
_BETWEEN_COUNTRIES = re.compile(r"\bbetween\b|\bмежду\b", re.I)
_END_OF_YEAR = re.compile(r"(by the end of|к концу|на конец)\s+((?:19|20)\d\d)", re.I)
_KINDS_OF_AGREEMENT = [
    ("framework", ("framework agreement", "рамочн")),
    ("protocol", ("additional protocol", "protocol", "протокол")),
    ("memorandum", ("memorandum", "меморандум")),
    ("intergovernmental", ("agreement under which the governments", "межправительствен")),
]


def _agreements_in(sentence, matcher, institutions, default_year, add, seen_agreements) -> None:
    """An agreement the sentence names as one thing ("signed a memorandum with ...", "Back
    in 2013, we signed a framework agreement"): counted agreements are stated figures."""
    body = sentence[2]
    lowered = body.lower()
    if not _SIGNED.search(body) or any(c.noun == AGREEMENTS_NOUN for c in counts_in(body)):
        return
    for kind, words in _KINDS_OF_AGREEMENT:
        if not any(w in lowered for w in words):
            continue
        if kind == "memorandum" and not re.search(r"\b(a|одн|the)\s+memorandum", lowered):
            continue
        parties = [i for i in institutions if i[0] in body]
        identity = (kind, tuple(sorted(p[0] for p in parties)))
        if identity in seen_agreements:
            return
        seen_agreements.add(identity)
        found = date_in(body, None)
        year = found.date.year if found and found.date else None
        if year is None and re.search(r"\blast year\b|\bв прошлом году\b", lowered):
            year = default_year - 1 if default_year else None
        add(
            AGREEMENT,
            sentence,
            0.6 + (0.2 if len(parties) >= 2 else 0),
            {
                "title": body[:200],
                "kind": kind,
                "year": year,
                "parties": [p[0] for p in parties],
                "party_ids": [p[1]["institution_id"] if p[1] else None for p in parties],
            },
        )
        return


def _figures_in(sentence, published_on, default_year, add, article_countries=()) -> None:
    """The stated figures and mobility figures of one sentence."""
    body = sentence[2]
    counts = counts_in(body)
    if not counts:
        return
    sentence_countries = countries_in(body)
    year_match = _YEAR.search(body)
    reference_year = int(year_match.group(1)) if year_match else None
    both = bool(_BOTH.search(body))
    has_agreements = any(c.noun == AGREEMENTS_NOUN for c in counts)
    consumed: set[int] = set()
    for index, count in enumerate(counts):
        if index in consumed:
            continue
        rest = body[count.end :]
        following = [c for c in counts[index + 1 :] if c.noun == STUDENTS_NOUN]
        clause = rest[: following[0].start - count.end] if following else rest
        after_countries = countries_in(" ".join(_WORD.findall(clause)[:4]))
        if count.noun == STUDENTS_NOUN:
            consumed |= _mobility(count, counts, index, clause, body, sentence, add,
                                  published_on, default_year)  # fmt: skip
            continue
        status = Status.STATED
        if count.noun == AGREEMENTS_NOUN or (count.noun == INSTITUTIONS_NOUN and has_agreements):
            if _SCHEDULED.search(body):
                status = Status.SCHEDULED
            elif _SIGNED.search(body):
                status = Status.SIGNED
        elif _ANNOUNCED.search(body):
            status = Status.ANNOUNCED
        if count.noun == INSTITUTIONS_NOUN:
            if has_agreements:
                metric = StatedFigureMetric.INSTITUTIONS_SIGNING
            elif re.search(r"agreement|соглашени|меморандум|memorand|saziş", body, re.I):
                metric = StatedFigureMetric.INSTITUTIONS_WITH_AGREEMENTS
            else:
                continue  # universities counted for no stated reason
        else:
            metric = {
                AGREEMENTS_NOUN: StatedFigureMetric.AGREEMENTS_SIGNED,
                SCHOLARSHIPS_NOUN: StatedFigureMetric.SCHOLARSHIPS,
                STAFF_NOUN: StatedFigureMetric.STAFF_SENT,
            }[count.noun]
        country = count.country
        if not country and count.noun == INSTITUTIONS_NOUN and after_countries:
            country = after_countries[0]  # "18 universities in Azerbaijan"
        scope = StatedFigureScope.COUNTRY
        partner = ""
        between = _BETWEEN_COUNTRIES.search(body) and len(sentence_countries) >= 2
        if count.noun == AGREEMENTS_NOUN and (both or between):
            scope = StatedFigureScope.BOTH
        if count.noun == INSTITUTIONS_NOUN and both:
            scope = StatedFigureScope.BOTH
        if count.noun == SCHOLARSHIPS_NOUN and re.search(r"\beach\b|кажд|hər biri", clause):
            scope = StatedFigureScope.BOTH  # "12 scholarships each" (each way)
        if scope == StatedFigureScope.BOTH:
            pair = sentence_countries[:2] if len(sentence_countries) >= 2 else []
            country, partner = pair or settings.UNIBRIDGE_FOCUS_PAIR
        else:
            if not country:
                # The subject ("Kazakhstan will allocate"), else the first country named.
                ahead = countries_in(body[: count.start])
                country = ahead[0] if ahead else (sentence_countries or [""])[0]
            others = [c for c in sentence_countries if c != country]
            partner = others[0] if others else ""
            if not partner and metric != StatedFigureMetric.SCHOLARSHIPS:
                partner = other_of_pair(country)
        pair = settings.UNIBRIDGE_FOCUS_PAIR
        if not country and count.noun == AGREEMENTS_NOUN and set(pair) <= set(article_countries):
            # "25 memoranda were signed at the forum" of an article about the pair.
            scope, (country, partner) = StatedFigureScope.BOTH, pair
        if metric == StatedFigureMetric.INSTITUTIONS_WITH_AGREEMENTS:
            status = Status.STATED
        confidence = 0.6 + (0.15 if country else 0) + (0.1 if count.noun != STAFF_NOUN else 0)
        add(
            STATED_FIGURE,
            sentence,
            min(confidence, 0.9),
            {
                "metric": metric,
                "statement": body[:1000],
                "value": count.value,
                "qualifier": count.qualifier,
                "status": status,
                "scope": scope,
                "country": country,
                "partner_country": partner if partner != country else "",
                "stated_on": published_on.isoformat() if published_on else "",
                "reference_year": reference_year,
                "figure": body[count.start : count.end],
            },
        )


def _mobility(
    count: Count, counts, index, clause, body, sentence, add, published_on, default_year
) -> set[int]:
    """A count of students who study abroad: origin, destination, host institutions."""
    consumed = set()
    if not re.search(r"stud|учат|учил|учат|обуча|оқи|təhsil|oxu", body, re.I):
        return consumed
    origin = count.country
    # "students from Azerbaijan", "студентов из Азербайджана"
    coming = re.match(r"\s*(?:\w+\s+){0,2}?(?:from|из|dan|dən)\s+(\w+)", body[count.end :])
    if not origin and coming:
        origin = (countries_in(coming.group(1)) or [""])[0]
    words = _WORD.findall(clause)
    destination = ""
    hosts = None
    for later_index, later in enumerate(counts[index + 1 :], start=index + 1):
        if later.noun == INSTITUTIONS_NOUN and body[count.end : later.start] in clause:
            hosts = later.value
            consumed.add(later_index)
            destination = later.country or destination
            break
    if not destination:
        # Where they study: named after them ("study in Poland"), else anywhere in the
        # sentence ("В Казахстане обучаются ... студентов из Азербайджана").
        for code in countries_in(" ".join(words)) + countries_in(body):
            if code != origin:
                destination = code
                break
    if not origin and re.search(r"\b(our|наш\w*|bizim)\b", body[count.start : count.end]):
        origin = other_of_pair(destination)
    if not origin or not destination or origin == destination:
        return consumed
    end_of_year = _END_OF_YEAR.search(body)
    if end_of_year:
        as_of = datetime.date(int(end_of_year.group(2)), 12, 31)
    elif re.search(r"\b(currently|now|сейчас|в настоящее время|today)\b", body, re.I):
        as_of = published_on
    else:
        as_of = None
    year = as_of.year if as_of else default_year
    add(
        MOBILITY_FIGURE,
        sentence,
        0.85 if as_of else 0.7,
        {
            "origin_country": origin,
            "destination_country": destination,
            "mobility_type": "students",
            "measure": "stock",
            "level": "all",
            "year": year,
            "as_of": as_of.isoformat() if as_of else "",
            "value": count.value,
            "qualifier": count.qualifier,
            "host_institution_count": hosts,
            "notes": body[:1000],
            "figure": body[count.start : count.end],
        },
    )
    return consumed
