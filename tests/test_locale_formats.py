"""Numbers, dates and date inputs in the reader's format (issue 15)."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    AgreementFactory,
    EventFactory,
    ScholarshipAllocationFactory,
    ScholarshipProgrammeFactory,
)

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def _get(client, language: str, url: str, data=None) -> str:
    client.cookies["django_language"] = language
    response = client.get(url, data or {})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "places", "year"),
    [
        ("en", "1,500", "2025"),
        ("ru", f"1{NBSP}500", "2025"),
        ("kk", f"1{NBSP}500", "2025"),
        ("az", "1.500", "2025"),
    ],
)
def test_places_grouped_by_the_readers_separator_and_years_never(client, language, places, year):
    programme = ScholarshipProgrammeFactory()
    ScholarshipAllocationFactory(programme=programme, year=2025, places_offered=1500)
    html = _get(client, language, programme.get_absolute_url())
    assert f'<td class="num">{places}</td>' in html
    assert f"<td>{year}</td>" in html  # a year is not a quantity: "2 025" would be wrong


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "April 6, 2026"), ("ru", "06.04.2026"), ("kk", "06.04.2026"), ("az", "06.04.2026")],
)
def test_dates_on_pages_in_the_readers_format(client, language, shown):
    event = EventFactory(title="Forum of rectors", start_date=datetime.date(2026, 4, 6))
    html = _get(client, language, event.get_absolute_url())
    assert shown in html


@pytest.mark.parametrize("language", ["en", "ru", "kk", "az"])
@pytest.mark.parametrize("written", ["2024-03-01", "01.03.2024"])
def test_date_filters_take_the_local_form_in_every_language(client, language, written):
    early = AgreementFactory(title="Early memorandum", signed_on=datetime.date(2020, 5, 1))
    late = AgreementFactory(title="Late memorandum", signed_on=datetime.date(2025, 5, 1))
    html = _get(client, language, reverse("agreements:agreement_list"), {"signed_after": written})
    assert late.get_absolute_url() in html
    assert early.get_absolute_url() not in html
    assert 'class="errorlist' not in html


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("en", ["more than 1,000", "more than 70", "up to 333", "less than 40", "about 5"]),
        ("ru", ["более 1\xa0000", "более 70", "до 333", "менее 40", "около 5"]),
        # The number takes the ending its last word needs: мың-нан, жетпіс-тен, үш-ке.
        ("kk", ["1\xa0000-нан астам", "70-тен астам", "333-ке дейін", "40-тан кем", "шамамен 5"]),
        ("az", ["1.000-dən çox", "70-dən çox", "333-ə qədər", "40-dan az", "təxminən 5"]),
    ],
)
def test_qualified_numbers_read_in_the_readers_word_order(language, phrases):
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from cooperation.choices import Qualifier

    cases = [
        (1000, "more_than"),
        (70, "more_than"),
        (333, "up_to"),
        (40, "less_than"),
        (5, "about"),
    ]
    with translation.override(language):
        assert [Qualifier.phrase(value, qualifier) for value, qualifier in cases] == phrases
        # An exact number and a qualified one are grouped alike, as intcomma groups them.
        exact = Qualifier.phrase(12500, "exact")
        assert exact == intcomma(12500) and exact in Qualifier.phrase(12500, "at_least")
