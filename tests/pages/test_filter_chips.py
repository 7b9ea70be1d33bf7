"""The active filters above a list, each a link to the same list without it (issue 16)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import agreement_between
from universities.models import Institution

pytestmark = pytest.mark.django_db


def chips(html: str) -> list[tuple[str, str]]:
    """(text, link) of each chip, as a reader sees and follows them."""
    found = re.findall(r'<a class="chip" href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    return [
        (" ".join(unescape(re.sub(r"<[^>]+>|×|\(remove\)", " ", text)).split()), unescape(href))
        for href, text in found
    ]


def test_the_register_lists_each_active_filter_with_a_link_without_it(client):
    response = client.get(
        "/agreements/",
        {
            "q": "Farabi",
            "kind": ["memorandum", "dual_degree"],
            "partner_country": "AZ",
            "signed_after": "",
        },
    )
    assert response.status_code == 200
    assert chips(response.content.decode()) == [
        ("Search: Farabi", "?kind=memorandum&kind=dual_degree&partner_country=AZ"),
        ("Kind: Memorandum of understanding", "?q=Farabi&kind=dual_degree&partner_country=AZ"),
        ("Kind: Dual degree agreement", "?q=Farabi&kind=memorandum&partner_country=AZ"),
        (
            "A party is an institution of this country: Azerbaijan",
            "?q=Farabi&kind=memorandum&kind=dual_degree",
        ),
    ]
    html = response.content.decode()
    assert 'href="?">Clear all</a>' in html
    # On paper the same filters are stated, with the date.
    assert "Filters: Search: Farabi; Kind: Memorandum of understanding;" in html


def test_a_country_pair_from_a_link_and_a_refused_value_are_chips_too(client):
    html = client.get(
        "/institutions/", {"country_pair": "kz,az", "founded_year_min": "abc", "sort": "name"}
    ).content.decode()
    assert chips(html) == [
        ("Founded in or after: abc", "?country_pair=kz%2Caz&sort=name"),
        (
            "Of one of these two countries, with an agreemen…: Kazakhstan – Azerbaijan",
            "?founded_year_min=abc&sort=name",
        ),
    ]
    # The picker shows both countries of the pair picked.
    assert re.search(r'<option value="KZ" selected>', html)
    assert re.search(r'<option value="AZ" selected>', html)


def test_no_filter_no_chip_and_the_printout_says_so(client):
    html = client.get("/events/", {"view": "timeline"}).content.decode()
    assert chips(html) == []
    assert "Filters: none (every row)." in html


def test_yes_no_filters_read_as_words(client):
    kaznu = Institution.objects.create(name="KazNU", country="KZ")
    ada = Institution.objects.create(name="ADA", country="AZ")
    agreement_between(kaznu, ada)
    html = client.get("/agreements/", {"in_force": "true"}).content.decode()
    assert chips(html) == [
        (
            "In force today (signed or in effect, started, n…: Yes",
            "?",
        )
    ]


def test_chips_cost_no_query(client, settings):
    """A chip's words come from the form's choices, never from the database: the page
    costs as many queries with three chips as with one."""
    settings.UNIBRIDGE_PAGE_CACHE_SECONDS = 0  # every request draws the page
    counts = []
    for query, chip_count in (
        ({"country": "KZ"}, 1),
        ({"country": ["KZ", "AZ"], "partner_country": "AZ"}, 3),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/institutions/", query)
        counts.append(len(queries))
        assert len(chips(response.content.decode())) == chip_count
    assert counts[0] == counts[1]


def test_a_date_chip_reads_as_the_readers_language_writes_dates(client):
    """A date from a link (ISO 8601) or typed in the local form is shown as the reader's
    language writes it; one the filter refuses, as typed (issue 15)."""
    client.cookies["django_language"] = "ru"
    html = client.get("/agreements/", {"signed_after": "2010-01-31"}).content.decode()
    assert [text for text, _link in chips(html)] == ["Подписано не ранее: 31.01.2010 (убрать)"]
    html = client.get("/agreements/", {"signed_after": "31.01.2010"}).content.decode()
    assert [text for text, _link in chips(html)] == ["Подписано не ранее: 31.01.2010 (убрать)"]
    html = client.get("/agreements/", {"signed_after": "2010-02-31"}).content.decode()
    assert [text for text, _link in chips(html)] == ["Подписано не ранее: 2010-02-31 (убрать)"]
    client.cookies["django_language"] = "en"
    html = client.get("/agreements/", {"signed_after": "31.01.2010"}).content.decode()
    assert [text for text, _link in chips(html)] == ["Signed on or after: 2010-01-31"]
