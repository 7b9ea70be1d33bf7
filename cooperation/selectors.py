"""Reads for the dashboard of a focus pair: the one place that looks across every app.

The dashboard is the product's summary of all the others, so unlike the rest of this app
it reads the models of the apps above it; it imports them inside the functions, so that
loading ``cooperation`` never loads them.
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agreements.visibility import agreement_visibility

from .choices import StatedFigureMetric, StatedFigureScope
from .models import StatedFigure
from .sql import id_in
from .translations import localized_order


def agreements_between(country_a: str, country_b: str, *, reader=None) -> QuerySet:
    """Agreements with at least one party in each of the two countries (of those ``reader``
    may see, when given: ``Agreement.objects.visible_to``)."""
    from agreements.models import Agreement

    agreements = Agreement.objects.all() if reader is None else Agreement.objects.visible_to(reader)
    return agreements.between(country_a, country_b)


def institutions_with_partners_in(country: str, partner_country: str, *, reader=None) -> QuerySet:
    """Universities and other academic institutions (``Institution.objects.academic()``,
    never governments and ministries) of ``country`` that share an agreement with an
    institution of ``partner_country`` (an agreement ``reader`` may see, when given): the
    institution list's ``?country=..&partner_country=..&academic=true``."""
    from agreements.models import Party
    from universities.models import Institution

    visible = Q() if reader is None else agreement_visibility(reader, "agreement__")
    partner_parties = Party.objects.filter(
        visible,
        agreement__parties__institution=OuterRef("pk"),
        institution__country=partner_country,
    )
    return Institution.objects.academic().filter(Exists(partner_parties), country=country)


@dataclasses.dataclass
class StatedVersusRegister:
    figure: StatedFigure
    register_count: int | None
    register_label: str
    register_url: str | None


def stated_figures_compared(
    country_a: str, country_b: str, *, today: datetime.date, reader=None
) -> list[StatedVersusRegister]:
    """Each stated figure of what has happened about the pair, beside what the register
    itself counts, like with like: only accomplished figures (``accomplished()``: a
    scheduled or announced count is never set beside the register's, see
    ``stated_figures_planned``); institutions are counted as the academic ones
    (``institutions_with_partners_in``); a figure of both countries together is set beside
    the institutions of both; agreements stated as signed at one event are set beside the
    register's agreements signed at that event."""
    from django.urls import reverse

    figures = (
        StatedFigure.objects.about_pair(country_a, country_b)
        .accomplished()
        .prefetch_related("sources", "events")
        .order_by("-stated_on", "metric")
    )
    agreements_url = reverse("agreements:agreement_list")
    institutions_url = reverse("universities:institution_list")
    between = agreements_between(country_a, country_b, reader=reader)
    rows = []
    for figure in figures:
        country, partner = figure.country.code, figure.partner_country.code
        events = list(figure.events.all())
        if figure.metric in (
            StatedFigureMetric.INSTITUTIONS_WITH_AGREEMENTS,
            StatedFigureMetric.INSTITUTIONS_SIGNING,
        ):
            if figure.scope == StatedFigureScope.BOTH:
                count = (
                    institutions_with_partners_in(country, partner, reader=reader)
                    | institutions_with_partners_in(partner, country, reader=reader)
                ).count()
                label = _(
                    "universities and academic institutions of %(a)s and of %(b)s with an "
                    "agreement with the other country"
                ) % {"a": country, "b": partner}
                url = f"{institutions_url}?country_pair={country},{partner}&academic=true"
            else:
                count = institutions_with_partners_in(country, partner, reader=reader).count()
                label = _(
                    "universities and academic institutions of %(country)s with an agreement "
                    "with %(partner)s"
                ) % {"country": country, "partner": partner}
                url = (
                    f"{institutions_url}?country={country}&partner_country={partner}&academic=true"
                )
        elif figure.metric == StatedFigureMetric.AGREEMENTS_SIGNED and len(events) == 1:
            # Agreements signed at an event: set beside those the register has from it.
            count = between.filter(event=events[0]).count()
            label = _("agreements between %(a)s and %(b)s signed at “%(event)s”") % {
                "a": country_a,
                "b": country_b,
                "event": events[0].localized_title(),
            }
            url = f"{agreements_url}?country_pair={country_a},{country_b}&event_id={events[0].pk}"
        elif figure.metric == StatedFigureMetric.AGREEMENTS_SIGNED:
            count = between.count()
            label = _("agreements between %(a)s and %(b)s") % {"a": country_a, "b": country_b}
            url = f"{agreements_url}?country_pair={country_a},{country_b}"
        else:
            count, label, url = None, _("not counted by the register"), None
        rows.append(StatedVersusRegister(figure, count, label, url))
    return rows


def stated_figures_planned(country_a: str, country_b: str) -> list[StatedFigure]:
    """Scheduled and announced figures about the pair: shown apart from the register's
    counts, never beside them (``StatedFigure.objects.planned()``)."""
    return list(
        StatedFigure.objects.about_pair(country_a, country_b)
        .planned()
        .prefetch_related("sources", "events")
        .order_by("-stated_on", "metric")
    )


