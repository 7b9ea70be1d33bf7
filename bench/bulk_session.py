"""Benchmark (not a test): a 1,000-row signing session, checked and saved, against a bare
bulk_create of the same agreements and parties.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/bulk_session.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unibridge_bench \
        .venv/bin/python bench/bulk_session.py

It migrates the database it is given, loads the reference register (142 institutions),
and writes nothing it does not delete again. Names are written as staff would: display
names, Russian and local labels, acronyms, so every row goes through the matcher.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agreements.models import Agreement, Party  # noqa: E402
from agreements.services import agreements_bulk_create  # noqa: E402
from events.models import Event  # noqa: E402
from universities.models import Institution  # noqa: E402

ROWS = 1000


class Rollback(Exception):
    pass


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    kz = list(Institution.objects.filter(country="KZ").prefetch_related("names"))
    az = list(Institution.objects.filter(country="AZ").prefetch_related("names"))

    def written(institution, i):
        names = [institution.name] + [n.name for n in institution.names.all() if n.kind == "label"]
        return names[i % len(names)]

    rows = []
    for i in range(ROWS):
        a, b = kz[i % len(kz)], az[(i // len(kz)) % len(az)]
        rows.append(
            {
                "parties": [written(a, i), written(b, i)],
                "kind": ["memorandum", "exchange", "cooperation", "dual_degree"][i % 4],
                "valid_from": f"{2000 + i // 700 * 10}-01-01",
                "valid_until": f"{2000 + i // 700 * 10 + 5}-12-31",
                "signatories": [f"Rector {i}", f"Rector {i}b"],
                "allow_duplicate": True,
            }
        )
    print(f"{connection.vendor}, {len(kz)} KZ x {len(az)} AZ institutions, {ROWS} rows")

    for label, dry_run in (("check only (dry run)", True), ("check + save", False)):
        try:
            with transaction.atomic():
                event = Event.objects.create(title="Bench forum", kind="forum", country="KZ")
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    result = agreements_bulk_create(
                        event=event, rows=rows, defaults={"areas": ["student_exchange"]},
                        dry_run=dry_run,
                    )  # fmt: skip
                    elapsed = time.perf_counter() - started
                summary = result.summary()
                print(
                    f"{label:24} {elapsed:6.2f} s  {len(queries):5} queries  "
                    f"ready={summary['ready']} ambiguous={summary['ambiguous']} "
                    f"error={summary['error']} saved={result.saved}"
                )
                raise Rollback
        except Rollback:
            pass

    try:
        with transaction.atomic():
            event = Event.objects.create(title="Bench forum", kind="forum", country="KZ")
            started = time.perf_counter()
            agreements = Agreement.objects.bulk_create(
                [
                    Agreement(title=f"Agreement {i}", kind=row["kind"], event=event,
                              valid_from=row["valid_from"], valid_until=row["valid_until"])
                    for i, row in enumerate(rows)
                ],
                batch_size=500,
            )  # fmt: skip
            Party.objects.bulk_create(
                [
                    Party(agreement=agreement, institution=institution)
                    for i, agreement in enumerate(agreements)
                    for institution in (kz[i % len(kz)], az[(i // len(kz)) % len(az)])
                ],
                batch_size=1000,
            )
            elapsed = time.perf_counter() - started
            print(f"{'bare bulk_create':24} {elapsed:6.2f} s  (no matching, checks or history)")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
