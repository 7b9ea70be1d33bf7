"""Agreements of one title are told apart wherever they are listed: the parties beside the
title, and a renewal says what it renews (Agreement.parties_display, renewal_display)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    agreement_between,
)

pytestmark = pytest.mark.django_db

TITLE = "Memorandum of understanding"


@pytest.fixture
def three():
    kaznu = InstitutionFactory(name="Al-Farabi Kazakh National University", country="KZ")
    InstitutionNameFactory(institution=kaznu, name="КазНУ им. аль-Фараби", language="ru")
    ada = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    bsu = InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    forum = EventFactory(title="Forum of Rectors")
    first = agreement_between(
        kaznu, ada, title=TITLE, event=forum, signed_on=datetime.date(2020, 5, 4),
        valid_from=datetime.date(2020, 5, 4), valid_until=datetime.date(2025, 5, 3),
    )  # fmt: skip
    other = agreement_between(kaznu, bsu, title=TITLE, event=forum)
    renewal = agreement_between(kaznu, ada, title=TITLE, event=forum, renews=first)
    return {"kaznu": kaznu, "forum": forum, "first": first, "other": other, "renewal": renewal}


def items(html: str) -> list[str]:
    """The text of each agreement item of a page, tags removed."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", li).strip() for li in re.findall(r"<li>(.*?)</li>", html, re.S)
    ]


def test_event_page_shows_parties_and_renewals(client, three, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = client.get(three["forum"].get_absolute_url()).content.decode()
    listed = [text for text in items(page) if text.startswith(TITLE)]
    assert len(listed) == 3
    assert any(
        "Al-Farabi Kazakh National University (KZ); Baku State University (AZ)" in t for t in listed
    )
    [renewal] = [t for t in listed if "renewal of" in t]
    assert "Al-Farabi Kazakh National University (KZ); ADA University (AZ)" in renewal
    assert f"renewal of “{TITLE}” (May 4, 2020)" in renewal
    assert f'href="{three["first"].get_absolute_url()}"' in page


def test_parties_are_named_in_the_reader_language(client, three):
    with translation.override("ru"):
        page = client.get(
            three["forum"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru"
        ).content.decode()
    assert "КазНУ им. аль-Фараби (KZ); ADA University (AZ)" in page
    assert "продление" in page


def test_profile_lists_tell_them_apart(client, three):
    page = client.get(three["kaznu"].get_absolute_url()).content.decode()
    assert "Al-Farabi Kazakh National University (KZ); Baku State University (AZ)" in page
    assert f"renewal of “{TITLE}”" in page


def test_register_says_what_a_renewal_renews(client, three):
    page = client.get(reverse("agreements:agreement_list")).content.decode()
    assert page.count(f"renewal of “{TITLE}”") == 1


def test_admin_changelist_shows_parties_beside_the_title(
    client, three, django_assert_max_num_queries
):
    client.force_login(get_user_model().objects.create_superuser("boss", "b@example.org", "pw"))
    with django_assert_max_num_queries(25):
        page = client.get(reverse("admin:agreements_agreement_changelist")).content.decode()
    assert page.count("Al-Farabi Kazakh National University (KZ); ADA University (AZ)") == 2
    assert page.count(f"renewal of “{TITLE}” (May 4, 2020)") == 1
