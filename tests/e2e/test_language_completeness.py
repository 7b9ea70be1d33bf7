"""No English left on a page in another language (issue 15).

Each public page of the three journeys (the rector's: dashboard, directory, a profile, the
register, an agreement, events, an event; the analyst's: the mobility explorer, the
scholarships, the stated figures; anyone's: search and the login page) is read in Russian,
Kazakh and Azerbaijani, and what a reader reads on it is checked:

- against the language's catalogue: no msgid that the catalogue translates may be a piece
  of the page (a visible text node, a title, aria-label, placeholder or alt attribute, the
  page's title) in English, whole but for digits and punctuation around it ("Signed:",
  "Signed 06.04.2026"), a placeholder standing for any text. Only catalogue msgids are
  looked for, and only as whole pieces, so the register's content (institutions' names,
  titles without a translation, quotes from articles, people, codes), which the catalogue
  does not hold, never counts even where it holds an English word of the interface
  ("ADA University", "... signed 40 new agreements"). The limit: an English word of the
  interface run into data in one text node ("Signed by X") is not seen;
- for numbers and dates, in the whole visible text: no "1,000" (the English thousands
  separator), no English date ("Apr. 6, 2026", "April 6, 2026", "6 April 2026", "April
  2026") and no ISO one (2026-04-06); the locale writes 06.04.2026.
"""

import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page

from agreements.models import Agreement
from events.models import Event
from mobility.models import ScholarshipProgramme
from universities.models import Institution

LOCALE = Path(settings.BASE_DIR) / "locale"

# Catalogue entries that the page may show in English, each with the reason.
ALLOWED = {
    # The language switcher names each language in itself (a reader who cannot read Russian
    # must still find "English"); "English" is also the catalogue's name of the language.
    "English",
}

# What a reader reads: the page's title; each visible text node (and each choice of a list
# box, shown when it opens), whitespace collapsed; the title, aria-label, placeholder and
# alt attributes. One string each, as the page's pieces, and the whole visible text.
PIECES = """() => {
    const pieces = document.title.split(" · ");
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest("script, style, noscript, template")) continue;
        if (!parent.closest("option") && !parent.checkVisibility()) continue;
        const text = node.textContent.replace(/\\s+/g, " ").trim();
        if (text) pieces.push(text);
    }
    for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], [alt]")) {
        for (const name of ["title", "aria-label", "placeholder", "alt"]) {
            const value = el.getAttribute(name);
            if (value && value.trim()) pieces.push(value.replace(/\\s+/g, " ").trim());
        }
    }
    return {pieces, text: document.title + "\\n" + document.body.innerText};
}"""

PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|\{[^}]*\}")
TAG = re.compile(r"<[^>]+>")
LETTERS = re.compile(r"[^\W\d_]")


def _patterns(msgid: str) -> list[re.Pattern]:
    """The msgid as a whole piece of the page: any text the placeholders stand for, any
    run of spaces as any spaces, any digits and punctuation around it ("Signed:",
    "Signed 06.04.2026"); a msgid with tags in it as each of its texts between tags. None
    for a text too short to tell English apart ("ID", "CSV", a lone placeholder)."""
    patterns = []
    for text in TAG.split(msgid.replace("&nbsp;", " ")):
        pieces = [piece.strip() for piece in PLACEHOLDER.split(text)]
        literal = " ".join(piece for piece in pieces if piece)
        if not literal or literal in ALLOWED:
            continue
        if len(literal.split()) < 2 and len(LETTERS.findall(literal)) < 4:
            continue
        if not pieces[0] and not pieces[-1] and len(literal.split()) < 2:
            # "%(kind)s between %(parties)s": one English word anywhere in a text, which
            # the register's English titles and quotes are full of.
            continue
        body = r".{1,80}?".join(
            r"\s+".join(re.escape(word) for word in piece.split()) for piece in pieces if piece
        )
        around = r"[\W\d_]*"
        if not pieces[0]:
            body = r"(?:.*\W)?" + body  # a placeholder first: any words before it
        if not pieces[-1]:
            body += r"(?:\W.*)?"
        patterns.append(re.compile(rf"{around}{body}{around}"))
    return patterns


