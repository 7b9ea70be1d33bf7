"""Benchmark (not a test): the 1,000-agreement import whose names are misspelled, through
the real pages and the real background worker, as a ministry editor does it.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/unibridge_bench \\
        .venv/bin/python bench/import_pages.py [--agreements 1000] [--typos 1.0]

Times each request (upload, the preview that finds the names to compare, the preview
asked again while they are compared, the preview once they are, the confirmation) and the
worker (``manage.py db_worker --batch`` in a process of its own, as ``make serve`` runs
it). What it saves and the searches it started are deleted at the end; the register is
left as it was.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.services import users_assign_role  # noqa: E402
from agreements.models import Agreement  # noqa: E402
from bench.import_bench import AGREEMENT_HEADERS, agreement_rows  # noqa: E402
from cooperation.models import NameSearch  # noqa: E402
from cooperation.roles import MINISTRY_EDITOR  # noqa: E402


def timed(label: str, call):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    seconds = time.perf_counter() - started
    template = response.templates[0].name if getattr(response, "templates", None) else "-"
    print(
        f"{label:44} {seconds:6.2f} s  {response.status_code}  {template}  "
        f"({len(queries)} queries, load {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    return response


def main() -> None:
    setup_test_environment()  # the test client records the templates drawn
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--typos", type=float, default=1.0)
    args = parser.parse_args()
    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    users_assign_role(user=user, role=MINISTRY_EDITOR)
    client = Client()
    client.force_login(user)
    rows = agreement_rows(args.agreements, args.typos)
    data = ("\ufeff" + tablib.Dataset(*rows, headers=AGREEMENT_HEADERS).export("csv")).encode()
    last = Agreement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    searches = set(NameSearch.objects.values_list("pk", flat=True))
    try:
        upload = timed(
            "upload",
            lambda: client.post(
                reverse("agreements:import"),
                {"file": SimpleUploadedFile("bench.csv", data, content_type="text/csv")},
            ),
        )
        preview_url = upload.headers["Location"]
        timed("preview (finds the names to compare)", lambda: client.get(preview_url))
        timed("preview asked again while compared", lambda: client.get(preview_url))
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
            ],  # fmt: skip
            cwd=ROOT,
            check=True,
        )
        worker = time.perf_counter() - started
        search = NameSearch.objects.exclude(pk__in=searches).get()
        print(
            f"{'worker (own process, builds the matcher)':44} {worker:6.2f} s  "
            f"{search.status}: {search.total} names compared in "
            f"{(search.finished_at - search.started_at).total_seconds():.2f} s "
            f"(load {os.getloadavg()[0]:.2f})",
            flush=True,
        )
        preview = timed("preview once compared", lambda: client.get(preview_url))
        report = preview.context["report"]
        print(f"{'':44} {report.counts} {len(report.to_settle)} names to settle")
        timed("preview, page 2", lambda: client.get(preview_url, {"page": 2}))
        timed("confirm", lambda: client.post(preview_url, {"action": "confirm"}))
    finally:
        Agreement.objects.filter(pk__gt=last).delete()
        NameSearch.objects.exclude(pk__in=searches).delete()


if __name__ == "__main__":
    main()