def mobility_series(country_a: str, country_b: str) -> dict:
    """Mobility totals both ways, as chart series: one series per direction and measure, one
    point per year, each the total of ``mobility.selectors.mobility_totals`` (the explorer's
    pivot and the API's totals are the same numbers): a stock is the count at the year's
    latest date, never a sum of dates; a breakdown is never the year's value; of sources
    stating the same number, the one published last. ``text`` carries the qualifier
    ("more than 1000") and ``as_of`` the date of a stock."""
    from mobility.choices import Measure
    from mobility.models import MobilityFigure
    from mobility.selectors import TotalsTooLarge, mobility_totals

    figures = MobilityFigure.objects.filter(
        Q(origin_country=country_a, destination_country=country_b)
        | Q(origin_country=country_b, destination_country=country_a)
    )
    try:
        totals = mobility_totals(figures=figures, group_by=["year", "origin", "destination"])
    except TotalsTooLarge as error:
        return {"labels": [], "datasets": [], "error": str(error)}
    years = sorted({total["year"] for total in totals})
    points: dict[tuple[str, str, str], dict[int, dict]] = defaultdict(dict)
    for total in totals:
        series = (total["origin"], total["destination"], total["measure"])
        points[series][total["year"]] = total
    datasets = []
    for origin, destination in ((country_a, country_b), (country_b, country_a)):
        for measure, label in Measure.choices:
            series = points.get((origin, destination, measure))
            if not series:
                continue
            datasets.append(
                {
                    "label": f"{origin} → {destination}, {str(label).lower()}",
                    "direction": [origin, destination],
                    "measure": measure,
                    "data": [series[year]["value"] if year in series else None for year in years],
                    "text": [series[year]["text"] if year in series else None for year in years],
                    "as_of": [series[year]["as_of"] if year in series else None for year in years],
                }
            )
    # The same numbers as a table (the chart's text for screen readers and print): a row a
    # year, a column a series, each cell as stated ("more than 1000") with its date.
    table = [
        (year, [(dataset["text"][i], dataset["as_of"][i]) for dataset in datasets])
        for i, year in enumerate(years)
    ]
    # The chart's data (JSON) carries the dates as ISO 8601, for the program, and as the
    # reader's language writes them (06.04.2026), for the reader.
    for dataset in datasets:
        dates = dataset["as_of"]
        dataset["as_of"] = [day.isoformat() if day else None for day in dates]
        dataset["as_of_shown"] = [
            date_format(day, "SHORT_DATE_FORMAT") if day else None for day in dates
        ]
    return {"labels": years, "datasets": datasets, "table": table}


def scholarships_for_pair(country_a: str, country_b: str) -> QuerySet:
    """The pair's programmes (``ScholarshipProgramme.objects.of_pair``) with their places."""
    from mobility.models import ScholarshipProgramme

    return (
        ScholarshipProgramme.objects.of_pair(country_a, country_b)
        .annotate(
            offered=Sum("allocations__places_offered"),
            awarded=Sum("allocations__places_awarded"),
        )
        .order_by(localized_order("name").asc(), "pk")  # by the name shown
    )


