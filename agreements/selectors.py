"""Reads of the agreement register that are more than a filter."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from .models import Party

STATS_DIMENSIONS = ("year", "status", "kind", "level", "country_pair")


def _sort_key(values: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is None, value if value is not None else 0) for value in values)


def agreements_stats(*, agreements: QuerySet, group_by: Sequence[str]) -> list[dict[str, Any]]:
    """Count ``agreements`` per combination of ``group_by`` dimensions.

    ``year`` is the year signed (None when the date is unknown); ``country_pair`` is the set
    of the parties' countries, sorted and joined with a hyphen ("AZ-KZ"), so an agreement is
    counted once whatever the order of its parties. Two queries, whatever the number of rows.
    """
    rows = (
        agreements.prefetch_related(None)
        .order_by()
        .values_list("pk", "signed_on", "status", "kind", "level")
    )
    countries: dict[int, set[str]] = defaultdict(set)
    if "country_pair" in group_by:
        parties = Party.objects.filter(
            agreement__in=agreements.prefetch_related(None).order_by().values("pk")
        ).values_list("agreement_id", "institution__country")
        for agreement_id, country in parties:
            countries[agreement_id].add(str(country))
    counts: Counter[tuple[Any, ...]] = Counter()
    for pk, signed_on, status, kind, level in rows:
        values = {
            "year": signed_on.year if signed_on else None,
            "status": status,
            "kind": kind,
            "level": level,
            "country_pair": "-".join(sorted(countries.get(pk, ()))),
        }
        counts[tuple(values[dimension] for dimension in group_by)] += 1
    return [
        {**dict(zip(group_by, key, strict=True)), "count": count}
        for key, count in sorted(counts.items(), key=lambda item: _sort_key(item[0]))
    ]


def institution_links(
    agreements: QuerySet,
    *,
    ids: Sequence[int] | None = None,
    countries: tuple[str, str] | None = None,
    limit: int = 500,
) -> list[tuple[int, int, int]]:
    """The partnerships among ``agreements``: (institution, partner, number of agreements)
    for every two institutions that are parties to one of them, each pair once (the lower
    id first), the most agreements first; with ``countries`` (two codes), only pairs of an
    institution of one with an institution of the other. At most ``limit`` pairs: a map
    draws lines for the strongest links, not for every pair of a register.

    The parties are read once, as three columns (by ``ids``, the agreements' ids when
    already read, looked up by index), and paired here: at size L the 40,000 agreements of
    a pair in 0.2 s, where a self-join grouped in SQL took 0.8 s (bench/RESULTS.md)."""
    from collections import Counter, defaultdict

    from django.db.models import Q

    from cooperation.sql import id_in

    parties = Party.objects.filter(
        id_in("agreement", ids, using=agreements.db, subquery=agreements)
        if ids is not None
        else Q(agreement__in=agreements.order_by().values("pk"))
    )
    if countries:
        parties = parties.filter(institution__country__in=countries)
    by_agreement: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for agreement, institution, country in parties.order_by().values_list(
        "agreement", "institution", "institution__country"
    ):
        by_agreement[agreement].append((institution, country))
    counts: Counter[tuple[int, int]] = Counter()
    for members in by_agreement.values():
        members.sort()
        for i, (a, country_a) in enumerate(members):
            for b, country_b in members[i + 1 :]:
                if a != b and (not countries or country_a != country_b):
                    counts[(a, b)] += 1
    strongest = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(a, b, n) for (a, b), n in strongest]
