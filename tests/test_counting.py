"""How many rows a list holds (cooperation.paging.CountingPaginator): exact while it can be
counted quickly; past ``UNIBRIDGE_COUNT_SECONDS`` the count stops at
``UNIBRIDGE_COUNT_BOUND`` and every channel says so the same way: the page "More than N
results", the API ``count`` N + 1 with ``count_exact`` false (issue 18: a search matching
most of a 500,000-agreement register took 10-16 s to count, its page 2 ms)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement
from cooperation.paging import CountingPaginator
from tests.factories import InstitutionFactory, agreement_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    almaty = InstitutionFactory(name="Almaty University")
    baku = InstitutionFactory(name="Baku University", country="AZ")
    return [agreement_between(almaty, baku, is_public=True) for _ in range(5)]


def channels(client, **query):
    page = client.get("/agreements/", query).content.decode()
    api = client.get("/api/agreements/", query).json()
    return page, api


def test_a_count_within_the_bound_is_exact_everywhere(client, settings, register):
    settings.UNIBRIDGE_COUNT_SECONDS = 0  # every count bounded: the bound alone decides
    settings.UNIBRIDGE_COUNT_BOUND = 5
    page, api = channels(client)
    assert "5 results" in page
    assert "More than" not in page
    assert (api["count"], api["count_exact"], len(api["results"])) == (5, True, 5)


def test_a_count_past_the_bound_says_more_than_on_the_page_and_the_api(client, settings, register):
    settings.UNIBRIDGE_COUNT_SECONDS = 0
    settings.UNIBRIDGE_COUNT_BOUND = 3
    page, api = channels(client)
    assert "More than 3 results" in page
    assert "narrow the search or the filters" in page
    # The rows themselves are all there to read, page by page.
    assert (api["count"], api["count_exact"]) == (4, False)
    assert len(api["results"]) == 5
    # A filter that brings the rows under the bound makes the count exact again.
    page, api = channels(client, q=register[0].title)
    assert (api["count"], api["count_exact"]) == (1, True)
    assert "1 result" in page and "More than" not in page


def test_the_directory_and_its_api_count_the_same_way(client, settings, register):
    settings.UNIBRIDGE_COUNT_SECONDS = 0
    settings.UNIBRIDGE_COUNT_BOUND = 1
    page = client.get("/institutions/").content.decode()
    api = client.get("/api/institutions/").json()
    assert "More than 1 result" in page
    assert (api["count"], api["count_exact"]) == (2, False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a statement timeout: PostgreSQL")
def test_a_count_too_slow_to_finish_stops_at_the_bound(settings, register):
    # Each row costs 20 ms to test, so an exact count of 5 rows takes 100 ms: past 30 ms
    # it is cancelled (or, expected to take longer, not even tried) and the rows are
    # counted up to the bound instead.
    slow = Agreement.objects.extra(where=["pg_sleep(0.02) IS NOT NULL"]).order_by("pk")
    settings.UNIBRIDGE_COUNT_SECONDS = 0.03
    settings.UNIBRIDGE_COUNT_BOUND = 2
    paginator = CountingPaginator(slow, 2)
    assert (paginator.count, paginator.count_is_exact) == (3, False)
    assert [row.pk for row in paginator.page(1)] == [row.pk for row in register[:2]]
    # The cancelled statement left the transaction usable, and the timeout was its own.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert Agreement.objects.count() == 5
    # Given the time, the same rows are counted exactly.
    settings.UNIBRIDGE_COUNT_SECONDS = 5
    paginator = CountingPaginator(slow, 2)
    assert (paginator.count, paginator.count_is_exact) == (5, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_a_count_expected_to_take_too_long_is_not_tried(settings, register):
    # Counting 3 rows took 30 ms or more; for as many rows as the planner expects (3 or
    # more) the exact count would take longer than the 20 ms it may: it is not even tried,
    # so the reader does not wait for the timeout, and the answer says "more than 2".
    slow = Agreement.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"]).order_by("pk")
    settings.UNIBRIDGE_COUNT_SECONDS = 0.02
    settings.UNIBRIDGE_COUNT_BOUND = 2
    with CaptureQueriesContext(connection) as queries:
        paginator = CountingPaginator(slow, 2)
        assert (paginator.count, paginator.count_is_exact) == (3, False)
    sent = [query["sql"] for query in queries.captured_queries]
    assert not any("statement_timeout" in sql for sql in sent)
    assert [sql.split()[0] for sql in sent] == ["SELECT", "EXPLAIN"]
    # The register itself, counted at its pace, is counted exactly.
    settings.UNIBRIDGE_COUNT_SECONDS = 5
    paginator = CountingPaginator(Agreement.objects.order_by("pk"), 2)
    assert (paginator.count, paginator.count_is_exact) == (5, True)


def test_a_searched_list_waits_less_for_its_exact_count(client, settings, register):
    """A search (the register's and the directory's ``q``) is counted exactly past the
    bound only within UNIBRIDGE_SEARCH_COUNT_SECONDS: the same rows unsearched are counted
    exactly, searched they are "more than" the bound, on the page and in the API alike."""
    settings.UNIBRIDGE_COUNT_SECONDS = 5
    settings.UNIBRIDGE_SEARCH_COUNT_SECONDS = 0
    settings.UNIBRIDGE_COUNT_BOUND = 3
    page, api = channels(client)
    assert (api["count"], api["count_exact"]) == (5, True)
    page, api = channels(client, q="Almaty")
    assert (api["count"], api["count_exact"]) == (4, False)
    assert "More than 3 results" in page
    directory = client.get("/api/institutions/", {"q": "university"}).json()
    assert (directory["count"], directory["count_exact"]) == (2, True)  # under the bound
    settings.UNIBRIDGE_COUNT_BOUND = 1
    directory = client.get("/api/institutions/", {"q": "university"}).json()
    assert (directory["count"], directory["count_exact"]) == (2, False)
    # Given the time, the search is counted exactly.
    settings.UNIBRIDGE_SEARCH_COUNT_SECONDS = 5
    page, api = channels(client, q="Almaty")
    assert (api["count"], api["count_exact"]) == (5, True)
