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
``--api`` also times the figures' CSV sent to ``POST /api/mobility-figures/import/``, once
as a dry run and once saved: one request reads, checks (and saves) and answers with every
row's status.
"""

import argparse
import csv
import io
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
from mobility.imports import IMPORTER as FIGURES  # noqa: E402
from mobility.models import MobilityFigure  # noqa: E402
from universities import matching  # noqa: E402
from universities.models import Institution  # noqa: E402

FIGURE_HEADERS = [
    "year", "origin_country", "destination_country", "mobility_type", "level", "field", "sex",
    "measure", "as_of", "qualifier", "value", "host_institution_count", "home_institution",
    "host_institution", "source",
]  # fmt: skip
AGREEMENT_HEADERS = [
    "parties", "title", "kind", "signed on", "valid from", "valid until", "signatories", "areas",
]  # fmt: skip
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


def typo(name: str, i: int) -> str:
    """The name with one letter of its longest word dropped, as a hurried typist would."""
    words = name.split()
    longest = max(range(len(words)), key=lambda w: len(words[w]))
    word = words[longest]
    if len(word) > 4:
        cut = 1 + i % (len(word) - 2)
        words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def agreement_rows(count: int, typos: float = 0.0) -> list[list]:
    kz = list(Institution.objects.filter(country="KZ").prefetch_related("names"))
    az = list(Institution.objects.filter(country="AZ").prefetch_related("names"))

    def written(institution, i):
        names = [institution.name] + [n.name for n in institution.names.all() if n.kind == "label"]
        name = names[i % len(names)]
        # Every 1/typos-th row's parties misspelled: names the register does not hold.
        return typo(name, i) if typos and i % round(1 / typos) == 0 else name

    rows = []
    for i in range(count):
        a, b = kz[i % len(kz)], az[(i // len(kz)) % len(az)]
        year = 2000 + i // 700 * 10
        rows.append([
            # Kinds that bench/generate.py never writes: no duplicate of the L register.
            f"{written(a, i)}; {written(b, i)}", "", ["protocol", "framework"][i % 2],
            f"{year}-01-01", f"{year}-01-01", f"{year + 5}-12-31", f"Rector {i}; Rector {i}b",
            "student_exchange",
        ])  # fmt: skip
    return rows


def run(
    label: str, importer, data: bytes, *, valid: bool = True, cold: bool = False
) -> dict[str, float]:
    """Time the three requests: upload (read the file, keep its rows), preview (check every
    row), confirm (check again and save), as cooperation.import_views runs them."""
    try:
        with transaction.atomic():
            started = time.perf_counter()
            kept = table_to_json(importer.read(data))
            upload = time.perf_counter() - started
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as checked:
                report = importer.check(table_from_json(kept), options={}, choices={})
            preview = time.perf_counter() - started
            assert report.valid or not valid, [(r.number, r.errors) for r in report.rows][:5]
            counts = report.counts
            if cold:  # the confirmation lands in a process that has not built the matcher
                matching._shared = None
            started = time.perf_counter()
            table = table_from_json(kept)
            with CaptureQueriesContext(connection) as saved:
                report = importer.save(table, options={}, choices={}, user=None, filename=label)
            confirm = time.perf_counter() - started
            assert report.saved or not valid
            print(
                f"{label:26} {len(data) / 1e6:4.1f} MB  upload {upload:5.2f} s  preview "
                f"{preview:5.2f} s ({len(checked)} queries)  confirm {confirm:5.2f} s "
                f"({len(saved)} queries)  saved={report.created}  checked={counts}",
                flush=True,
            )
            raise Rollback
    except Rollback:
        pass
    return {"upload": upload, "preview": preview, "confirm": confirm}


def run_api(label: str, data: bytes, limit: float) -> None:
    """Time ``POST /api/mobility-figures/import/`` as a client sees it (read, check, answer
    with every row's status; then the same saved), each in a transaction rolled back."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    user, _created = get_user_model().objects.get_or_create(
        username="bench-import", defaults={"is_superuser": True, "is_staff": True}
    )
    client = APIClient()
    client.force_authenticate(user)
    for step, fields in (("API dry run", {"dry_run": "true"}), ("API save", {})):
        try:
            with transaction.atomic():
                upload = SimpleUploadedFile("figures.csv", data, content_type="text/csv")
                started = time.perf_counter()
                response = client.post(
                    "/api/mobility-figures/import/", {"file": upload, **fields}, format="multipart"
                )
                elapsed = time.perf_counter() - started
                assert response.status_code in (200, 201), response.status_code
                ratio = f"  = {elapsed / limit:4.2f}x COPY" if limit else ""
                print(
                    f"{label:26} {step:12} {elapsed:5.2f} s (status {response.status_code}, "
                    f"{len(response.content) / 1e6:.1f} MB){ratio}  (load "
                    f"{os.getloadavg()[0]:.2f})",
                    flush=True,
                )
                raise Rollback
        except Rollback:
            pass


