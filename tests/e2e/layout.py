"""Checks of a page as drawn: text that overlaps other text, a page wider than the screen,
the first result's place. (axe-core: the ``axe`` fixture, tests/e2e/conftest.py.)"""

from pathlib import Path

from playwright.sync_api import Page

# tests/e2e/overlaps.js: pairs of visible texts or controls drawn over one another.
OVERLAPS = Path(__file__).with_name("overlaps.js")
# tests/e2e/tables_cut.js: tables wider than their box.
TABLES_CUT = Path(__file__).with_name("tables_cut.js")


def overlaps(page: Page, selector: str = "main, .site-header", tolerance: int = 2) -> list[str]:
    """Pairs of visible texts or controls drawn over one another, described."""
    return page.evaluate(OVERLAPS.read_text(encoding="utf-8"), [selector, tolerance])


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def first_result_top(page: Page) -> float:
    """Where the first row of results starts, from the top of the page, in CSS pixels."""
    return page.evaluate(
        "() => document.querySelector('main .list-results table tbody tr')"
        ".getBoundingClientRect().top + window.scrollY"
    )


def tables_cut(page: Page) -> list[str]:
    """The visible tables wider than the box that holds them (cut, or scrolled sideways),
    described by their headings (tests/e2e/tables_cut.js)."""
    return page.evaluate(TABLES_CUT.read_text(encoding="utf-8"))
