"""Generate a synthetic UniBridge register of configurable size in PostgreSQL, fast.

    .venv/bin/python bench/generate.py --size L          # 25k institutions, 500k agreements ...
    .venv/bin/python bench/generate.py --size S          # 1/20 of L, for development
    .venv/bin/python bench/generate.py --scale 0.2       # any fraction of L

The target database comes from BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/unibridge_bench). It must be PostgreSQL and is wiped:
the script runs `migrate`, truncates every register table, loads the reference data
(ISCED-F fields, the real KZ and AZ institutions) and then COPYs the synthetic rows.

Shapes follow a real register: a dozen hub universities sign with thousands of partners,
the rest follow a long-tailed (Pareto) popularity; ~80 countries, KZ and AZ the busiest;
agreements signed 1995-2026 in every status; mobility figures over 400 country pairs,
30 years, every type, level, sex and measure. Every model constraint holds (checked by
the database on COPY; the unique mobility dimensions come from a mixed-radix counter, so
no two figures share them). History tables are left empty: the rows never went through
the ORM, and no scenario reads history.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/unibridge_bench"

L_SIZE = {
    "institutions": 25_000,
    "agreements": 500_000,
    "events": 50_000,
    "figures": 2_000_000,
    "people": 10_000,
    "sources": 2_000,
}

COUNTRIES = [
    "KZ",
    "AZ",
    "RU",
    "TR",
    "UZ",
    "KG",
    "TJ",
    "TM",
    "GE",
    "AM",
    "BY",
    "UA",
    "PL",
    "DE",
    "FR",
    "IT",
    "ES",
    "GB",
    "US",
    "CN",
    "JP",
    "KR",
    "IN",
    "PK",
    "IR",
    "AE",
    "SA",
    "EG",
    "CZ",
    "SK",
    "HU",
    "RO",
    "BG",
    "RS",
    "HR",
    "SI",
    "AT",
    "CH",
    "NL",
    "BE",
    "LU",
    "DK",
    "SE",
    "NO",
    "FI",
    "EE",
    "LV",
    "LT",
    "MD",
    "GR",
    "CY",
    "IL",
    "JO",
    "LB",
    "IQ",
    "AF",
    "MN",
    "VN",
    "TH",
    "MY",
    "ID",
    "SG",
    "PH",
    "AU",
    "NZ",
    "CA",
    "MX",
    "BR",
    "AR",
    "CL",
    "CO",
    "PE",
    "ZA",
    "NG",
    "KE",
    "ET",
    "MA",
    "TN",
    "DZ",
    "PT",
    "IE",
    "IS",
    "MT",
    "AL",
]
# The focus pair and its neighbours hold most of the register, as in the real deployment.
COUNTRY_WEIGHTS = [30, 25, 12, 10, 6, 4, 3, 2, 3, 2, 3, 3] + [1] * (len(COUNTRIES) - 12)

CITY_SYLLABLES = [
    "al",
    "ma",
    "ty",
    "ba",
    "ku",
    "as",
    "ta",
    "na",
    "sh",
    "ym",
    "ke",
    "nt",
    "ga",
    "nj",
    "ak",
    "to",
    "be",
    "gi",
    "ra",
    "su",
    "mi",
    "ka",
    "zan",
]
WORDS = [
    "State",
    "Technical",
    "Pedagogical",
    "Medical",
    "Agrarian",
    "Economic",
    "National",
    "Polytechnic",
    "Humanitarian",
    "Linguistic",
    "Academic",
    "Regional",
    "International",
    "Applied",
    "Engineering",
    "Oil",
    "Gas",
    "Transport",
]
RU_WORDS = [
    "Государственный",
    "Технический",
    "Педагогический",
    "Медицинский",
    "Аграрный",
    "Экономический",
    "Национальный",
    "Политехнический",
    "Гуманитарный",
    "Лингвистический",
]
NOW = "2026-01-01 00:00:00+00"
TODAY = datetime.date(2026, 1, 1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--size", choices=["S", "M", "L"], default="L")
    group.add_argument("--scale", type=float, help="fraction of L, e.g. 0.05")
    parser.add_argument("--seed", type=int, default=20250406)
    parser.add_argument("--hubs", type=int, default=12, help="institutions with huge networks")
    parser.add_argument(
        "--force", action="store_true", help="wipe a database whose name lacks 'bench'"
    )
    return parser.parse_args()


def setup_django() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/generate.py loads PostgreSQL only (BENCH_DATABASE_URL).")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def esc(value) -> str:
    """One field in COPY's text format."""
    if value is None:
        return r"\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class Copier:
    """Streams rows into one table with COPY, in chunks, so memory stays small."""

    CHUNK = 100_000

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.table = cursor, table
        # Columns added by later migrations (a version counter, a flag) that this script
        # does not name: their model default, so that a new NOT NULL column does not break
        # the load.
        self.extra = self.model_defaults(table, set(columns))
        self.columns = columns + list(self.extra)
        self.suffix = "".join("\t" + esc(value) for value in self.extra.values())
        self.buffer: list[str] = []
        self.count = 0

    @staticmethod
    def model_defaults(table: str, named: set[str]) -> dict[str, object]:
        from django.apps import apps
        from django.db.models.fields import NOT_PROVIDED

        defaults = {}
        for model in apps.get_models(include_auto_created=True):
            if model._meta.db_table != table:
                continue
            for field in model._meta.concrete_fields:
                if field.column in named or field.null or field.primary_key:
                    continue
                if field.default is not NOT_PROVIDED and not callable(field.default):
                    defaults[field.column] = field.default
        return defaults

    def add(self, *values) -> None:
        self.buffer.append("\t".join(esc(v) for v in values) + self.suffix)
        if len(self.buffer) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        data = io.StringIO("\n".join(self.buffer) + "\n")
        self.cursor.copy_expert(
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN WITH (FORMAT text)", data
        )
        self.count += len(self.buffer)
        self.buffer = []


