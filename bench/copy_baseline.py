"""The bare COPY an export is compared with (issue 18: "whole-register CSV vs COPY of the
same columns"): the very statement the API's CSV of a list sends, run by psycopg2's
copy_expert into a writer that only counts bytes, in this process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unibridge_bench \\
        .venv/bin/python bench/copy_baseline.py agreements [--repeat 2]

Lists: agreements, mobility-figures, events, institutions (an anonymous reader's export).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")


class Counter:
    size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from cooperation import csv_sql

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "list", choices=["agreements", "mobility-figures", "events", "institutions"]
    )
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    from agreements.api import AgreementViewSet
    from events.api import EventViewSet
    from mobility.api import MobilityFigureViewSet
    from universities.api import InstitutionViewSet

    ViewSet = {  # noqa: N806
        "agreements": AgreementViewSet,
        "mobility-figures": MobilityFigureViewSet,
        "events": EventViewSet,
        "institutions": InstitutionViewSet,
    }[args.list]
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.test import APIRequestFactory

    view = ViewSet(action="list", action_map={"get": "list"}, format_kwarg=None, args=(), kwargs={})
    view.request = view.initialize_request(APIRequestFactory().get("/"))
    view.request.user = AnonymousUser()
    queryset = view.filter_queryset(view.get_queryset())
    columns = view.get_export_columnset().sql_columns()
    statements = []
    real = csv_sql._copy_out
    csv_sql._copy_out = lambda cursor, sql: statements.append(sql) or iter(())
    list(csv_sql.csv_lines(queryset, list(columns.values())))
    csv_sql._copy_out = real
    (statement,) = statements
    print(f"load average {os.getloadavg()[0]:.1f}")
    for attempt in range(args.repeat):
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET DateStyle = 'ISO'")
            cursor.execute(
                "SELECT set_config('TimeZone', %s, false)", [timezone.get_current_timezone_name()]
            )
            counter = Counter()
            start = time.perf_counter()
            cursor.cursor.copy_expert(statement, counter)
            wall = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"bare COPY #{attempt + 1}: {wall:.1f} s, {counter.size:,} bytes, peak RSS {rss:.0f} MB"
        )


if __name__ == "__main__":
    main()
