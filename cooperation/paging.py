"""How many rows a page of a list may hold: one rule for the list pages (``?per_page=``)
and the API (``?page_size=``).

A page size is a whole number from 1 to ``MAX_PAGE_SIZE``; anything else is refused with the
message below (a 400), never served at another size nor left to the paginator (``per_page=0``
divided by zero, ``per_page=-1`` was a 500). Exports are not pages: they carry every
filtered row whatever the size.

And how many rows a list holds (``CountingPaginator``): exact unless counting would take
longer than a reader should wait.

This module imports nothing of DRF's: ``api_defaults`` (which DRF imports while it loads)
uses it.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .sql import StatementCancelled, local_settings

# The most rows one page of a list page or an API list may hold.
MAX_PAGE_SIZE = 1000


def page_size(raw: str | None, *, default: int) -> int:
    """The page size asked for by the query parameter's value ``raw`` (``default`` when it
    is absent or empty); raises ``ValidationError`` when it is not a whole number from 1 to
    ``MAX_PAGE_SIZE``."""
    if raw is None or raw == "":
        return default
    try:
        size = int(raw)
    except (TypeError, ValueError):
        size = None
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError(
            _("Give a whole number of rows per page from 1 to %(max)d."),
            code="page_size",
            params={"max": MAX_PAGE_SIZE},
        )
    return size


def _queryset(rows) -> QuerySet | None:
    """The queryset behind what a paginator pages: itself (the API), or the one behind
    django-tables2's rows (``BoundRows.data.data``, the list pages)."""
    if isinstance(rows, QuerySet):
        return rows
    data = getattr(getattr(rows, "data", None), "data", None)
    return data if isinstance(data, QuerySet) else None


def _expected_seconds(queryset: QuerySet, *, bounded_seconds: float, bound: int) -> float:
    """How long counting every row of ``queryset`` should take, judged from the time the
    count up to ``bound`` + 1 took (``bounded_seconds``) and PostgreSQL's estimate of the
    rows (``EXPLAIN``, no execution: a few ms): counting N rows costs about N / (bound +
    1) times counting bound + 1 of them the same way. An estimate too low only costs the
    wait it did before (the count is tried, and cancelled at the timeout). Elsewhere 0."""
    if queryset.db and connections[queryset.db].vendor != "postgresql":
        return 0.0
    plan = json.loads(queryset.order_by().explain(format="json"))
    rows = plan[0]["Plan"]["Plan Rows"]
    return bounded_seconds * max(rows, bound + 1) / (bound + 1)


def searched(queryset: QuerySet) -> QuerySet:
    """``queryset`` as a searched list (``AgreementQuerySet.search``,
    ``InstitutionQuerySet.search``): its count past the bound is exact only within
    UNIBRIDGE_SEARCH_COUNT_SECONDS (``count_seconds``). Kept on the query, so by every
    filter, order and slice applied after the search."""
    queryset.query.count_as_search = True
    return queryset


def count_seconds(queryset: QuerySet) -> float:
    """How long counting every row of ``queryset`` past the bound may take:
    UNIBRIDGE_COUNT_SECONDS, or less for a searched list (``searched``): a reader who
    searched for a word in most of the register wants the first rows at once, and would
    wait for an exact count of 450,000 of them about a second (issue 18)."""
    budget = settings.UNIBRIDGE_COUNT_SECONDS
    if getattr(queryset.query, "count_as_search", False):
        budget = min(budget, settings.UNIBRIDGE_SEARCH_COUNT_SECONDS)
    return budget


def _count_in_time(queryset: QuerySet, *, bounded_seconds: float, bound: int) -> int | None:
    """Every row of ``queryset`` counted within ``count_seconds``, else None; None at
    once when the count is expected to take longer (``_expected_seconds``)."""
    budget = count_seconds(queryset)
    if not budget:
        return None
    if _expected_seconds(queryset, bounded_seconds=bounded_seconds, bound=bound) > budget:
        return None
    timeout = f"{max(1, round(budget * 1000))}ms"
    try:
        with local_settings(queryset.db, statement_timeout=timeout):
            return queryset.count()
    except StatementCancelled:
        return None


class CountingPaginator(Paginator):
    """Django's paginator, whose count never holds a reader for long. The rows are counted
    up to ``UNIBRIDGE_COUNT_BOUND`` + 1 first (a ``LIMIT``: milliseconds, and the only
    query of most lists); past the bound, PostgreSQL counts them all if it can within
    ``count_seconds`` (UNIBRIDGE_COUNT_SECONDS; less for a search), else
    ``count_is_exact`` is False and the count is the
    bound + 1 (pages say "more than 10,000 results", the API's ``count_exact`` is false).
    A search matching most of a 500,000-agreement register took 10-16 s to count
    exactly, its page 2 ms (issue 18). A count expected to take longer than that
    (``_expected_seconds``: at the pace of the bounded count, for as many rows as the
    planner estimates) is not tried: the reader is not kept waiting for a timeout. Pages
    past the counted rows are out of reach: the reader narrows the filters. Other
    databases (SQLite) count exactly past the bound.
    ``UNIBRIDGE_COUNT_SECONDS = 0`` stops every count at the bound (on any database)."""

    _exact = True

    @property
    def count_is_exact(self) -> bool:
        self.count  # noqa: B018 (counting decides it)
        return self._exact

    @cached_property
    def count(self) -> int:
        queryset = _queryset(self.object_list)
        if queryset is None:
            return len(self.object_list)
        bound = settings.UNIBRIDGE_COUNT_BOUND
        started = time.perf_counter()
        count = queryset.order_by()[: bound + 1].count()
        if count > bound:
            bounded_seconds = time.perf_counter() - started
            exact = _count_in_time(queryset, bounded_seconds=bounded_seconds, bound=bound)
            self._exact = exact is not None
            if self._exact:
                count = exact
        table_data = getattr(self.object_list, "data", None)
        if getattr(table_data, "data", None) is queryset:
            table_data._length = count  # django-tables2 would count the rows again for len()
        return count

    def page(self, number):
        if self.count_is_exact:
            return super().page(number)
        # Django's would end the last page at the count: a page of rows past the bound
        # would be cut short. The rows are there; only how many is not known.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)

    @property
    def count_bound(self) -> int:
        """What the count is "more than" when it is not exact."""
        return self.count - 1
