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

from agreements.filtersets import AgreementFilterSet
from agreements.models import Agreement
from events.filtersets import EventFilterSet, PersonFilterSet
from events.models import Event, Person
from mobility.filtersets import ScholarshipProgrammeFilterSet
from mobility.models import ScholarshipProgramme
from universities.filtersets import InstitutionFilterSet
from universities.models import Institution

from .filtersets import SourceFilterSet
from .models import Source

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
    filterset: type
    describe: Callable[[Any, str], dict[str, str]]  # (row, query) -> label, detail, url


def _describe_institution(row, query: str) -> dict[str, str]:
    matched = row.matched_name(query)
    place = ", ".join(part for part in [row.localized_city(), str(row.country.name)] if part)
    return {
        "label": row.localized_name(),
        "detail": place,
        "matched": matched,
        "url": row.get_absolute_url(),
    }


def _describe_agreement(row, query: str) -> dict[str, str]:
    # Told apart as every list of agreements tells them (Agreement.parties_display).
    details = [row.parties_display, row.signed_on_display, row.renewal_display]
    return {
        "label": row.localized_title(),
        "detail": " · ".join(part for part in details if part),
        "url": row.get_absolute_url(),
    }


def _describe_event(row, query: str) -> dict[str, str]:
    place = ", ".join(part for part in [row.localized_city(), str(row.country.name)] if part)
    return {
        "label": row.localized_title(),
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
    return {
        "label": row.title,
        "detail": " · ".join(part for part in [row.publisher, row.published_display] if part),
        "url": row.get_absolute_url(),
    }


def _describe_scholarship(row, query: str) -> dict[str, str]:
    return {
        "label": row.localized_name(),
        "detail": str(row.get_kind_display()),
        "url": f"{reverse('mobility:scholarship_list')}?{urlencode({'q': query})}",
    }


KINDS = (
    Kind("institutions", _("Institutions"), "universities:institution_list",
         lambda reader: Institution.objects.prefetch_related("names"),
         InstitutionFilterSet, _describe_institution),
    Kind("agreements", _("Agreements"), "agreements:agreement_list",
         lambda reader: Agreement.objects.visible_to(reader).told_apart(),
         AgreementFilterSet, _describe_agreement),
    Kind("events", _("Events"), "events:event_list",
         lambda reader: Event.objects.all(), EventFilterSet, _describe_event),
    Kind("people", _("People"), "",
         lambda reader: Person.objects.select_related("institution"),
         PersonFilterSet, _describe_person),
    Kind("scholarships", _("Scholarships"), "mobility:scholarship_list",
         lambda reader: ScholarshipProgramme.objects.all(),
         ScholarshipProgrammeFilterSet, _describe_scholarship),
    Kind("sources", _("Sources"), "cooperation:source_list",
         lambda reader: Source.objects.all(), SourceFilterSet, _describe_source),
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
        filterset = kind.filterset({"q": query}, queryset=kind.rows(reader), request=request)
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