@cache
def catalogue_patterns(lang: str) -> list[tuple[str, re.Pattern]]:
    """Every msgid (and plural msgid) that the catalogue of ``lang`` translates to
    something else, as patterns of a whole piece of the page."""
    patterns = []
    for entry in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po")):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural.get(0, "")),
                (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for msgid, msgstr in pairs:
            if msgstr and msgstr != msgid:
                patterns += [(msgid, pattern) for pattern in _patterns(msgid)]
    return patterns


MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
NUMBERS_AND_DATES = {
    "an English thousands separator": re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w,])"),
    # "Apr. 6, 2026", "April 6, 2026", "6 April 2026", "April 2026": Django's English
    # formats. Every date the interface writes has its year; a day and month alone ("6
    # April") is a quote or a note from the register ("The article gives 6 April without a
    # year"), in the language it was written in. "May 2026" is Azerbaijani as well.
    "an English date": re.compile(
        rf"(?<!\w)(?:{MONTHS}\.?\s+\d{{1,2}},?\s+|\d{{1,2}}\s+{MONTHS}\.?,?\s+"
        rf"|{MONTHS.replace('|May', '')}\.?\s+)\d{{4}}(?!\w)"
    ),
    "an ISO date": re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])"),
}


def _around(text: str, match: re.Match) -> str:
    """The match with a little of the text around it, to find it on the page."""
    return text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " | ")


def problems(lang: str, pieces: list[str], text: str) -> list[str]:
    found = []
    for msgid, pattern in catalogue_patterns(lang):
        for piece in pieces:
            if pattern.fullmatch(piece):
                found.append(f"English {msgid!r}: {piece!r}")
                break
    for what, pattern in NUMBERS_AND_DATES.items():
        for match in pattern.finditer(text):
            found.append(f"{what}: {_around(text, match)!r}")
    return found


def journey_pages() -> list[str]:
    institution = Institution.objects.get(ror_id="05nmhtv58")  # Atyrau, with partners
    agreement = Agreement.objects.public().order_by("pk").first()
    event = Event.objects.get(kind="forum")
    programme = ScholarshipProgramme.objects.order_by("pk").first()
    source = event.sources.order_by("pk").first()  # the article it was read from
    return [
        "/",
        "/institutions/",
        "/institutions/map/",
        institution.get_absolute_url(),
        "/agreements/",
        # Filtered: the chips say what is picked, a date among them.
        "/agreements/?status=signed&signed_after=2010-01-01",
        agreement.get_absolute_url(),
        "/events/",
        event.get_absolute_url(),
        source.get_absolute_url(),
        "/mobility/",
        "/mobility/?origin=AZ&destination=KZ&as_of_after=2020-01-01",
        "/mobility/scholarships/",
        programme.get_absolute_url(),
        "/stated-figures/",
        "/search/?q=university",
        reverse("login"),
    ]


@pytest.mark.parametrize("lang", ["ru", "kk", "az"])
def test_every_journey_page_is_wholly_in_the_readers_language(page: Page, demo_server, lang):
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": demo_server.url}])
    found = []
    for path in journey_pages():
        response = page.goto(demo_server.url + path)
        assert response.ok, f"{path}: {response.status}"
        assert page.evaluate("document.documentElement.lang") == lang, path
        read = page.evaluate(PIECES)
        found += [f"{path}: {problem}" for problem in problems(lang, read["pieces"], read["text"])]
    assert not found, f"{lang}: {len(found)} left in English:\n" + "\n".join(found)


def test_the_check_tells_the_interface_from_the_register():
    """What the browser test counts, on pieces written by hand (no browser)."""
    found = problems(
        "ru",
        ["Year", "Signed:", "ADA University", "Год", "Memorandum between A and B"],
        "Подписано 06.04.2026, 1 000 человек; 1,000 people on Apr. 6, 2026; 2026-04-06;"
        " May 2026; 6 April without a year; from April 2026",
    )
    # Kind and what was found, without the text around it.
    assert sorted(problem.split(":")[0] for problem in found) == [
        "English 'Signed'",
        "English 'Year'",
        "an English date",
        "an English date",
        "an English thousands separator",
        "an ISO date",
    ]
