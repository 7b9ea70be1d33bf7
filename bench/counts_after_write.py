"""Benchmark (not a test): the first sort by partner count right after a write (issue 18).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unibridge_bench_NAME \\
        .venv/bin/python bench/counts_after_write.py [--repeat 3] [--session 1000]

It WRITES to the database it is given (a copy of the bench data: it refuses a name without
"bench_"), and undoes what it wrote: for each repetition, three writes through the ORM
that change a hub's counts (an agreement of the biggest hub hidden from the public, then
shown again; a party added to it, then removed), each in its own transaction and timed
with what runs after its commit (``agreements.counts``: the counts recomputed), then the
first sort after it, anonymous and as a reader of every agreement, on the API and the
page (Django's test client, cache cleared). With ``--session N``, a signing session of N
rows between the hubs and other institutions, then the first sort; the session's
agreements are deleted afterwards. The load average is printed beside each line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from agreements.models import Agreement, Party
    from agreements.services import agreements_bulk_create
    from universities.models import Institution, InstitutionCount, PendingCount

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--session", type=int, default=0)
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if "bench_" not in name:
        sys.exit(f"refusing to write to {name!r}: give a copy of the bench data (bench_*)")
    setup_test_environment()

    def load() -> str:
        return f"load {os.getloadavg()[0]:.1f}"

    def timed_write(label: str, write) -> None:
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            write()
            wrote = time.perf_counter()
        done = time.perf_counter()  # the on-commit refresh has run
        print(
            f"  write {label}: {(wrote - start) * 1000:.0f} ms, then after the commit "
            f"{(done - wrote) * 1000:.0f} ms ({len(queries)} queries; "
            f"{PendingCount.objects.count()} pending); {load()}"
        )

    analyst = get_user_model().objects.filter(is_superuser=True).first()
    readers = {"anonymous": Client()}
    if analyst is not None:
        readers["every agreement"] = Client()
        readers["every agreement"].force_login(analyst)

    def first_sorts() -> None:
        for reader, client in readers.items():
            for path in (
                "/api/institutions/?ordering=-partner_count",
                "/institutions/?sort=-partner_count",
            ):
                cache.clear()
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(path)
                    wall = time.perf_counter() - start
                sql = sum(float(query["time"]) for query in queries.captured_queries)
                print(
                    f"    first sort, {reader}, {path}: {response.status_code} "
                    f"{wall * 1000:.0f} ms ({len(queries)} queries, SQL {sql * 1000:.0f} ms); "
                    f"{load()}"
                )

    InstitutionCount.refresh()
    hub_id = (
        InstitutionCount.objects.filter(visibility="all")
        .order_by("-partner_count")
        .values_list("institution_id", flat=True)
        .first()
    )
    hub = Institution.objects.get(pk=hub_id)
    agreement = Agreement.objects.public().filter(parties__institution=hub).order_by("-pk").first()
    newcomer = Institution.objects.exclude(parties__agreement=agreement).order_by("pk").first()
    print(f"hub {hub.pk} ({hub.name}), agreement {agreement.pk}; {load()}")

    def set_public(value: bool):
        def write() -> None:
            agreement.is_public = value
            agreement.save()

        return write

    def add_party() -> None:
        Party.objects.create(agreement=agreement, institution=newcomer)

    def remove_party() -> None:
        Party.objects.get(agreement=agreement, institution=newcomer).delete()

    print("warm-up (the process's first requests)")
    first_sorts()
    for attempt in range(args.repeat):
        print(f"repetition {attempt + 1}")
        for label, write in (
            ("agreement hidden", set_public(False)),
            ("agreement shown again", set_public(True)),
            ("party added", add_party),
            ("party removed", remove_party),
        ):
            timed_write(label, write)
            first_sorts()

    if args.session:
        hubs = list(
            InstitutionCount.objects.filter(visibility="all")
            .order_by("-partner_count")
            .values_list("institution_id", flat=True)[:20]
        )
        others = list(
            Institution.objects.exclude(pk__in=hubs)
            .order_by("?")
            .values_list("pk", flat=True)[: args.session]
        )
        rows = [
            {"parties": [hubs[n % len(hubs)], other], "allow_duplicate": True}
            for n, other in enumerate(others)
        ]
        created: list[int] = []

        def session() -> None:
            result = agreements_bulk_create(
                event=None, rows=rows, defaults={"kind": "exchange", "signed_on": "2026-04-06"}
            )
            refused = [(row.errors, row.duplicate_of) for row in result.rows if row.errors]
            assert result.saved, (result.errors, refused[:3])
            created.extend(row.agreement_id for row in result.rows)

        print(f"signing session of {len(rows)} rows (20 hubs and {len(rows)} others)")
        timed_write("session", session)
        first_sorts()

        def undo() -> None:
            for pk in created:
                Agreement.objects.get(pk=pk).delete()

        timed_write("session's agreements deleted one by one", undo)
        first_sorts()


if __name__ == "__main__":
    main()
