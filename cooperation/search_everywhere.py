"""Search everywhere: one query across institutions, agreements, events, people, sources
and scholarships, for the header's suggestions (``/api/search/``) and the results page
(``/search/``).

Each kind is searched by its own list's rule, the ``q`` filter of its FilterSet (the
directory's names in any script, the register's titles, codes and parties, ...), over the
rows the reader may see, so a result here is a row of that list with ``?q=``: the "all
results" link opens exactly those rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

# Results named per kind on the page and in the suggestions; and how far a count goes
# before it says "more than" (a count of every match of "university" in a register of
# 500,000 agreements would read them all).
PAGE_RESULTS = 10
SUGGESTIONS = 3
COUNT_LIMIT = 1000
QUERY_MAX_LENGTH = 200


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str
    label: Any
    list_url: str  # URL name of the list whose ?q= these results are
    rows: Callable[[Any], QuerySet]  # the rows the reader may see, ready to show
    filterset: Callable[[], type]
    describe: Callable[[Any, str], dict[str, str]]  # (row, query) -> label, detail, url


def _institutions(reader) -> QuerySet:
    from universities.models import Institution

    return Institution.objects.prefetch_related("names")


def _agreements(reader) -> QuerySet:
    from agreements.models import Agreement

    return Agreement.objects.visible_to(reader).prefetch_related("parties__institution__names")


def _events(reader) -> QuerySet:
    from events.models import Event

    return Event.objects.all()


def _people(reader) -> QuerySet:
    from events.models import Person

    return Person.objects.select_related("institution")


def _sources(reader) -> QuerySet:
    from cooperation.models import Source

    return Source.objects.all()


def _scholarships(reader) -> QuerySet:
    from mobility.models import ScholarshipProgramme

    return ScholarshipProgramme.objects.all()


def _describe_institution(row, query: str) -> dict[str, str]:
    matched = row.matched_name(query)
    place = ", ".join(part for part in [row.city, str(row.country.name)] if part)
    return {
        "label": row.localized_name(),
        "detail": place,
        "matched": matched,
        "url": row.get_absolute_url(),
    }


def _describe_agreement(row, query: str) -> dict[str, str]:
    parties = " – ".join(party.institution.localized_name() for party in row.parties.all())
    return {
        "label": row.title,
        "detail": " · ".join(part for part in [parties, row.signed_on_display] if part),
        "url": row.get_absolute_url(),
    }


def _describe_event(row, query: str) -> dict[str, str]:
    place = ", ".join(part for part in [row.city, str(row.country.name)] if part)
    return {
        "label": row.title,
        "detail": " · ".join(part for part in [row.date_display, place] if part),
        "url": row.get_absolute_url(),
    }


def _describe_person(row, query: str) -> dict[str, str]:
    institution = row.institution.localized_name() if row.institution else ""
    return {
        "label": row.localized_name(),
        "detail": " · ".join(part for part in [row.position, institution] if part),
        "url": f"{reverse('events:event_list')}?{urlencode({'person_id': row.pk})}",
    }


def _describe_source(row, query: str) -> dict[str, str]:
    date = row.published_on.isoformat() if row.published_on else ""
    return {
        "label": row.title,
        "detail": " · ".join(part for part in [row.publisher, date] if part),
        "url": row.get_absolute_url(),
    }


def _describe_scholarship(row, query: str) -> dict[str, str]:
    return {
        "label": row.name,
        "detail": str(row.get_kind_display()),
        "url": f"{reverse('mobility:scholarship_list')}?{urlencode({'q': query})}",
    }


def _filterset(module: str, name: str) -> Callable[[], type]:
    def load() -> type:
        from importlib import import_module

        return getattr(import_module(module), name)

    return load


KINDS = (
    Kind("institutions", _("Institutions"), "universities:institution_list", _institutions,
         _filterset("universities.filtersets", "InstitutionFilterSet"), _describe_institution),
    Kind("agreements", _("Agreements"), "agreements:agreement_list", _agreements,
         _filterset("agreements.filtersets", "AgreementFilterSet"), _describe_agreement),
    Kind("events", _("Events"), "events:event_list", _events,
         _filterset("events.filtersets", "EventFilterSet"), _describe_event),
    Kind("people", _("People"), "", _people,
         _filterset("events.filtersets", "PersonFilterSet"), _describe_person),
    Kind("scholarships", _("Scholarships"), "mobility:scholarship_list", _scholarships,
         _filterset("mobility.filtersets", "ScholarshipProgrammeFilterSet"),
         _describe_scholarship),
    Kind("sources", _("Sources"), "cooperation:source_list", _sources,
         _filterset("cooperation.filtersets", "SourceFilterSet"), _describe_source),
)  # fmt: skip


def search_everything(query: str, *, request, per_kind: int = PAGE_RESULTS) -> list[dict]:
    """The groups of results for ``query``, one per kind with a match, in KINDS' order:
    key, label, count (at most COUNT_LIMIT, with ``more`` when there are more), the first
    ``per_kind`` results (label, detail, url, and for an institution the name that
    matched when another is shown) and the URL of the list holding them all."""
    query = " ".join(query.split())[:QUERY_MAX_LENGTH]
    if not query:
        return []
    reader = request.user
    groups = []
    for kind in KINDS:
        filterset = kind.filterset()({"q": query}, queryset=kind.rows(reader), request=request)
        if not filterset.is_valid():  # pragma: no cover - q takes any text
            continue
        rows = filterset.qs
        found = list(rows[:per_kind])
        if not found:
            continue
        count = len(found) if len(found) < per_kind else rows[: COUNT_LIMIT + 1].count()
        list_url = f"{reverse(kind.list_url)}?{urlencode({'q': query})}" if kind.list_url else ""
        groups.append(
            {
                "key": kind.key,
                "label": str(kind.label),
                "count": min(count, COUNT_LIMIT),
                "more": count > COUNT_LIMIT,
                "count_text": (
                    _("more than %(n)s") % {"n": number_format(COUNT_LIMIT, force_grouping=True)}
                    if count > COUNT_LIMIT
                    else number_format(count, force_grouping=True)
                ),
                "results": [{"matched": "", **kind.describe(row, query)} for row in found],
                "list_url": list_url,
            }
        )
    return groups
