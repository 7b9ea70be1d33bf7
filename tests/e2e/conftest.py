"""Browser tests: Playwright drives the system Chromium against a live test server."""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; Django's async-safety check
# would refuse the test's own database access. Only this folder needs it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
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


AXE_SCRIPT = Path(__file__).resolve().parent / "axe" / "axe.min.js"
# WCAG 2.1 A and AA, as the accessibility statement of a public register would promise.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe():
    """Run axe-core (4.14.1, tests/e2e/axe) on the page as it is now and return its
    violations as readable lines: rule, impact, and the first nodes' selectors."""

    def run(page) -> list[str]:
        # Evaluated through the DevTools protocol: the site's Content-Security-Policy
        # (script-src 'self') rightly refuses an injected <script>.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
            for v in result["violations"]
        ]

    return run