def copy_figures(rows: list[list], source: Source) -> float:
    """The database's own speed: ``COPY … FROM STDIN`` of the same figures, every value
    already resolved (the source by id), into the same table with its indexes and
    constraints, in a transaction rolled back. PostgreSQL only."""
    from mobility.models import MobilityFigure

    columns = [
        "year", "origin_country", "destination_country", "mobility_type", "level", "sex",
        "measure", "qualifier", "value", "source_id", "notes", "created_at", "updated_at",
    ]  # fmt: skip
    now = "2026-12-03 10:00:00+00"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in rows:
        writer.writerow([r[0], r[1], r[2], r[3], r[4], r[6], r[7], r[9], r[10], source.pk, "",
                         now, now])  # fmt: skip
    text = buffer.getvalue()
    table = MobilityFigure._meta.db_table
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN "
                    "WITH (FORMAT csv, FORCE_NOT_NULL (notes))",
                    io.StringIO(text),
                )
                elapsed = time.perf_counter() - started
            assert MobilityFigure.objects.filter(source=source).count() == len(rows)
            raise Rollback
    except Rollback:
        pass
    print(
        f"{'COPY FROM STDIN, figures':26} {len(text) / 1e6:4.1f} MB  {elapsed:5.2f} s", flush=True
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--figures", type=int, default=50_000)
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of COPY + CSV import")
    parser.add_argument("--no-xlsx", action="store_true", help="skip the XLSX import")
    parser.add_argument(
        "--api", action="store_true", help="also time the figures' import through the API"
    )
    parser.add_argument(
        "--cold-confirm",
        action="store_true",
        help="confirm as a process that has not kept the register's name matcher would",
    )
    parser.add_argument(
        "--typos",
        type=float,
        default=0.0,
        help="share of the agreements whose parties are misspelled (one letter dropped)",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    print(f"{connection.vendor}, {Institution.objects.count()} institutions, "
          f"{MobilityFigure.objects.count()} figures, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    try:
        with transaction.atomic():
            source = Source.objects.create(title="Bench source", url="https://example.org/bench")
            rows = figure_rows(args.figures, source)
            data = tablib.Dataset(*rows, headers=FIGURE_HEADERS)
            csv_data = ("\ufeff" + data.export("csv")).encode()
            for _round in range(args.repeat if args.figures else 0):
                limit = copy_figures(rows, source) if connection.vendor == "postgresql" else 0
                times = run(f"{args.figures} figures, CSV", FIGURES, csv_data)
                if limit:
                    print(
                        f"{'':26} vs COPY: preview {times['preview'] / limit:4.2f}x  confirm "
                        f"{times['confirm'] / limit:4.2f}x  upload + preview + confirm "
                        f"{sum(times.values()) / limit:4.2f}x  (load {os.getloadavg()[0]:.2f})",
                        flush=True,
                    )
                if args.api:
                    run_api(f"{args.figures} figures, CSV", csv_data, limit)
            if args.figures and not args.no_xlsx:
                run(f"{args.figures} figures, XLSX", FIGURES, data.export("xlsx"))
            rows = agreement_rows(args.agreements, args.typos)
            data = tablib.Dataset(*rows, headers=AGREEMENT_HEADERS)
            if not args.agreements:
                raise Rollback
            run(
                f"{args.agreements} agreements, CSV"
                + (f", {args.typos:.0%} typos" if args.typos else ""),
                AGREEMENTS,
                ("\ufeff" + data.export("csv")).encode(),
                valid=not args.typos,
                cold=args.cold_confirm,
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
