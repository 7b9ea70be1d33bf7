"""The catalogues use the glossary's terms (issue 15).

`locale/GLOSSARY.md` holds the domain's terms in en/ru/kk/az, each checked against how the
ministries and universities write (its last column says where each form was seen). These
tests read the glossary itself, so that a term corrected there must be corrected in the
catalogues too: each key message's translation uses the glossary's term of its row, every
message naming ISCED uses the glossary's abbreviation of ISCED, and no form the check
replaced comes back."""

import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGS = ("ru", "kk", "az")

# Key messages of the interface -> the glossary row (its English term) they translate.
KEY_MESSAGES = {
    "Memorandum of understanding": "memorandum of understanding (MoU)",
    "Cooperation agreement": "cooperation agreement",
    "Framework agreement": "framework agreement",
    "Parties": "party (to an agreement)",
    "Signed on": "signed on",
    "In force": "in force",
    "Draft": "draft",
    "Terminated": "terminated",
    "Published": "published / public",
    "Signing session": "signing session",
    "Institution": "institution",
    "Institutions": "institution",
    "Scholarship programmes": "scholarship programme",
    "ISCED level": "ISCED level",
    "ISCED 6: bachelor's or equivalent": "ISCED 6, bachelor's",
    "ISCED 7: master's or equivalent": "ISCED 7, master's",
    "ISCED 8: doctoral or equivalent": "ISCED 8, doctoral",
    "Event": "event",
    "Events": "event",
    "Round table": "round table",
    "Host": "host (of an event)",
    "Source": "source",
    "Register of academic cooperation": "register",
    "Dual degree agreement": "dual degree",
}

# Messages naming ISCED-F 2013 as the title of a data set the register reuses (a credit,
# whose title may stay as UNESCO publishes it).
DATA_CREDITS = {
    "UniBridge — the register of academic cooperation. Reference data: ROR (CC0), Hipo "
    "(MIT), ISCED-F 2013 (UNESCO-UIS).",
}


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@cache
def glossary() -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """The terms by English term and language, and the replaced forms by language."""
    terms: dict[str, dict[str, str]] = {}
    replaced: dict[str, list[str]] = {lang: [] for lang in LANGS}
    text = (LOCALE / "GLOSSARY.md").read_text(encoding="utf-8")
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if not line.startswith("| ") or line.startswith("| ---"):
            continue
        cells = _cells(line)
        if section == "Replaced forms":
            if cells[0] in replaced:
                replaced[cells[0]] += [form.strip() for form in cells[1].split(",")]
        elif cells[:4] != ["en", "ru", "kk", "az"]:
            terms[cells[0]] = dict(zip(LANGS, cells[1:4], strict=True))
    return terms, replaced


def _stems(term: str) -> list[str]:
    """The words of a glossary term, each cut to the part an inflection keeps: Kazakh and
    Azerbaijani add endings ("бағдарлама" -> "бағдарламалар", "proqramı" ->
    "proqramları"), Russian changes the last letters ("программа" -> "программы")."""
    term = re.sub(r"\(.*?\)", " ", term.split("/")[0]).replace("...", " ")
    words = re.findall(r"\w+", _fold(term))
    return [word if len(word) <= 4 else word[: max(4, len(word) - 2)] for word in words]


@cache
def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def _fold(text: str) -> str:
    """Case-folded, with Azerbaijani's dotted capital İ folded to i (Python's casefold
    leaves a combining dot after it)."""
    return text.replace("İ", "i").casefold()


def _translations(lang: str, msgid: str) -> list[str]:
    """The translations of msgid in its own words (a menu's shorter context aside)."""
    found = [
        e.msgstr for e in catalogue(lang) if e.msgid == msgid and not e.msgctxt and not e.obsolete
    ]
    assert found, f"{lang}: no entry {msgid!r}"
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("msgid", sorted(KEY_MESSAGES))
def test_key_message_uses_the_glossary_term(lang, msgid):
    terms, _replaced = glossary()
    term = terms[KEY_MESSAGES[msgid]][lang]
    for translation in _translations(lang, msgid):
        words = re.findall(r"\w+", _fold(translation))
        missing = [s for s in _stems(term) if not any(w.startswith(s) for w in words)]
        assert not missing, f"{lang}: {msgid!r} is {translation!r}, the glossary says {term!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_naming_isced_uses_the_glossary_abbreviation(lang):
    terms, _replaced = glossary()
    abbreviation = terms["ISCED level"][lang].split()[-1 if lang == "ru" else 0]
    naming = [
        e
        for e in catalogue(lang)
        if "ISCED" in e.msgid and e.msgid not in DATA_CREDITS and not e.obsolete
    ]
    assert len(naming) > 20
    wrong = [e.msgid for e in naming if abbreviation not in e.msgstr]
    assert not wrong, f"{lang}: {abbreviation} missing from {wrong}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_replaced_form_comes_back(lang):
    _terms, replaced = glossary()
    for form in replaced[lang]:
        pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE)
        back = [e.msgid for e in catalogue(lang) if pattern.search(e.msgstr)]
        assert not back, f"{lang}: {form!r} is back in {back}"


def test_the_glossary_says_where_each_term_was_seen():
    text = (LOCALE / "GLOSSARY.md").read_text(encoding="utf-8")
    rows = [
        _cells(line)
        for line in text.split("## Replaced forms")[0].splitlines()
        if line.startswith("| ") and not line.startswith(("| ---", "| en |"))
    ]
    assert len(rows) > 80
    assert all(len(row) == 5 and row[4] for row in rows), [r[0] for r in rows if len(r) != 5]
    keys = set(re.findall(r"\b([KARN]\d+)\b", text.split("## Sources")[1]))
    cited = {key for row in rows for key in re.findall(r"\b([KAR]\d+)\b", row[4])}
    assert cited <= keys, cited - keys
