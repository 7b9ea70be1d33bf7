"""Reads for the dashboard of a focus pair: the one place that looks across every app.

The dashboard is the product's summary of all the others, so unlike the rest of this app
it reads the models of the apps above it; it imports them inside the functions, so that
loading ``cooperation`` never loads them.
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .choices import StatedFigureMetric
from .models import StatedFigure

DORMANT_AFTER_YEARS = 3


def agreements_between(country_a: str, country_b: str) -> QuerySet:
    """Agreements with at least one party in each of the two countries."""
    from agreements.models import Agreement, Party

    def party_in(country: str) -> Exists:
        return Exists(Party.objects.filter(agreement=OuterRef("pk"), institution__country=country))

    return Agreement.objects.filter(party_in(country_a), party_in(country_b))


def institutions_with_partners_in(country: str, partner_country: str) -> QuerySet:
    """Institutions of ``country`` that share an agreement with one of ``partner_country``."""
    from agreements.models import Party
    from universities.models import Institution

    partner_parties = Party.objects.filter(
        agreement__parties__institution=OuterRef("pk"), institution__country=partner_country
    )
    return Institution.objects.filter(Exists(partner_parties), country=country)


@dataclasses.dataclass
class StatedVersusRegister:
    figure: StatedFigure
    register_count: int | None
    register_label: str
    register_url: str | None


def stated_figures_compared(
    country_a: str, country_b: str, *, today: datetime.date
) -> list[StatedVersusRegister]:
    """Each stated figure about the pair, beside what the register itself counts."""
    from django.urls import reverse

    figures = (
        StatedFigure.objects.filter(
            Q(country=country_a, partner_country=country_b)
            | Q(country=country_b, partner_country=country_a)
        )
        .prefetch_related("sources")
        .order_by("-stated_on", "metric")
    )
    agreements_url = reverse("agreements:agreement_list")
    institutions_url = reverse("universities:institution_list")
    between = agreements_between(country_a, country_b)
    rows = []
    for figure in figures:
        country, partner = figure.country.code, figure.partner_country.code
        if figure.metric in (
            StatedFigureMetric.INSTITUTIONS_WITH_AGREEMENTS,
            StatedFigureMetric.INSTITUTIONS_SIGNING,
        ):
            count = institutions_with_partners_in(country, partner).count()
            label = _("institutions of %(country)s with an agreement with %(partner)s") % {
                "country": country,
                "partner": partner,
            }
            url = f"{institutions_url}?country={country}&partner_country={partner}"
        elif figure.metric == StatedFigureMetric.AGREEMENTS_SIGNED:
            count = between.count()
            label = _("agreements between %(a)s and %(b)s") % {"a": country_a, "b": country_b}
            url = f"{agreements_url}?country_pair={country_a},{country_b}"
        else:
            count, label, url = None, _("not counted by the register"), None
        rows.append(StatedVersusRegister(figure, count, label, url))
    return rows


def mobility_series(country_a: str, country_b: str) -> dict:
    """Mobility figures both ways, as chart series: one point per stated figure.

    Figures from different sources for the same period are not added up (they are
    competing statements, not parts of a whole); the chart shows each one.
    """
    from mobility.models import MobilityFigure

    figures = (
        MobilityFigure.objects.filter(
            Q(origin_country=country_a, destination_country=country_b)
            | Q(origin_country=country_b, destination_country=country_a)
        )
        .select_related("source")
        .order_by("year", "as_of")
    )
    labels: list[str] = []
    points: dict[str, dict[str, int]] = defaultdict(dict)
    for figure in figures:
        label = figure.as_of.isoformat() if figure.as_of else str(figure.year)
        if label not in labels:
            labels.append(label)
        direction = f"{figure.origin_country.code} → {figure.destination_country.code}"
        points[direction][label] = figure.value
    directions = [f"{country_a} → {country_b}", f"{country_b} → {country_a}"]
    return {
        "labels": labels,
        "datasets": [
            {"label": direction, "data": [points[direction].get(label) for label in labels]}
            for direction in directions
        ],
    }


def agreements_per_year(queryset: QuerySet) -> dict:
    rows = (
        queryset.exclude(signed_on__isnull=True)
        .annotate(year=ExtractYear("signed_on"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    return {"labels": [row["year"] for row in rows], "values": [row["n"] for row in rows]}


def scholarships_for_pair(country_a: str, country_b: str) -> QuerySet:
    """Programmes funded by one country of the pair that the other's students can hold."""
    from mobility.models import ScholarshipProgramme

    return (
        ScholarshipProgramme.objects.filter(
            Q(funder_country=country_a) | Q(funder_country=country_b)
        )
        .annotate(
            offered=Sum("allocations__places_offered"),
            awarded=Sum("allocations__places_awarded"),
        )
        .order_by("name")
    )


