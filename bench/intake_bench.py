"""Benchmark (not a test): the article extractor against a hand-made answer key.

Runs ``intake.extraction.extract`` on the five published articles (``../shared/news``
beside the repository, or ``UNIBRIDGE_NEWS_DIR``) with the register a fresh installation
has (the reference institutions of ``universities/fixtures``, in memory: no database), and
compares its proposals with ``bench/intake_answers.json``, written by reading the articles.
Prints precision and recall per kind of record, the attributes of the matched figures and
events, and every miss and every extra proposal.

    .venv/bin/python bench/intake_bench.py [--json results.json]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")

import django  # noqa: E402

django.setup()

from cooperation.text import fold  # noqa: E402
from intake import extraction as ex  # noqa: E402
from intake.services import complete, default_accept  # noqa: E402
from universities.choices import InstitutionNameKind  # noqa: E402
from universities.matching import NameMatcher  # noqa: E402
from universities.models import Institution, InstitutionName  # noqa: E402
from universities.services import UNIVERSITIES_CSV, read_csv  # noqa: E402

KINDS = ("institution", "person", "event", "agreement", "stated_figure", "mobility_figure")
GOAL = {"institution", "event", "stated_figure"}  # recall >= 0.9, precision >= 0.8


def news_dir() -> Path:
    return Path(os.environ.get("UNIBRIDGE_NEWS_DIR") or ROOT.parent / "shared" / "news")


def reference_matcher() -> NameMatcher:
    """The reference institutions and their names, as ``load_reference_data`` loads them."""
    matcher = NameMatcher([])
    for pk, row in enumerate(read_csv(UNIVERSITIES_CSV), start=1):
        institution = Institution(pk=pk, name=row["name_en"], country=row["country"])
        institution.city = row["city"]
        local = "kk" if row["country"] == "KZ" else "az"
        names = [
            InstitutionName(name=text, language=language, kind=InstitutionNameKind.LABEL)
            for text, language in ((row["name_ru"], "ru"), (row["name_kk_or_az"], local))
            if text
        ] + [
            InstitutionName(name=acronym.strip(), kind=InstitutionNameKind.ACRONYM)
            for acronym in row["acronym"].split(";")
            if acronym.strip()
        ]
        matcher.add(institution, names)
    return matcher


def same(kind: str, proposal: ex.Proposal, answer: dict) -> bool:
    """Whether ``proposal`` is the record ``answer`` describes (its identity, not every
    attribute: those are scored apart)."""
    fields = proposal.fields
    if kind == "institution":
        written = {fold(fields["name"])}
        if proposal.match:
            written.add(fold(proposal.match["name"]))
        return bool(written & {fold(name) for name in answer["names"]})
    if kind == "person":
        surname = fold(answer["surname"])
        return surname in fold(fields["name"]) or surname in fold(fields.get("name_local", ""))
    if kind == "event":
        return fields["kind"] == answer["kind"]
    if kind == "agreement":
        return fields["kind"] == answer["kind"]
    if kind == "stated_figure":
        return fields["metric"] == answer["metric"] and fields["value"] == answer["value"]
    if kind == "mobility_figure":
        return (fields["origin_country"], fields["destination_country"], fields["value"]) == (
            answer["origin"],
            answer["destination"],
            answer["value"],
        )
    raise ValueError(kind)


def attributes(kind: str, proposal: ex.Proposal, answer: dict) -> dict[str, bool]:
    """Which of the matched proposal's attributes agree with the key."""
    fields = proposal.fields
    if kind == "stated_figure":
        countries = [fields["country"], fields["partner_country"]]
        if answer["scope"] == "both":
            right_countries = set(countries) == set(answer["countries"])
        else:
            right_countries = countries[: len(answer["countries"])] == answer["countries"]
        return {
            "qualifier": fields["qualifier"] == answer["qualifier"],
            "status": fields["status"] == answer["status"],
            "scope": fields["scope"] == answer["scope"],
            "countries": right_countries,
        }
    if kind == "mobility_figure":
        result = {"qualifier": fields["qualifier"] == answer["qualifier"]}
        if "host_institution_count" in answer:
            result["hosts"] = fields["host_institution_count"] == answer["host_institution_count"]
        return result
    if kind == "event":
        return {"city": fold(fields["city"]) == fold(answer["city"]) or not answer["city"]}
    if kind == "agreement":
        return {"year": fields.get("year") == answer["year"]}
    return {}


