"""Browser tests: Playwright drives the system Chromium against a live test server."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from . import chromium
from .sessions import sign_in_as_superuser

# Playwright's sync API runs an event loop in this thread; Django's async-safety check
# would refuse the test's own database access. Only this folder needs it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DOCS = Path(__file__).resolve().parents[2] / "docs"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium.EXECUTABLE,
        "args": [*chromium.ARGS, "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en"}


@pytest.fixture
def demo_server(live_server, transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    return live_server


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under docs/ for the README."""

    def take(page, name: str) -> Path:
        DOCS.mkdir(exist_ok=True)
        path = DOCS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.2 A and AA, as the issue measured.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    """The axe-core violations of the page as it is now: rule, impact and a few nodes each.
    axe is injected through the DevTools protocol, which the pages' CSP does not govern."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {AXE_SOURCE.read_text()}\n; window.axe = axe; }}")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 5).map(
                    (n) => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )


@pytest.fixture
def axe():
    """``axe(page)`` fails the test, naming each rule and node, if axe-core finds anything."""

    def check(page) -> None:
        violations = axe_violations(page)
        assert not violations, f"{page.url}: " + "\n".join(
            f"{v['id']} ({v['impact']}): {v['nodes']}" for v in violations
        )

    return check


@pytest.fixture
def superuser_page(page, demo_server):
    """The browser's page, signed in through the site's own login page as a superuser."""
    return sign_in_as_superuser(page, demo_server.url)