def dashboard(country_a: str, country_b: str, *, today: datetime.date | None = None) -> dict:
    """Everything the dashboard shows for the pair, in a fixed number of queries."""
    from events.models import Event

    today = today or datetime.date.today()
    between = agreements_between(country_a, country_b)
    in_force = between.in_force(today=today)
    events = Event.objects.filter(country__in=[country_a, country_b]).select_related(
        "host_institution"
    )
    return {
        "country_a": country_a,
        "country_b": country_b,
        "agreement_count": between.count(),
        "in_force_count": in_force.count(),
        "expiring_count": in_force.filter(
            valid_until__lte=today + datetime.timedelta(days=90)
        ).count(),
        "institutions_a": institutions_with_partners_in(country_a, country_b).count(),
        "institutions_b": institutions_with_partners_in(country_b, country_a).count(),
        "per_year": agreements_per_year(between),
        "upcoming_events": list(
            events.filter(Q(start_date__gte=today) | Q(status="planned")).order_by("start_date")[:5]
        ),
        "recent_events": list(
            events.filter(start_date__lt=today, status="held").order_by("-start_date")[:5]
        ),
        "mobility": mobility_series(country_a, country_b),
        "scholarships": list(scholarships_for_pair(country_a, country_b)),
        "stated": stated_figures_compared(country_a, country_b, today=today),
        "dormant": list(
            between.dormant(today=today, years=DORMANT_AFTER_YEARS)
            .prefetch_related("parties__institution")
            .order_by("signed_on")[:10]
        ),
        "dormant_count": between.dormant(today=today, years=DORMANT_AFTER_YEARS).count(),
    }


PAIRS_CACHE_SECONDS = 600


def pairs_with_data() -> list[tuple[str, str]]:
    """Country pairs that have at least one agreement or mobility figure, most data first.

    Counting them groups every party against every other party of its agreement and every
    mobility figure: 6 s on a register of 500,000 agreements and 2 million figures
    (bench/RESULTS.md, scenario 2), for a menu of the dashboard. The answer is cached, keyed
    by the newest party and figure ids, so that new data shows at once; edits and deletions
    show within PAIRS_CACHE_SECONDS.
    """
    from django.core.cache import cache
    from django.db.models import Max

    from agreements.models import Party
    from mobility.models import MobilityFigure

    newest_party = Party.objects.aggregate(n=Max("pk"))["n"]
    newest_figure = MobilityFigure.objects.aggregate(n=Max("pk"))["n"]
    key = f"unibridge:pairs_with_data:{newest_party}:{newest_figure}"
    pairs = cache.get(key)
    if pairs is None:
        pairs = _count_pairs_with_data()
        cache.set(key, pairs, PAIRS_CACHE_SECONDS)
    return pairs


def _count_pairs_with_data() -> list[tuple[str, str]]:
    from agreements.models import Party
    from mobility.models import MobilityFigure

    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in (
        MobilityFigure.objects.values("origin_country", "destination_country")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        pair = tuple(sorted((row["origin_country"], row["destination_country"])))
        counts[pair] += row["n"]
    other = "agreement__parties__institution__country"
    pairs = (
        Party.objects.filter(**{f"{other}__gt": F("institution__country")})
        .values("institution__country", other)
        .annotate(n=Count("agreement", distinct=True))
        .order_by()
    )
    for row in pairs:
        counts[(row["institution__country"], row[other])] += row["n"]
    return sorted(counts, key=lambda pair: -counts[pair])