def score(answers: dict, matcher: NameMatcher) -> dict:
    totals = {kind: {"tp": 0, "fp": 0, "fn": 0} for kind in KINDS}
    checks: dict[str, dict[str, list[int]]] = {}
    misses, extras, languages, timings, matched_institutions = [], [], [], [], [0, 0]
    steps: list[tuple] = []
    for path in sorted(news_dir().glob("*.txt")):
        key = path.name[:3]
        answer = answers[key]
        started = time.perf_counter()
        extraction = ex.extract(path.read_text(encoding="utf-8"), matcher=matcher)
        timings.append(time.perf_counter() - started)
        languages.append(extraction.language == answer["language"])
        records = 1 + sum(len(answer[kind]) for kind in KINDS)
        steps.append(
            (
                key,
                records,
                len(extraction.proposals),
                sum(default_accept(p) for p in extraction.proposals),
                sum(not complete(p) for p in extraction.proposals),
            )
        )
        for kind in KINDS:
            proposals = extraction.of_kind(kind)
            unused = list(proposals)
            for item in answer[kind]:
                hit = next((p for p in unused if same(kind, p, item)), None)
                if hit is None:
                    totals[kind]["fn"] += 1
                    misses.append((key, kind, item))
                    continue
                unused.remove(hit)
                totals[kind]["tp"] += 1
                if kind == "institution":
                    matched_institutions[1] += 1
                    matched_institutions[0] += hit.match is not None
                for name, right in attributes(kind, hit, item).items():
                    checks.setdefault(kind, {}).setdefault(name, [0, 0])
                    checks[kind][name][0] += right
                    checks[kind][name][1] += 1
            for proposal in unused:
                totals[kind]["fp"] += 1
                extras.append((key, kind, proposal.fields.get("name") or proposal.fields))
    return {
        "totals": totals,
        "checks": checks,
        "misses": misses,
        "extras": extras,
        "languages": f"{sum(languages)}/{len(languages)}",
        "institutions_matched_to_register": matched_institutions,
        "seconds_per_article": round(sum(timings) / max(len(timings), 1), 3),
        "steps": steps,
    }


def main() -> None:
    answers = json.loads((ROOT / "bench" / "intake_answers.json").read_text())
    started = time.perf_counter()
    matcher = reference_matcher()
    load = time.perf_counter() - started
    result = score(answers, matcher)
    print("| kind | found | extra | missed | precision | recall | goal |")
    print("|---|---|---|---|---|---|---|")
    for kind, t in result["totals"].items():
        precision = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else 1.0
        recall = t["tp"] / (t["tp"] + t["fn"]) if t["tp"] + t["fn"] else 1.0
        t.update(precision=round(precision, 2), recall=round(recall, 2))
        goal = ""
        if kind in GOAL:
            goal = "met" if recall >= 0.9 and precision >= 0.8 else "NOT met"
        print(
            f"| {kind} | {t['tp']} | {t['fp']} | {t['fn']} | {precision:.2f} | {recall:.2f} "
            f"| {goal} |"
        )
    print()
    for kind, names in result["checks"].items():
        parts = ", ".join(f"{name} {right}/{total}" for name, (right, total) in names.items())
        print(f"- {kind} attributes right: {parts}")
    matched, total = result["institutions_matched_to_register"]
    print(f"- institutions found that the matcher matched surely: {matched}/{total}")
    print(f"- language detected right: {result['languages']}")
    print(f"- register loaded in {load:.2f} s; {result['seconds_per_article']} s per article")
    print(
        "\n| article | records in the key (with the source) | proposals "
        "| ticked at once | need a field filled |"
    )
    print("|---|---|---|---|---|")
    for key, records, proposals, ticked, incomplete in result["steps"]:
        print(f"| {key} | {records} | {proposals} | {ticked} | {incomplete} |")
    print("\nMissed:")
    for key, kind, item in result["misses"]:
        print(f"- {key} {kind}: {item}")
    print("\nExtra (proposed, not in the key):")
    for key, kind, item in result["extras"]:
        print(f"- {key} {kind}: {item}")
    if "--json" in sys.argv:
        target = Path(sys.argv[sys.argv.index("--json") + 1])
        target.write_text(json.dumps(result, indent=1, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
