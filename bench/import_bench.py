"""Benchmark (not a test): spreadsheet imports as the pages run them — read the file,
check every row (the preview), then read, check and save it all (the confirmation).

    DATABASE_URL=sqlite:////tmp/bench-import.sqlite3 .venv/bin/python bench/import_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unibridge_bench \
        .venv/bin/python bench/import_bench.py [--figures 50000] [--agreements 1000]

Each import is timed as its three requests: upload (read the file and keep its rows),
preview (check every row) and confirm (check again and save everything with history).
It migrates the database it is given, loads the reference register (142 institutions),
and deletes what it saved (everything runs in a transaction that is rolled back). Figures
come as a 50,000-row CSV and XLSX in the explorer's export format; agreements as a
1,000-row CSV naming parties as staff write them (display names and Russian labels).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agreements.imports import IMPORTER as AGREEMENTS  # noqa: E402
from cooperation.imports import table_from_json, table_to_json  # noqa: E402
from cooperation.models import Source  # noqa: E402
from mobility.imports import COLUMNS  # noqa: E402
from mobility.imports import IMPORTER as FIGURES  # noqa: E402
from universities.models import Institution  # noqa: E402

PAIRS = [(a, b) for a in ("KZ", "AZ", "UZ", "KG", "TR") for b in ("RU", "PL", "DE", "GE") if a != b]
TYPES = ["degree_students", "credit_students", "students", "staff_teaching", "researchers"]


class Rollback(Exception):
    pass


def figure_rows(count: int, source: Source) -> list[list]:
    rows = []
    for i in range(count):
        origin, destination = PAIRS[i % len(PAIRS)]
        rest = i // len(PAIRS)
        rows.append([
            1975 + rest % 50, origin, destination, TYPES[(rest // 50) % 5],
            ["all", "6", "7", "8"][(rest // 250) % 4], "", ["total", "female", "male"][
                (rest // 1000) % 3], "flow", "", "about", 100 + i % 900, "", "", "", source.url,
        ])  # fmt: skip
    return rows


def agreement_rows(count: int) -> list[list]:
    kz = list(Institution.objects.filter(country="KZ").prefetch_related("names"))
    az = list(Institution.objects.filter(country="AZ").prefetch_related("names"))

    def written(institution, i):
        names = [institution.name] + [n.name for n in institution.names.all() if n.kind == "label"]
        return names[i % len(names)]

    rows = []
    for i in range(count):
        a, b = kz[i % len(kz)], az[(i // len(kz)) % len(az)]
        year = 2000 + i // 700 * 10
        rows.append([
            f"{written(a, i)}; {written(b, i)}", "", ["memorandum", "exchange", "cooperation",
            "dual_degree"][i % 4], f"{year}-01-01", f"{year}-01-01", f"{year + 5}-12-31",
            f"Rector {i}; Rector {i}b", "student_exchange",
        ])  # fmt: skip
    return rows


def run(label: str, importer, data: bytes) -> None:
    """Time the three requests: upload (read the file, keep its rows), preview (check every
    row), confirm (check again and save), as cooperation.import_views runs them."""
    try:
        with transaction.atomic():
            started = time.perf_counter()
            kept = table_to_json(importer.read(data))
            upload = time.perf_counter() - started
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                report = importer.check(table_from_json(kept), options={}, choices={})
            preview = time.perf_counter() - started
            assert report.valid, [(r.number, r.errors) for r in report.rows if r.errors][:5]
            started = time.perf_counter()
            table = table_from_json(kept)
            report = importer.save(table, options={}, choices={}, user=None, filename=label)
            confirm = time.perf_counter() - started
            assert report.saved
            print(
                f"{label:26} {len(data) / 1e6:4.1f} MB  upload {upload:5.2f} s  preview "
                f"{preview:5.2f} s ({len(queries)} queries)  confirm {confirm:5.2f} s  "
                f"saved={report.created}"
            )
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--figures", type=int, default=50_000)
    parser.add_argument("--agreements", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    print(f"{connection.vendor}, {Institution.objects.count()} institutions")
    try:
        with transaction.atomic():
            source = Source.objects.create(title="Bench source", url="https://example.org/bench")
            rows = figure_rows(args.figures, source)
            headers = [c.header for c in COLUMNS if c.key != "notes"]
            data = tablib.Dataset(*rows, headers=headers)
            csv_data = ("\ufeff" + data.export("csv")).encode()
            xlsx_data = data.export("xlsx")
            run(f"{args.figures} figures, CSV", FIGURES, csv_data)
            run(f"{args.figures} figures, XLSX", FIGURES, xlsx_data)
            rows = agreement_rows(args.agreements)
            data = tablib.Dataset(*rows, headers=[c.header for c in AGREEMENTS.template_columns()])
            run(
                f"{args.agreements} agreements, CSV",
                AGREEMENTS,
                ("\ufeff" + data.export("csv")).encode(),
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
