"""Screenshots of every public page and the main back-office pages at 390 and 1400 px, as
docs/pages/<page>-<width>.png, and of the dashboard, the directory, a profile and the
mobility explorer in Kazakh and Azerbaijani at 1400 px, as docs/<lang>-<page>.png.

    make screenshots        (or: .venv/bin/python docs/screenshots.py [--only PAGE ...])

It builds a throwaway SQLite database with the demo data (never the one in DATABASE_URL),
serves the app with it on 127.0.0.1 on a free port, drives Chromium (CHROMIUM, else the
chromium on the PATH) through each page, saves each page whole in 256 colours, stops the
server and deletes the database. Each page is also checked as it is drawn: texts drawn over
one another, and at 1400 px tables wider than their box, are reported (tests/e2e/overlaps.js,
the browser tests' own check); the script then exits with 1.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "pages"
WIDTHS = (390, 1400)
OVERLAPS_JS = ROOT / "tests" / "e2e" / "overlaps.js"
TABLES_CUT_JS = ROOT / "tests" / "e2e" / "tables_cut.js"
# docs/<lang>-<name>.png: the pages of issue 15's "done when", in each language, at 1400 px.
LANGUAGES = ("kk", "az")
LANGUAGE_PAGES = {
    "dashboard": "dashboard",
    "directory": "directory",
    "profile": "profile",
    "mobility-explorer": "explorer",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(environment: dict[str, str]) -> tuple[dict[str, str], str]:
    """Migrate the throwaway database, load the demo, make a superuser; the pages to shoot
    (name: path) and the superuser's password."""
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from agreements.models import Agreement
    from events.models import Event
    from mobility.models import ScholarshipProgramme
    from universities.models import Institution

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_superuser("screenshots", "screenshots@localhost", password)

    farabi = Institution.objects.get(name="Al-Farabi Kazakh National University")
    agreement = Agreement.objects.filter(is_public=True).order_by("-signed_on", "pk").first()
    event = Event.objects.order_by("-start_date", "pk").first()
    programme = ScholarshipProgramme.objects.order_by("pk").first()
    public = {
        "dashboard": "/",
        "directory": "/institutions/",
        "directory-map": "/institutions/map/",
        "profile": farabi.get_absolute_url(),
        "register": "/agreements/",
        "agreement": agreement.get_absolute_url(),
        "events": "/events/",
        "event": event.get_absolute_url(),
        "explorer": "/mobility/",
        "scholarships": "/mobility/scholarships/",
        "scholarship": programme.get_absolute_url(),
        "sources": "/sources/",
        "stated-figures": "/stated-figures/",
        "search": "/search/?q=Farabi",
        "login": "/accounts/login/",
    }
    admin = {
        "admin-agreements": "/admin/agreements/agreement/",
        "admin-agreement": f"/admin/agreements/agreement/{agreement.pk}/change/",
        "admin-institutions": "/admin/universities/institution/",
    }
    return {**public, **admin}, password


def serve(port: int, environment: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped:\n" + server.stderr.read().decode())
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("The server did not answer within 60 s.")


def smaller(path: Path) -> None:
    """The screenshot in 256 colours, without dithering: a third of its size, text as sharp."""
    from PIL import Image

    with Image.open(path) as shot:
        image = shot.convert("RGB").quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    image.save(path, optimize=True)


def shoot(base: str, pages: dict[str, str], password: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    problems = []
    from tests.e2e import chromium

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium.EXECUTABLE, args=chromium.ARGS
        )
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="en")
            page = context.new_page()
            signed_in = False
            for name, path in pages.items():
                if name.startswith("admin") and not signed_in:
                    page.goto(f"{base}/accounts/login/")
                    page.fill("#id_username", "screenshots")
                    page.fill("#id_password", password)
                    page.locator("main").get_by_role("button", name="Log in").click()
                    page.wait_for_load_state("load")
                    signed_in = True
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(400)  # the charts' and maps' first drawing
                found = page.evaluate(OVERLAPS_JS.read_text(), ["main, .site-header", 2])
                if width >= 1400:  # on a phone a wide table scrolls in its own box
                    found += page.evaluate(TABLES_CUT_JS.read_text())
                problems += [f"{name} at {width} px: {problem}" for problem in found]
                target = OUT / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                smaller(target)
                print(f"{target.relative_to(ROOT)} ({target.stat().st_size // 1024} KB)")
            context.close()
        for language in LANGUAGES:
            context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en")
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            page = context.new_page()
            for name, source in LANGUAGE_PAGES.items():
                if source not in pages:
                    continue
                page.goto(base + pages[source])
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(400)
                found = page.evaluate(OVERLAPS_JS.read_text(), ["main, .site-header", 2])
                found += page.evaluate(TABLES_CUT_JS.read_text())
                problems += [f"{language}-{name}: {problem}" for problem in found]
                target = OUT.parent / f"{language}-{name}.png"
                page.screenshot(path=str(target), full_page=True)
                smaller(target)
                print(f"{target.relative_to(ROOT)} ({target.stat().st_size // 1024} KB)")
            context.close()
        browser.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="only these pages (names as in the files)")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="unibridge-screenshots-") as folder:
        environment = {
            "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3",
            "DEBUG": "1",  # runserver serves the static files
            "MEDIA_ROOT": f"{folder}/media",
        }
        pages, password = prepare(environment)
        if options.only:
            pages = {name: path for name, path in pages.items() if name in options.only}
        port = free_port()
        server = serve(port, environment)
        try:
            problems = shoot(f"http://127.0.0.1:{port}", pages, password)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for problem in problems:
        print("PROBLEM", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