def max_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    return cursor.fetchone()[0]


def create_database(connection) -> None:
    """Create the benchmark database when it does not exist yet (a fresh machine)."""
    import psycopg2
    from psycopg2 import sql

    settings = connection.settings_dict
    server = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
    server.close()


def main() -> None:  # noqa: C901, PLR0915 - one linear script reads best top to bottom
    args = parse_args()
    scale = args.scale or {"S": 0.05, "M": 0.2, "L": 1.0}[args.size]
    size = {key: max(10, int(value * scale)) for key, value in L_SIZE.items()}
    rnd = random.Random(args.seed)
    setup_django()

    from django.core.management import call_command
    from django.db import connection, transaction

    from cooperation.text import fold

    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(label: str, since: float) -> float:
        now = time.perf_counter()
        timings[label] = now - since
        print(f"  {label:<28} {now - since:7.1f} s", flush=True)
        return now

    if "bench" not in connection.settings_dict["NAME"] and not args.force:
        sys.exit(
            f"{connection.settings_dict['NAME']} does not look like a benchmark database and "
            "would be wiped; name it *bench* or pass --force."
        )
    print(f"Database {connection.settings_dict['NAME']}, scale {scale:g}: {size}", flush=True)
    create_database(connection)
    call_command("migrate", verbosity=0)
    t = lap("migrate", started)

    tables = [
        "mobility_mobilityfigure",
        "mobility_scholarshipallocation",
        "mobility_scholarshipprogramme",
        "mobility_scholarshipprogramme_sources",
        "agreements_cooperationcondition_subject_areas",
        "agreements_cooperationcondition",
        "agreements_agreement_areas",
        "agreements_agreement_sources",
        "agreements_party",
        "agreements_agreement",
        "events_participation",
        "events_event_organisers",
        "events_event_sources",
        "events_event",
        "events_person_sources",
        "events_person",
        "universities_institutionname",
        "universities_institution_sources",
        "universities_institution",
        "cooperation_statedfigure_sources",
        "cooperation_statedfigure",
        "cooperation_source",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename LIKE "
            "'%%historical%%'"
        )
        history = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"TRUNCATE {', '.join(history)} RESTART IDENTITY")
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    t = lap("reference data", t)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM agreements_cooperationarea ORDER BY id")
        area_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM cooperation_iscedfield WHERE level = 'narrow'")
        field_ids = [row[0] for row in cursor.fetchall()]

        # --- sources -------------------------------------------------------------------
        first = max_id(cursor, "cooperation_source") + 1
        copier = Copier(
            cursor,
            "cooperation_source",
            [
                "id",
                "created_at",
                "updated_at",
                "title",
                "publisher",
                "url",
                "published_on",
                "published_precision",
                "language",
                "excerpt",
                "reference",
                "notes",
            ],
        )
        for i in range(size["sources"]):
            day = datetime.date(2000, 1, 1) + datetime.timedelta(days=rnd.randrange(9500))
            copier.add(
                first + i, NOW, NOW, f"Statistical release {i}", "Bench statistics office",
                f"https://stats.example.org/{i}", day, "day", "en", "", "", "",
            )  # fmt: skip
        copier.flush()
        source_ids = list(range(first, first + size["sources"]))
        t = lap("sources", t)

        # --- institutions ---------------------------------------------------------------
        cursor.execute("SELECT id, country FROM universities_institution")
        by_country: dict[str, list[int]] = {}
        institution_country: dict[int, str] = {}
        for pk, country in cursor.fetchall():
            by_country.setdefault(country, []).append(pk)
            institution_country[pk] = country
        first = max_id(cursor, "universities_institution") + 1
        institutions = Copier(
            cursor,
            "universities_institution",
            [
                "id",
                "created_at",
                "updated_at",
                "name",
                "kind",
                "country",
                "city",
                "latitude",
                "longitude",
                "website",
                "founded_year",
                "status",
                "ror_id",
                "wikidata_id",
                "description",
                "search_text",
                "merged_into_id",
                "parent_id",
            ],
        )
        names = Copier(
            cursor,
            "universities_institutionname",
            ["created_at", "updated_at", "name", "language", "kind", "institution_id"],
        )
        kinds = ["university"] * 14 + ["research_institute"] * 3 + [
            "academy_of_sciences", "branch_campus", "government", "other",
        ]  # fmt: skip
        for i in range(size["institutions"]):
            pk = first + i
            country = rnd.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
            city = "".join(rnd.choices(CITY_SYLLABLES, k=rnd.randint(2, 3))).capitalize()
            word = rnd.choice(WORDS)
            name = f"{city} {word} University No. {i}"
            labels = []
            if country in ("KZ", "AZ", "RU", "KG", "UZ", "BY") or rnd.random() < 0.1:
                ru_name = f"{rnd.choice(RU_WORDS)} университет {city} № {i}"
                labels.append((ru_name, "ru", "label"))
            if rnd.random() < 0.5:
                labels.append((f"{city[:2].upper()}{word[0]}U{i}", "", "acronym"))
            search_text = " | ".join(
                dict.fromkeys(fold(n) for n in [name, *(x[0] for x in labels)])
            )
            institutions.add(
                pk, NOW, NOW, name, rnd.choice(kinds), country, city,
                round(rnd.uniform(-60, 70), 5), round(rnd.uniform(-170, 170), 5),
                f"https://u{i}.example.edu", rnd.randint(1850, 2020), "active", "", "", "",
                search_text, None, None,
            )  # fmt: skip
            for label in labels:
                names.add(NOW, NOW, *label, pk)
            by_country.setdefault(country, []).append(pk)
            institution_country[pk] = country
        institutions.flush()
        names.flush()
        t = lap("institutions + names", t)

        all_institutions = list(institution_country)
        # Long-tailed popularity: rank r is picked with weight ~ 1/(r+10), so a few hundred
        # institutions hold most parties; on top, the hubs below join a share of agreements.
        popularity = list(all_institutions)
        rnd.shuffle(popularity)
        hubs = sorted(
            by_country.get("KZ", [])[: args.hubs // 2] + by_country.get("AZ", [])[: args.hubs // 2]
        )
        cumulative, total = [], 0.0
        for rank in range(len(popularity)):
            total += 1.0 / (rank + 10)
            cumulative.append(total)

        def popular() -> int:
            return popularity[_bisect(cumulative, rnd.random() * total)]

        # --- people ---------------------------------------------------------------------
        first = max_id(cursor, "events_person") + 1
        people = Copier(
            cursor,
            "events_person",
            [
                "id",
                "created_at",
                "updated_at",
                "name",
                "name_local",
                "position",
                "country",
                "notes",
                "institution_id",
            ],
        )
        for i in range(size["people"]):
            inst = rnd.choice(all_institutions)
            people.add(
                first + i, NOW, NOW, f"Person {i}", "", "Rector", institution_country[inst], "",
                inst,
            )  # fmt: skip
        people.flush()
        person_ids = list(range(first, first + size["people"]))

        # --- events ---------------------------------------------------------------------
        first = max_id(cursor, "events_event") + 1
        events = Copier(
            cursor,
            "events_event",
            [
                "id",
                "created_at",
                "updated_at",
                "title",
                "kind",
                "start_date",
                "end_date",
                "date_precision",
                "city",
                "country",
                "status",
                "description",
                "host_institution_id",
            ],
        )
        event_kinds = ["forum", "round_table", "signing_ceremony", "conference", "official_visit"]
        for i in range(size["events"]):
            start = datetime.date(1995, 1, 1) + datetime.timedelta(days=rnd.randrange(11700))
            host = rnd.choice(all_institutions)
            status = "planned" if start > TODAY else "held"
            events.add(
                first + i, NOW, NOW, f"Forum of rectors {i}", rnd.choice(event_kinds), start,
                start + datetime.timedelta(days=rnd.randint(0, 2)), "day", "Astana",
                institution_country[host], status, "", host,
            )  # fmt: skip
        events.flush()
        event_ids = list(range(first, first + size["events"]))
        t = lap("people + events", t)

        # --- agreements, parties, areas, conditions -------------------------------------
        first = max_id(cursor, "agreements_agreement") + 1
        agreements = Copier(
            cursor,
            "agreements_agreement",
            [
                "id",
                "created_at",
                "updated_at",
                "reference_code",
                "title",
                "kind",
                "level",
                "status",
                "signed_on",
                "signed_precision",
                "valid_from",
                "valid_until",
                "terminated_on",
                "termination_reason",
                "document",
                "description",
                "event_id",
                "parent_id",
                "renews_id",
                "version",
                "is_public",
            ],
        )
        parties = Copier(
            cursor,
            "agreements_party",
            [
                "created_at",
                "updated_at",
                "signed_on",
                "agreement_id",
                "institution_id",
                "signatory_id",
            ],
        )
        areas = Copier(cursor, "agreements_agreement_areas", ["agreement_id", "cooperationarea_id"])
        conditions = Copier(
            cursor,
            "agreements_cooperationcondition",
            [
                "created_at",
                "updated_at",
                "mobility_type",
                "levels",
                "places_per_year",
                "months_per_year",
                "days_per_year",
                "first_academic_year",
                "last_academic_year",
                "agreement_id",
                "receiving_institution_id",
                "sending_institution_id",
            ],
        )
        agreement_kinds = ["memorandum"] * 6 + ["cooperation"] * 2 + [
            "exchange", "dual_degree", "joint_degree",
        ]  # fmt: skip
        statuses = ["signed"] * 8 + ["in_effect"] * 6 + ["expired"] * 4 + ["terminated", "draft"]
        mobility_kinds = ["student_studies", "student_traineeship", "staff_teaching"]
        agreement_parties: list[tuple[int, int]] = []  # a sample, for mobility figures
        for i in range(size["agreements"]):
            pk = first + i
            members = [rnd.choice(hubs) if hubs and rnd.random() < 0.06 else popular()]
            # Most agreements cross a border: the partner comes from another country.
            for _n in range(1 if rnd.random() < 0.93 else rnd.randint(2, 4)):
                for _try in range(20):
                    other = popular()
                    if other not in members and (
                        institution_country[other] != institution_country[members[0]]
                        or rnd.random() < 0.1
                    ):
                        members.append(other)
                        break
            if len(members) < 2:
                members.append(next(x for x in all_institutions if x not in members))
            status = rnd.choice(statuses)
            signed = datetime.date(1995, 1, 1) + datetime.timedelta(days=rnd.randrange(11650))
            until = None if rnd.random() < 0.3 else signed.replace(day=1).replace(
                year=signed.year + rnd.choice([3, 5, 5, 10])
            )  # fmt: skip
            terminated = None
            if status == "draft":
                signed = until = None
            elif status == "terminated":
                terminated = signed + datetime.timedelta(days=rnd.randint(100, 900))
            event = rnd.choice(event_ids) if rnd.random() < 0.3 else None
            agreements.add(
                pk, NOW, NOW, f"BENCH-{pk:07d}",
                f"Memorandum of understanding No. {pk} between {len(members)} institutions",
                rnd.choice(agreement_kinds), "inter_institutional", status, signed, "day",
                signed, until, terminated, "", "", "", event, None, None, 1,
                # Drafts are never public; 1 in 20 signed ones is kept to signed-in users.
                status != "draft" and pk % 20 != 0,
            )  # fmt: skip
            for member in members:
                signatory = rnd.choice(person_ids) if rnd.random() < 0.2 else None
                parties.add(NOW, NOW, signed, pk, member, signatory)
            for area in rnd.sample(area_ids, rnd.randint(1, 3)):
                areas.add(pk, area)
            if rnd.random() < 0.6:
                year = (signed or TODAY).year
                conditions.add(
                    NOW, NOW, rnd.choice(mobility_kinds), json.dumps(["6", "7"]),
                    rnd.randint(1, 10), None, None, f"{year}/{year + 1}",
                    f"{year + 4}/{year + 5}", pk, members[1], members[0],
                )  # fmt: skip
            if i % 50 == 0:
                agreement_parties.append((pk, members[0]))
        for copier in (agreements, parties, areas, conditions):
            copier.flush()
        t = lap("agreements + parties", t)
        print(
            f"    {agreements.count} agreements, {parties.count} parties, {areas.count} areas,"
            f" {conditions.count} conditions",
            flush=True,
        )

        # --- mobility figures -----------------------------------------------------------
        # A mixed-radix counter over (pair, year, type, level, sex, measure) makes every
        # figure's dimensions distinct, so the unique constraint holds without a lookup.
        pairs = [("KZ", "AZ"), ("AZ", "KZ")]
        while len(pairs) < 400:
            a, b = rnd.choices(COUNTRIES, COUNTRY_WEIGHTS, k=2)
            if a != b and (a, b) not in pairs:
                pairs.append((a, b))
        years = list(range(1996, 2026))
        types = [
            "degree_students", "credit_students", "students", "staff_teaching",
            "staff_training", "researchers",
        ]  # fmt: skip
        levels = ["5", "6", "7", "8", "all"]
        sexes = ["total", "female", "male"]
        measures = ["flow", "stock"]
        radix = [len(pairs), len(years), len(types), len(levels), len(sexes), len(measures)]
        capacity = 1
        for r in radix:
            capacity *= r
        if size["figures"] > capacity:
            sys.exit(f"at most {capacity} distinct mobility figures; ask for fewer")
        figures = Copier(
            cursor,
            "mobility_mobilityfigure",
            [
                "created_at",
                "updated_at",
                "origin_country",
                "destination_country",
                "mobility_type",
                "level",
                "sex",
                "measure",
                "year",
                "as_of",
                "value",
                "qualifier",
                "host_institution_count",
                "notes",
                "agreement_id",
                "field_id",
                "home_institution_id",
                "host_institution_id",
                "source_id",
            ],
        )
        # Spread the counter over the whole space so that each pair gets every year.
        step = capacity // size["figures"]
        for i in range(size["figures"]):
            n = i * step
            digits = []
            for r in reversed(radix):
                digits.append(n % r)
                n //= r
            m_i, s_i, l_i, t_i, y_i, p_i = digits
            origin, destination = pairs[p_i]
            year, measure = years[y_i], measures[m_i]
            agreement = home = host = None
            if rnd.random() < 0.05 and agreement_parties:
                agreement, home = rnd.choice(agreement_parties)
            field = rnd.choice(field_ids) if field_ids and rnd.random() < 0.2 else None
            figures.add(
                NOW, NOW, origin, destination, types[t_i], levels[l_i], sexes[s_i], measure,
                year, datetime.date(year, 10, 1) if measure == "stock" else None,
                rnd.randint(1, 5000), "exact", None, "", agreement, field, home, host,
                rnd.choice(source_ids),
            )  # fmt: skip
        figures.flush()
        t = lap("mobility figures", t)

        # Identity columns were bypassed by explicit ids: move them past the data.
        for table in (
            "cooperation_source",
            "universities_institution",
            "events_person",
            "events_event",
            "agreements_agreement",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )

    with connection.cursor() as cursor:
        # The data fits in memory many times over (SSD, 23 GB RAM): tell the planner that a
        # random page costs about as much as a sequential one, as PostgreSQL's docs advise
        # for such machines. The default (4.0) assumes spinning disks and makes the planner
        # hash-join whole tables where an index nested loop over a hub's rows is 4x faster.
        # A deployment sets the same (README); this is a setting of this database only.
        cursor.execute(
            f"ALTER DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])} "
            "SET random_page_cost = 1.1"
        )
        # Visibility maps for index-only scans, and statistics for the planner.
        cursor.execute("VACUUM ANALYZE")
    t = lap("vacuum analyze", t)
    # COPY sends no signals: derive the agreements' country pairs (agreements.pairs), from
    # analysed tables (on fresh ones the planner's guess made it 44 s instead of 5 s).
    from agreements.pairs import rebuild_country_pairs

    pair_count = rebuild_country_pairs()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE agreements_countrypair")
    t = lap(f"country pairs ({pair_count})", t)
    # Nor the agreements' search keys (agreements.keys).
    from agreements.keys import rebuild_search_keys

    key_count = rebuild_search_keys()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE agreements_searchkey")
    t = lap(f"search keys ({key_count})", t)
    # Nor the directory's counts (universities.InstitutionCount, agreements.counts).
    from universities.models import InstitutionCount

    count_rows = InstitutionCount.rebuild()
    t = lap(f"institution counts ({count_rows})", t)
    # COPY sends no signals: tell the cached public pages that the register changed.
    from cooperation.register_cache import bump_register_generation

    bump_register_generation()
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]
    print(f"Done in {elapsed:.0f} s; database size {db_size}.")
    summary = {
        "scale": scale,
        "size": size,
        "seconds": round(elapsed, 1),
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "database_size": db_size,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    (ROOT / "bench" / f"generate-{connection.settings_dict['NAME']}.json").write_text(
        json.dumps(summary, indent=2) + "\n"
    )


def _bisect(cumulative: list[float], x: float) -> int:
    import bisect

    return min(bisect.bisect_left(cumulative, x), len(cumulative) - 1)


if __name__ == "__main__":
    main()