def dashboard(
    country_a: str, country_b: str, *, today: datetime.date | None = None, reader=None
) -> dict:
    """Everything the dashboard shows for the pair, in a fixed number of queries. With
    ``reader``, every figure counts only the agreements that user may see, as the lists
    the figures link to do."""
    from agreements.models import dormant_definition, expiring_days
    from events.models import Event
    from universities.models import academic_condition

    today = today or datetime.date.today()
    between = agreements_between(country_a, country_b, reader=reader)
    model = between.model
    # The pair's agreements are read once (from agreements.CountryPair, bench/RESULTS.md,
    # scenario 2), with the columns the counts and the years need; the institutions and the
    # dormant agreements are then read from the ids found.
    # In force and expiring are the agreements' own states (AgreementQuerySet.with_state).
    rows = between.order_by().values_list(
        "pk",
        "signed_on",
        ExpressionWrapper(
            model.objects.in_force_condition(today=today), output_field=BooleanField()
        ),
        ExpressionWrapper(
            model.objects.expiring_condition(today=today), output_field=BooleanField()
        ),
    )
    ids, in_force_ids, expiring = [], [], 0
    per_year: dict[int, int] = defaultdict(int)
    for pk, signed_on, in_force, is_expiring in rows:
        ids.append(pk)
        if signed_on is not None:
            per_year[signed_on.year] += 1
        if in_force:
            in_force_ids.append(pk)
            expiring += bool(is_expiring)
    # Both countries' institutions in one pass over the parties of those agreements. Every
    # one of them has a party in each country, so an institution of A that is a party has a
    # partner in B: institutions_with_partners_in(A, B), which the linked list filters by;
    # like it, only universities and other academic institutions are counted.
    institutions = dict(
        _party_model()
        .objects.filter(
            id_in("agreement", ids, using=between.db, subquery=between),
            academic_condition("institution__"),
            institution__country__in=[country_a, country_b],
        )
        .order_by()
        .values_list("institution__country")
        .annotate(n=Count("institution", distinct=True))
    )
    # Dormant among the pair's agreements in force only: the figures are probed for those,
    # not for every agreement in force in the register.
    dormant = list(
        model.objects.filter(
            id_in("pk", in_force_ids, using=between.db, subquery=between.in_force(today=today))
        )
        .dormant(today=today)
        .order_by("signed_on", "pk")
        .values_list("pk", flat=True)
    )
    events = Event.objects.of_pair(country_a, country_b, reader=reader).select_related(
        "host_institution"
    )
    return {
        "country_a": country_a,
        "country_b": country_b,
        "agreement_count": len(ids),
        "in_force_count": len(in_force_ids),
        "expiring_count": expiring,
        "expiring_days": expiring_days(),
        "dormant_definition": dormant_definition(),
        "institutions_a": institutions.get(country_a, 0),
        "institutions_b": institutions.get(country_b, 0),
        "per_year": {
            "labels": sorted(per_year),
            "values": [per_year[y] for y in sorted(per_year)],
            "rows": [(y, per_year[y]) for y in sorted(per_year)],
        },
        "upcoming_events": list(
            events.filter(Q(start_date__gte=today) | Q(status="planned")).order_by("start_date")[:5]
        ),
        "recent_events": list(
            events.filter(start_date__lt=today, status="held").order_by("-start_date")[:5]
        ),
        "mobility": mobility_series(country_a, country_b),
        "scholarships": list(scholarships_for_pair(country_a, country_b)),
        "stated": stated_figures_compared(country_a, country_b, today=today, reader=reader),
        "stated_planned": stated_figures_planned(country_a, country_b),
        "dormant": list(
            model.objects.filter(pk__in=dormant[:10]).told_apart().order_by("signed_on", "pk")
        ),
        "dormant_count": len(dormant),
        "map": pair_map(between, country_a, country_b, ids=ids),
    }


def pair_map(
    agreements: QuerySet, country_a: str, country_b: str, *, ids: list[int] | None = None
) -> dict:
    """The pair's partnerships on a map (universities.maps): the strongest MAP_MAX_LINKS
    links between an institution of one country and one of the other among ``agreements``
    (whose ``ids`` the dashboard has read), and the institutions at their ends."""
    from agreements.selectors import institution_links
    from universities.maps import MAP_MAX_LINKS, institutions_of_links, map_payload

    links = institution_links(
        agreements, ids=ids, countries=(country_a, country_b), limit=MAP_MAX_LINKS
    )
    return map_payload(institutions_of_links(links), links, countries=[country_a, country_b])


def _party_model():
    from agreements.models import Party

    return Party


PAIRS_CACHE_SECONDS = 600


def pairs_with_data(reader=None) -> list[tuple[str, str]]:
    """Country pairs that have at least one agreement or mobility figure, most data first.

    Counting them groups every party against every other party of its agreement and every
    mobility figure: 6 s on a register of 500,000 agreements and 2 million figures
    (bench/RESULTS.md, scenario 2), for a menu of the dashboard. The answer is cached, keyed
    by the newest party and figure ids, so that new data shows at once; edits and deletions
    show within PAIRS_CACHE_SECONDS. A ``reader`` who may not read every agreement sees
    the pairs of public agreements only (and of mobility figures), so that the menu does
    not tell of a pair known only from hidden agreements.
    """
    from django.core.cache import cache
    from django.db.models import Max

    from agreements.models import Party
    from agreements.visibility import reads_all_agreements
    from mobility.models import MobilityFigure

    newest_party = Party.objects.aggregate(n=Max("pk"))["n"]
    newest_figure = MobilityFigure.objects.aggregate(n=Max("pk"))["n"]
    public_only = not reads_all_agreements(reader)
    scope = "public" if public_only else "all"
    key = f"unibridge:pairs_with_data:{scope}:{newest_party}:{newest_figure}"
    pairs = cache.get(key)
    if pairs is None:
        pairs = _count_pairs_with_data(public_only=public_only)
        cache.set(key, pairs, PAIRS_CACHE_SECONDS)
    return pairs


def _count_pairs_with_data(*, public_only: bool) -> list[tuple[str, str]]:
    from agreements.choices import PUBLIC_STATUSES
    from agreements.models import CountryPair
    from mobility.models import MobilityFigure

    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in (
        MobilityFigure.objects.values("origin_country", "destination_country")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        pair = tuple(sorted((row["origin_country"], row["destination_country"])))
        counts[pair] += row["n"]
    # Agreements per pair from the pairs derived from their parties (agreements.CountryPair,
    # the table that "the agreements between A and B" reads), not a self-join of parties.
    pairs = CountryPair.objects.all()
    if public_only:
        pairs = pairs.filter(agreement__is_public=True, agreement__status__in=PUBLIC_STATUSES)
    for row in pairs.values("country", "partner_country").annotate(n=Count("agreement")).order_by():
        counts[(row["country"], row["partner_country"])] += row["n"]
    return sorted(counts, key=lambda pair: -counts[pair])
