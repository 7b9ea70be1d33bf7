"""The partner maps: institutions as points and partnerships as lines, drawn by
static/js/partner-map.js with Leaflet over the Natural Earth country shapes the app serves
(static/vendor/world-atlas): no map tiles, nothing fetched from outside.

One payload for every map (the dashboard's pair, a profile's partners, the directory's map
view), built here: the points with coordinates, the lines between them, and the
institutions without coordinates, which the page lists beside the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Avg
from django.templatetags.static import static
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries as django_countries

from cooperation.charts import PALETTE
from cooperation.text import casefold

from .models import Institution

# Points on one map at most (the directory's map of a whole register at size L holds
# 25,000 institutions: the page says how many more there are and asks to filter).
MAP_MAX_POINTS = 2000
# Lines on one map at most: the strongest partnerships (agreements.selectors.institution_links).
MAP_MAX_LINKS = 300
# Institutions without coordinates named beside a map at most; the count says the rest.
MAP_MAX_UNPLACED = 50
BASEMAP = "vendor/world-atlas/countries-50m.json"
# Countries with a colour of their own on one map (cooperation.charts.PALETTE); the points
# of any other country are grey.
MAP_COLOURS = 4
OTHER_COLOUR = "#6b6b6b"


def map_payload(
    institutions: Iterable[Institution],
    links: Sequence[tuple[int, int, int]] = (),
    *,
    focus: int | None = None,
    total: int | None = None,
    countries: Sequence[str] = (),
) -> dict:
    """The JSON a map page embeds (``json_script``): ``points`` (id, name in the reader's
    language, profile URL, lat, lon, country, ``focus`` for the institution a profile is
    about, ``approximate`` when placed at its city: city_positions), ``links`` (two point
    ids, the number of agreements and a title, only between placed points), ``unplaced``
    (name and URL of those that cannot be placed, at most MAP_MAX_UNPLACED) with
    ``unplaced_count``, ``total`` (how many institutions the map is of, when more than it
    shows), ``countries`` (whose points get the first colours: the pair's), ``legend`` and
    ``basemap`` (the country shapes' URL)."""
    institutions = list(institutions)
    cities = city_positions(institutions)
    points, unplaced, unplaced_count = [], [], 0
    for institution in institutions:
        approximate = institution.latitude is None or institution.longitude is None
        if approximate:
            position = cities.get((str(institution.country), casefold(institution.city or "")))
        else:
            position = (float(institution.latitude), float(institution.longitude))
        if position is None:
            unplaced_count += 1
            if len(unplaced) < MAP_MAX_UNPLACED:
                unplaced.append(
                    {"name": institution.localized_name(), "url": institution.get_absolute_url()}
                )
            continue
        points.append(
            {
                "id": institution.pk,
                "name": institution.localized_name(),
                "url": institution.get_absolute_url(),
                "lat": position[0],
                "lon": position[1],
                "approximate": approximate,
                "country": str(institution.country),
                "focus": institution.pk == focus,
            }
        )
    names = {point["id"]: point["name"] for point in points}
    return {
        "points": points,
        "links": [
            {
                "a": a,
                "b": b,
                "n": n,
                "a_name": names[a],
                "b_name": names[b],
                "title": ngettext(
                    "%(a)s – %(b)s: %(n)s agreement", "%(a)s – %(b)s: %(n)s agreements", n
                )
                % {"a": names[a], "b": names[b], "n": number_format(n, force_grouping=True)},
            }
            for a, b, n in links
            if a in names and b in names
        ],
        "countries": list(countries),
        "legend": legend(countries, [point["country"] for point in points]),
        "approximate_label": str(_("placed at its city: the register has no coordinates for it")),
        "unplaced": unplaced,
        "unplaced_count": unplaced_count,
        "total": total,
        "shown": len(points) + unplaced_count,
        "basemap": static(BASEMAP),
    }


def legend(first: Sequence[str], present: Sequence[str]) -> list[dict]:
    """The countries a map colours, in order: ``first`` (the pair, a profile's country),
    then those with the most points, MAP_COLOURS in all, each with its colour of the
    charts' palette; the points of every other country are grey, "other countries" (code "")."""
    from collections import Counter

    names = dict(django_countries)
    coloured = [code for code in dict.fromkeys(first) if code in names][:MAP_COLOURS]
    for code, _count in Counter(present).most_common():
        if len(coloured) >= MAP_COLOURS:
            break
        if code not in coloured and code in names:
            coloured.append(code)
    entries = [
        {"code": code, "name": str(names[code]), "colour": PALETTE[index % len(PALETTE)]}
        for index, code in enumerate(coloured)
    ]
    if set(present) - set(coloured):
        entries.append({"code": "", "name": str(_("Other countries")), "colour": OTHER_COLOUR})
    return entries


def city_positions(institutions: Sequence[Institution]) -> dict[tuple[str, str], tuple]:
    """Where to place the institutions that have no coordinates of their own: the mean
    position of the register's institutions with coordinates in the same city and country
    (one query). Keys are (country, city in lower case)."""
    wanted = {(str(i.country), i.city) for i in institutions if i.city and i.latitude is None}
    if not wanted:
        return {}
    rows = (
        Institution.objects.filter(
            country__in={country for country, _city in wanted},
            city__in={city for _country, city in wanted},
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .values_list("country", "city")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
        .order_by()
    )
    return {
        (str(country), casefold(city)): (float(lat), float(lon)) for country, city, lat, lon in rows
    }


def institutions_of_links(links: Sequence[tuple[int, int, int]]):
    """The institutions at either end of ``links``, with their names for the reader."""
    ids = {pk for a, b, _n in links for pk in (a, b)}
    return Institution.objects.filter(pk__in=ids).prefetch_related("names").order_by("pk")
