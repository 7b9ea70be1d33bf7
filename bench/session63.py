"""Benchmark (not a test): the forum of issue 5 entered in the browser, as a clerk would.

"63 memoranda between 18 universities of Azerbaijan and 29 of Kazakhstan": the script
builds 63 such rows from the reference register, writes each name the way ministry lists
write them (Russian or local labels, acronyms, lower case, a dropped word, a typo), pastes
them into the signing-session page in headless Chromium, makes the choices a person
would have to make (picking the intended institution wherever the page asks), saves, and
checks that the event page shows 63 agreements. It prints how long each step took and
how many names needed a manual choice, and whether any "sure" match was wrong.

    .venv/bin/python bench/session63.py            # a fresh SQLite database in /tmp

It starts its own server on 127.0.0.1:8750 and stops it.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("SESSION63_PORT", "8750"))
PY = sys.executable


def written_forms(institution) -> list[str]:
    """The ways a clerk's list may name this institution."""
    return [institution.name] + [
        n.name for n in institution.names.all() if n.kind in ("label", "acronym", "alias")
    ]


def alter(name: str, rng: random.Random) -> str:
    """One human change: lower case, a dropped word, or two letters swapped."""
    how = rng.choice(["same", "same", "lower", "drop", "typo"])
    words = name.split()
    if how == "lower":
        return name.lower()
    if how == "drop" and len(words) > 3:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    if how == "typo" and len(name) > 12:
        i = rng.randrange(3, len(name) - 3)
        if name[i].isalpha() and name[i + 1].isalpha():
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name


def build_rows(env: dict) -> tuple[list[str], list[tuple[int, int]]]:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
    import django

    django.setup()
    from universities.models import Institution

    universities = Institution.objects.exclude(ror_id="")
    az = list(universities.filter(country="AZ").prefetch_related("names").order_by("pk")[:18])
    kz = list(universities.filter(country="KZ").prefetch_related("names").order_by("pk")[:29])
    rng = random.Random(63)
    rows, intended, seen = [], [], set()
    i = 0
    while len(rows) < 63:
        a, k = az[i % len(az)], kz[(i * 7) % len(kz)]
        i += 1
        if (a.pk, k.pk) in seen:
            continue
        seen.add((a.pk, k.pk))
        name_a = alter(rng.choice(written_forms(a)), rng)
        name_k = alter(rng.choice(written_forms(k)), rng)
        rows.append(f"{name_k}\t{name_a}\tMemorandum of understanding\tmemorandum\t\t\t")
        intended.append((k.pk, a.pk))
    return rows, intended


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="session63-"))
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DEBUG": "1",  # runserver serves the static files itself
        "SECRET_KEY": "bench-session63",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SUPERUSER_PASSWORD": "pw",
    }
    full_env = {**os.environ, **env}

    def manage(*args):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=full_env, check=True)

    manage("migrate", "--verbosity", "0")
    manage("load_demo")
    manage("createsuperuser", "--noinput", "--username", "clerk", "--email", "c@example.org")
    rows, intended = build_rows(env)
    server = subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        run_browser(rows, intended)

    finally:
        server.terminate()
        server.wait(10)


def run_browser(rows: list[str], intended: list[tuple[int, int]]) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e import chromium

    base = f"http://127.0.0.1:{PORT}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium.EXECUTABLE, args=chromium.ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for _ in range(120):  # the server may still be starting
            try:
                page.goto(f"{base}/admin/login/?next=/agreements/session/")
                break
            except Exception:
                time.sleep(0.5)
        started = time.perf_counter()
        page.fill("#id_username", "clerk")
        page.fill("#id_password", "pw")
        page.click("input[type=submit]")
        page.wait_for_url("**/agreements/session/")
        page.fill("#id_new_event_title", "Second Forum of Rectors of Kazakhstan and Azerbaijan")
        page.select_option("#id_new_event_kind", "forum")
        page.fill("#id_new_event_date", "2026-04-06")
        page.fill("#id_new_event_city", "Astana")
        page.select_option("#id_new_event_country", "KZ")
        page.fill("#id_rows", "\n".join(rows))
        t0 = time.perf_counter()
        page.click("button[name=check]")
        page.wait_for_selector("#summary")
        check_s = time.perf_counter() - t0
        summary = page.inner_text("#summary")

        # Every select the page shows is one manual choice; pick the intended institution.
        choices = page.locator("select.party-choice")
        manual, missing = choices.count(), 0
        for n in range(manual):
            select = choices.nth(n)
            row = int(re.sub(r"\D", "", select.locator("xpath=ancestor::tr").get_attribute("id")))
            position = select.locator("xpath=ancestor::li").evaluate(
                "li => [...li.parentNode.children].indexOf(li)"
            )
            target = str(intended[row - 1][position])
            values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
            if target in values:
                select.select_option(target)
            else:
                missing += 1
                select.select_option(index=len(values) - 1)  # create it
        t0 = time.perf_counter()
        page.click("button[name=check]")
        page.wait_for_selector("#summary")
        recheck_s = time.perf_counter() - t0
        after = page.inner_text("#summary")
        t0 = time.perf_counter()
        page.click("#save-all")
        page.wait_for_url(re.compile(r".*/events/\d+/$"))
        save_s = time.perf_counter() - t0
        total_s = time.perf_counter() - started
        shown = page.get_by_text(re.compile(r"Agreements signed here\s+63")).count()
        browser.close()

    # Were the saved parties the intended ones? A wrong "sure" match would show here.
    from agreements.models import Agreement

    saved = {
        tuple(a.parties.order_by("pk").values_list("institution_id", flat=True))
        for a in Agreement.objects.filter(
            event__title="Second Forum of Rectors of Kazakhstan and Azerbaijan"
        )
    }
    wrong = [n for n, pair in enumerate(intended) if pair not in saved]
    for n in wrong:
        print(f"  row {n + 1}: {rows[n].split(chr(9))[:2]} intended {intended[n]}")
    print(f"first check: {summary} ({check_s:.1f} s)")
    print(f"manual choices: {manual} names ({missing} not among the candidates, created)")
    print(f"after choices: {after} ({recheck_s:.1f} s)")
    print(f"save: {save_s:.1f} s; event page shows 63 agreements: {bool(shown)}")
    print(f"rows saved with other parties than intended: {len(wrong)}")
    print(f"browser session, login to event page: {total_s:.1f} s")


if __name__ == "__main__":
    main()
