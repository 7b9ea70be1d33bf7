"""Timed scenarios of issue 7, each side by side with its limit measured in the same run.

    .venv/bin/python bench/run.py                  # every scenario, on BENCH_DATABASE_URL
    .venv/bin/python bench/run.py 1 4 --repeat 9   # some scenarios, more repeats

Each scenario times the application path and, in the same run and on the same data, a
"limit": what PostgreSQL itself needs to answer (raw SQL, COPY) or a bare Django view. The
ratio app/limit is printed beside the issue's target. Times are medians of ``--repeat``
runs after one warm-up run; the 2M-row exports run once (each takes seconds to minutes).
Results are also written to bench/results-<database>.json, which RESULTS.md quotes.

Nothing here is a test: it needs the large data of bench/generate.py and a quiet machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/unibridge_bench"
# gunicorn ports on 127.0.0.1 (BENCH_PORT and the one after it), so that runs do not collide.
PORT_EXPORT = int(os.environ.get("BENCH_PORT", "8108"))
PORT_LOAD = PORT_EXPORT + 1
RSS_ABORT_MB = 2048  # an export past this is stopped: it has failed the 200 MB budget anyway

RESULTS: dict[str, dict] = {}


def setup_django() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: caches, connections, PostgreSQL's buffers
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(key: str, title: str, app: float, limit: float | None, target: str, met: bool, **extra):
    ratio = app / limit if limit else None
    # Other work on the machine skews absolute times more than ratios measured side by side:
    # the 1-minute load average at the end of the scenario goes with its numbers.
    extra["load_1min"] = round(os.getloadavg()[0], 2)
    line = f"[{key}] {title}: app {app * 1000:9.1f} ms"
    if limit is not None:
        line += f"  limit {limit * 1000:9.1f} ms  ratio {ratio:5.2f}x"
    line += f"  target {target}  {'MET' if met else 'NOT MET'}"
    for name, value in extra.items():
        line += f"  {name}={value}"
    print(line, flush=True)
    RESULTS[key] = {
        "title": title,
        "app_ms": round(app * 1000, 1),
        "limit_ms": None if limit is None else round(limit * 1000, 1),
        "ratio": None if ratio is None else round(ratio, 2),
        "target": target,
        "met": met,
        **extra,
    }


# --------------------------------------------------------------------------- helpers


def client(*, admin: bool = False):
    from django.contrib.auth import get_user_model
    from django.test import Client

    c = Client()
    if admin:
        user, _ = get_user_model().objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )
        c.force_login(user)
    return c


def get_ok(c, path: str, data: dict | None = None):
    response = c.get(path, data or {})
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    if hasattr(response, "streaming_content"):
        for _chunk in response.streaming_content:
            pass
    else:
        _ = response.content
    return response


class QueryCount:
    """Counts the queries run inside it (the test client's request_started signal resets
    Django's own query log, so CaptureQueriesContext undercounts around a request)."""

    def __enter__(self):
        from django.db import connection

        self.n = 0
        self._ctx = connection.execute_wrapper(self)
        self._ctx.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


def free_port(port: int) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is busy")


class Gunicorn:
    """A gunicorn serving the bench settings on 127.0.0.1:<port>, started and stopped by us."""

    def __init__(self, port: int, workers: int):
        free_port(port)
        self.port = port
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "cooperation.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--timeout=900",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    time.sleep(0.5)
                    return
            time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


# --------------------------------------------------------------------------- scenarios


def scenario_1(repeat: int) -> None:
    """A filtered API page of 50 agreements with their parties vs raw SQL + JSON."""
    from django.db import connection

    c = client()
    params = {"status": "in_effect", "partner_country": "AZ", "page_size": "50"}
    app = median_time(lambda: get_ok(c, "/api/agreements/", params), repeat)

    # The same page by hand: the count (the API reports it) and 50 rows with their
    # parties aggregated by PostgreSQL, encoded to JSON.
    # An anonymous reader sees public agreements that are not drafts (Agreement.is_public).
    where = (
        "a.is_public AND a.status IN ('signed', 'in_effect', 'expired', 'terminated') AND "
        "a.status = 'in_effect' AND EXISTS (SELECT 1 FROM agreements_party p JOIN "
        "universities_institution i ON i.id = p.institution_id WHERE p.agreement_id = a.id "
        "AND i.country = 'AZ')"
    )
    sql = f"""
        SELECT a.id, a.reference_code, a.title, a.kind, a.level, a.status, a.signed_on,
               a.valid_from, a.valid_until, a.event_id,
               (SELECT json_agg(json_build_object('institution', p.institution_id,
                        'institution_name', i.name, 'country', i.country,
                        'signatory', p.signatory_id, 'signed_on', p.signed_on) ORDER BY p.id)
                  FROM agreements_party p JOIN universities_institution i
                    ON i.id = p.institution_id WHERE p.agreement_id = a.id) AS parties,
               (SELECT array_agg(ca.code) FROM agreements_agreement_areas aa
                  JOIN agreements_cooperationarea ca ON ca.id = aa.cooperationarea_id
                 WHERE aa.agreement_id = a.id) AS areas
          FROM agreements_agreement a WHERE {where}
         ORDER BY a.signed_on DESC NULLS LAST, a.title LIMIT 50"""

    def raw() -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM agreements_agreement a WHERE {where}")
            count = cursor.fetchone()[0]
            cursor.execute(sql)
            names = [col[0] for col in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return json.dumps({"count": count, "results": rows}, default=str).encode()

    limit = median_time(raw, repeat)
    report("1", "API page of 50 agreements", app, limit, "<= 1.5x", app / limit <= 1.5)


def scenario_2(repeat: int) -> None:
    """The dashboard for KZ-AZ: selector and page vs its SQL run raw, and vs the admin list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cooperation import selectors

    today = datetime.date.today()
    with CaptureQueriesContext(connection) as captured:
        selectors.dashboard("KZ", "AZ", today=today)
    statements = [query["sql"] for query in captured.captured_queries]

    def raw() -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()

    selector = median_time(lambda: selectors.dashboard("KZ", "AZ", today=today), repeat)
    limit = median_time(raw, repeat)
    c = client()
    with QueryCount() as page_queries:
        get_ok(c, "/")
    page = median_time(lambda: get_ok(c, "/"), repeat)
    admin = client(admin=True)
    changelist = median_time(lambda: get_ok(admin, "/admin/agreements/agreement/"), repeat)
    report(
        "2a",
        "dashboard selector vs its SQL raw",
        selector,
        limit,
        "<= 1.5x",
        selector / limit <= 1.5,
        queries=len(statements),
    )
    report(
        "2b",
        "dashboard page vs its selector's SQL raw",
        page,
        limit,
        "<= 1.5x and < admin changelist",
        page / limit <= 1.5 and page < changelist,
        queries=page_queries.n,
        admin_changelist_ms=round(changelist * 1000, 1),
    )


EXPORT_TIMEOUT = 240  # seconds; a slower export is stopped and its rate projected


def _export_over_http(port: int, path: str, workers: int = 1) -> dict:
    """One export through a fresh gunicorn worker: time, bytes and the worker's peak RSS."""
    import requests

    server = Gunicorn(port, workers)
    try:
        worker = server.workers()[0]
        requests.get(f"http://127.0.0.1:{port}/bench/bare/", timeout=30)  # imports done
        baseline = rss_mb(worker)
        peak = [baseline]
        stop = threading.Event()
        aborted = []

        def watch() -> None:
            while not stop.is_set():
                try:
                    now = rss_mb(worker)
                except FileNotFoundError:
                    return
                peak[0] = max(peak[0], now)
                if now > RSS_ABORT_MB:
                    aborted.append(now)
                    os.kill(worker, signal.SIGKILL)
                    return
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.perf_counter()
        size = lines = 0
        first_byte = None
        stopped = False
        try:
            with requests.get(f"http://127.0.0.1:{port}{path}", stream=True, timeout=900) as r:
                r.raise_for_status()
                for chunk in r.iter_content(chunk_size=1 << 16):
                    if first_byte is None:
                        first_byte = time.perf_counter() - start
                    size += len(chunk)
                    lines += chunk.count(b"\n")
                    if time.perf_counter() - start > EXPORT_TIMEOUT:
                        stopped = True
                        break
        except requests.RequestException as error:
            if not aborted:
                raise
            print(f"    stopped: {type(error).__name__}", flush=True)
        elapsed = time.perf_counter() - start
        stop.set()
        watcher.join()
        with contextlib.suppress(FileNotFoundError):  # the worker was stopped
            peak[0] = max(peak[0], rss_mb(worker, "VmHWM"))
        return {
            "seconds": elapsed,
            "bytes": size,
            "first_byte_s": None if first_byte is None else round(first_byte, 2),
            "baseline_mb": round(baseline, 1),
            "peak_mb": round(peak[0], 1),
            "aborted": bool(aborted),
            "stopped": stopped,
            "rows": max(0, lines - 1),
        }
    finally:
        server.stop()


def _api_export_columns():
    from django.test import RequestFactory

    from mobility.api import MobilityFigureViewSet

    view = MobilityFigureViewSet(request=RequestFactory().get("/"), format_kwarg=None)
    view.action = "list"
    return view.get_export_columns()


def scenario_3(repeat: int) -> None:
    """CSV of all mobility figures (API and page) vs COPY ... TO STDOUT WITH CSV."""
    from django.db import connection

    class Sink:
        size = 0

        def write(self, data) -> int:
            self.size += len(data)
            return len(data)

    # COPY of exactly the columns each export carries, joined and sorted the same way, as
    # PostgreSQL writes them: what the database needs to produce that CSV.
    joins = """
          FROM mobility_mobilityfigure f
          LEFT JOIN cooperation_iscedfield fl ON fl.id = f.field_id
          LEFT JOIN universities_institution home ON home.id = f.home_institution_id
          LEFT JOIN universities_institution host ON host.id = f.host_institution_id
          JOIN cooperation_source s ON s.id = f.source_id
         ORDER BY f.year DESC, f.origin_country, f.destination_country"""
    # The API names an agreement only to a reader who may see it (anonymous here: public,
    # not a draft), so its COPY joins the agreements as the export does.
    api_columns = """f.id, f.origin_country, f.destination_country, f.home_institution_id,
        home.name, f.host_institution_id, host.name,
        CASE WHEN a.is_public AND a.status <> 'draft' THEN f.agreement_id END,
        f.mobility_type, f.level,
        fl.code, fl.name_en, f.sex, f.measure, f.year, f.as_of, f.value, f.qualifier,
        f.host_institution_count, f.source_id, s.title, f.notes, f.created_at, f.updated_at"""
    if any(column.name == "version" for column in _api_export_columns()):
        api_columns += ", f.version"
    api_joins = joins.replace(
        "FROM mobility_mobilityfigure f",
        "FROM mobility_mobilityfigure f\n"
        "          LEFT JOIN agreements_agreement a ON a.id = f.agreement_id",
    )

    def copy(columns: str, joins: str) -> int:
        sink = Sink()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY (SELECT {columns} {joins}) TO STDOUT WITH CSV HEADER", sink
            )
        return sink.size

    # The explorer exports what the API exports (cooperation.exports): the same columns.
    columns_of = {"3a": (api_columns, api_joins), "3b": (api_columns, api_joins)}

    def timed_copy(key: str) -> tuple[float, int]:
        start = time.perf_counter()
        size = copy(*columns_of[key])
        seconds = time.perf_counter() - start
        connection.close()  # the export runs in its own process; no idle session meanwhile
        return seconds, size

    for key in columns_of:
        copy(*columns_of[key])  # warm-up: PostgreSQL's buffers
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mobility_mobilityfigure")
        total_rows = cursor.fetchone()[0]
    connection.close()  # the exports below run in their own processes
    for key, title, path in (
        ("3a", "CSV export, API", "/api/mobility-figures/?format=csv"),
        ("3b", "CSV export, page", "/mobility/?_export=csv"),
    ):
        # The other work on a shared machine comes and goes within minutes: the COPY runs
        # just before and just after its export, and the limit is the mean of the two.
        before, copy_bytes = timed_copy(key)
        run = _export_over_http(PORT_EXPORT, path)
        after, _size = timed_copy(key)
        limit = (before + after) / 2
        seconds = run["seconds"]
        if run["stopped"] and run["rows"]:
            # Stopped at EXPORT_TIMEOUT: project the whole export from its steady rate.
            seconds = run["seconds"] * total_rows / run["rows"]
        met = (
            not run["aborted"]
            and not run["stopped"]
            and seconds / limit <= 2
            and run["peak_mb"] <= 200
        )
        report(
            key,
            f"{title} ({total_rows} rows)" + (" PROJECTED" if run["stopped"] else ""),
            seconds,
            limit,
            "<= 2x, peak RSS <= 200 MB",
            met,
            peak_rss_mb=run["peak_mb"],
            baseline_rss_mb=run["baseline_mb"],
            mb=round(run["bytes"] / 1e6, 1),
            copy_mb=round(copy_bytes / 1e6, 1),
            first_byte_s=run["first_byte_s"],
            aborted=run["aborted"],
            rows_streamed=run["rows"],
            streamed_s=round(run["seconds"], 1),
            copy_before_ms=round(before * 1000, 1),
            copy_after_ms=round(after * 1000, 1),
            rows_per_s=round(run["rows"] / run["seconds"]),
        )


def scenario_4(repeat: int) -> None:
    """The profile of the institution with the most partners: flat query count, < 300 ms."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p.institution_id, count(DISTINCT p.agreement_id),
                      count(DISTINCT o.institution_id)
                 FROM agreements_party p JOIN agreements_party o
                   ON o.agreement_id = p.agreement_id AND o.institution_id <> p.institution_id
                GROUP BY p.institution_id ORDER BY 3 DESC LIMIT 1"""
        )
        hub, hub_agreements, hub_partners = cursor.fetchone()
        cursor.execute(
            """SELECT institution_id FROM agreements_party GROUP BY institution_id
                HAVING count(*) BETWEEN 2 AND 3 ORDER BY institution_id LIMIT 1"""
        )
        small = cursor.fetchone()[0]
    c = client()
    counts = {}
    for pk in (hub, small):
        with QueryCount() as captured:
            get_ok(c, f"/institutions/{pk}/")
        counts[pk] = captured.n
    app = median_time(lambda: get_ok(c, f"/institutions/{hub}/"), repeat)
    small_time = median_time(lambda: get_ok(c, f"/institutions/{small}/"), repeat)
    report(
        "4",
        f"profile of institution {hub} ({hub_agreements} agreements, {hub_partners} partners)",
        app,
        None,
        "< 300 ms, queries flat",
        app < 0.3 and counts[hub] == counts[small],
        queries_hub=counts[hub],
        queries_small=counts[small],
        small_ms=round(small_time * 1000, 1),
    )


