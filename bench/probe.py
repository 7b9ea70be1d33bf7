"""Time what readers ask for, with Django's test client in one process (issue 18).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unibridge_bench \\
        .venv/bin/python bench/probe.py [--user NAME] [--repeat 2] [--warm] PATH [PATH ...]

For each path and each repetition: the status, the wall time, the queries and their time,
what the answer says of its count (a page's "N results", the API's count and count_exact),
and the process's peak RSS (a streamed answer is counted as it comes, not
held). The cache is cleared before each request unless ``--warm``.
``--user`` reads as that user (forced login: no password needed); default anonymous.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
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
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args()

    client = Client()
    if args.user:
        client.force_login(get_user_model().objects.get(username=args.user))
    print(f"load average {os.getloadavg()[0]:.1f}")
    for path in args.paths:
        for attempt in range(args.repeat):
            if not args.warm:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                if response.streaming:  # counted as it comes, never held (an export)
                    size = sum(len(chunk) for chunk in response.streaming_content)
                    body = b""
                else:
                    body = response.content
                    size = len(body)
                wall = time.perf_counter() - start
            sql = sum(float(query["time"]) for query in queries.captured_queries)
            said = ""
            if response.get("Content-Type", "").startswith("application/json"):
                found = re.search(rb'"count":\s*(\d+)(?:,\s*"count_exact":\s*(\w+))?', body)
                if found:
                    said = f"count {found[1].decode()} exact {(found[2] or b'-').decode()}"
            else:
                found = re.search(rb'class="count"[^>]*>([^<]+)', body)
                if found:
                    said = found[1].decode().strip()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{path} #{attempt + 1}: {response.status_code} {wall * 1000:.0f} ms,"
                f" {len(queries)} queries {sql * 1000:.0f} ms, {size:,} bytes,"
                f" peak RSS {rss:.0f} MB; {said}"
            )


if __name__ == "__main__":
    main()
