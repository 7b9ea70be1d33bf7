"""Checks of a page as drawn: text that overlaps other text, a page wider than the screen,
the first result's place. (axe-core: the ``axe`` fixture, tests/e2e/conftest.py.)"""

from pathlib import Path

from playwright.sync_api import Page

# tests/e2e/overlaps.js: pairs of visible texts or controls drawn over one another.
OVERLAPS = Path(__file__).with_name("overlaps.js")


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
    described by their headings. Tables kept for screen readers only are not drawn."""
    return page.evaluate(
        """() => [...document.querySelectorAll("table")].flatMap((table) => {
            const box = table.getBoundingClientRect();
            if (!table.offsetParent || box.width <= 1) return [];
            let holder = table.parentElement;
            while (holder && holder !== document.body
                   && getComputedStyle(holder).overflowX === "visible") {
                holder = holder.parentElement;
            }
            const width = holder && holder !== document.body
                ? holder.clientWidth : document.documentElement.clientWidth;
            if (width <= 1 || box.width <= width + 1) return [];
            const heads = [...table.querySelectorAll("thead th")]
                .map((th) => th.textContent.trim().replace(/\\s+/g, " ")).join(" | ");
            return [`${Math.round(box.width)} px in ${width} px: ${heads}`];
        })"""
    )