def scenario_5(repeat: int) -> None:
    """A 1,000-row signing session vs a bare bulk insert of the same rows."""
    try:
        from agreements.services import agreements_bulk_create
    except ImportError:
        print("[5] signing session: not run: service not yet built", flush=True)
        RESULTS["5"] = {"title": "signing session", "not_run": "service not yet built"}
        return
    import random

    from django.db import transaction

    from agreements.models import Agreement, CooperationArea, Party
    from events.models import Event

    rnd = random.Random(5)
    kz = list(
        Party.objects.filter(institution__country="KZ")
        .values_list("institution", flat=True)
        .distinct()[:400]
    )
    az = list(
        Party.objects.filter(institution__country="AZ")
        .values_list("institution", flat=True)
        .distinct()[:400]
    )
    event = Event.objects.order_by("-start_date").first()
    signed = datetime.date(2026, 1, 15)
    rows = [
        {
            "parties": [rnd.choice(kz), rnd.choice(az)],
            "kind": "memorandum",
            "areas": ["student_exchange"],
            "title": f"Bench session memorandum {i}",
            "signed_on": signed.isoformat(),
            "valid_until": "2031-01-14",
            "allow_duplicate": True,
        }
        for i in range(1000)
    ]
    area = CooperationArea.objects.get(code="student_exchange")

    def session() -> None:
        with transaction.atomic():
            result = agreements_bulk_create(event=event, rows=rows)
            if not result.saved:
                raise SystemExit(f"session refused: {result.errors or result.rows[0].errors}")
            transaction.set_rollback(True)  # the data set stays as generated

    def bare() -> None:
        with transaction.atomic():
            agreements = Agreement.objects.bulk_create(
                Agreement(
                    title=row["title"],
                    kind="memorandum",
                    status="signed",
                    event=event,
                    signed_on=signed,
                    valid_from=signed,
                    valid_until=datetime.date(2031, 1, 14),
                )
                for row in rows
            )
            Party.objects.bulk_create(
                Party(agreement=agreement, institution_id=pk, signed_on=signed)
                for agreement, row in zip(agreements, rows, strict=True)
                for pk in row["parties"]
            )
            Agreement.areas.through.objects.bulk_create(
                Agreement.areas.through(agreement=agreement, cooperationarea=area)
                for agreement in agreements
            )
            transaction.set_rollback(True)

    runs = max(1, repeat // 2)
    app = median_time(session, runs)
    limit = median_time(bare, runs)
    report(
        "5",
        "signing session of 1,000 rows (parties by id)",
        app,
        limit,
        "<= 2x",
        app / limit <= 2,
        repeats=runs,
    )


def _wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise SystemExit(f"wrk gave no rate:\n{out}")


def scenario_6(repeat: int) -> None:
    """gunicorn with 2 workers: the directory page vs a bare Django view, requests/s."""
    if not shutil.which("wrk"):
        print("[6] not run: wrk is not installed (apt-get install wrk)")
        RESULTS["6"] = {"title": "directory under load", "not_run": "wrk missing"}
        return
    server = Gunicorn(PORT_LOAD, 2)
    try:
        base = f"http://127.0.0.1:{PORT_LOAD}"
        for path in ("/bench/bare/", "/institutions/", "/institutions/?q=almaty"):
            _wrk(base + path, 2)  # warm every worker
        seconds = 10
        bare = _wrk(base + "/bench/bare/", seconds)
        directory = _wrk(base + "/institutions/", seconds)
        search = _wrk(base + "/institutions/?q=almaty", seconds)
    finally:
        server.stop()
    for key, title, rate in (
        ("6a", "directory /institutions/ under load", directory),
        ("6b", "directory search ?q=almaty under load", search),
    ):
        share = rate / bare
        load = round(os.getloadavg()[0], 2)
        print(
            f"[{key}] {title}: {rate:8.1f} req/s  bare view {bare:8.1f} req/s  "
            f"share {share:6.1%}  target >= 50%  {'MET' if share >= 0.5 else 'NOT MET'}  "
            f"load_1min={load}",
            flush=True,
        )
        RESULTS[key] = {
            "title": title,
            "app_rps": round(rate, 1),
            "bare_rps": round(bare, 1),
            "share": round(share, 3),
            "target": ">= 50%",
            "met": share >= 0.5,
            "seconds": seconds,
            "load_1min": load,
        }


def scenario_7(repeat: int) -> None:
    """Mobility totals (API and the explorer's pivot) vs the same rules in one hand-written
    statement, with the numbers compared and the worker's peak RSS (bench/totals.py)."""
    from bench.totals import scenario

    scenario(
        repeat,
        port=PORT_EXPORT,
        report=report,
        median_time=median_time,
        gunicorn=Gunicorn,
        rss_mb=rss_mb,
    )


SCENARIOS = {
    "1": scenario_1,
    "2": scenario_2,
    "3": scenario_3,
    "4": scenario_4,
    "5": scenario_5,
    "6": scenario_6,
    "7": scenario_7,
}


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT (SELECT count(*) FROM universities_institution),"
            " (SELECT count(*) FROM agreements_agreement),"
            " (SELECT count(*) FROM agreements_party),"
            " (SELECT count(*) FROM agreements_cooperationcondition),"
            " (SELECT count(*) FROM events_event),"
            " (SELECT count(*) FROM mobility_mobilityfigure),"
            " pg_size_pretty(pg_database_size(current_database()))"
        )
        counts = cursor.fetchone()
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "postgresql": version,
        "python": platform.python_version(),
        "rows": dict(
            zip(
                ["institutions", "agreements", "parties", "conditions", "events", "figures"],
                counts[:6],
                strict=True,
            )
        ),
        "database_size": counts[6],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # Checked below: argparse (3.11) checks an empty or default list against the choices.
    parser.add_argument("scenarios", nargs="*", help=f"some of {', '.join(SCENARIOS)}; default all")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    unknown = [key for key in args.scenarios if key not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    # Other work lands migrations while the data stays: bring the schema up to date first.
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    info = machine()
    print(json.dumps(info, indent=2), flush=True)
    for key in args.scenarios or list(SCENARIOS):
        SCENARIOS[key](args.repeat)
    out = ROOT / "bench" / f"results-{connection.settings_dict['NAME']}.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.setdefault("scenarios", {}).update(RESULTS)
    previous["machine"] = info
    out.write_text(json.dumps(previous, indent=2, default=str) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
