"""Issue 15's "done when": the names people type find what they expect, in the directory
(page and API), in search everywhere and in a signing session's matcher, on SQLite and
PostgreSQL alike, on the register loaded from the reference data (../shared/data)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from universities.matching import NameMatcher
from universities.models import Institution
from universities.services import UNIVERSITIES_CSV, institutions_load_reference, read_csv

pytestmark = pytest.mark.django_db

FARABI = "Al-Farabi Kazakh National University"
ENU = "L. N. Gumilyov Eurasian National University"
ATYRAU_OIL = "Atyrau University of Oil and Gas"

EXPECTED = {
    "KazNU": FARABI,
    "КазНУ": FARABI,
    "казну": FARABI,
    "ЕНУ": ENU,
    "Атырау мұнай": ATYRAU_OIL,
}


@pytest.fixture
def reference():
    institutions_load_reference(read_csv(UNIVERSITIES_CSV))


@pytest.mark.parametrize(("written", "name"), EXPECTED.items())
def test_a_common_name_finds_its_institution_everywhere(client, reference, written, name):
    expected = Institution.objects.get(name=name)
    # The directory's API: the institution first.
    rows = APIClient().get("/api/institutions/", {"q": written}).json()["results"]
    assert rows and rows[0]["id"] == expected.pk, (written, [r["name"] for r in rows])
    # The directory page lists it.
    html = client.get(reverse("universities:institution_list"), {"q": written}).content.decode()
    assert expected.get_absolute_url() in html
    # Search everywhere (the header's box): first among institutions.
    groups = APIClient().get("/api/search/", {"q": written}).json()["groups"]
    [institutions] = [group for group in groups if group["key"] == "institutions"]
    assert institutions["results"][0]["url"] == expected.get_absolute_url()
    # A signing session's matcher.
    match = NameMatcher.from_register().match(written)
    assert match.candidates and match.candidates[0].institution_id == expected.pk


def test_the_university_of_arts_comes_after_kaznu(client, reference):
    """ "KazNU" is also the start of the University of Arts' acronym (KazNUA): the directory
    lists it too, after Al-Farabi; the matcher never takes it for KazNU."""
    rows = APIClient().get("/api/institutions/", {"q": "KazNU"}).json()["results"]
    assert rows[0]["name"] == FARABI
    match = NameMatcher.from_register().match("KazNU")
    assert all("Arts" not in candidate.name for candidate in match.candidates[:1])


def test_a_generic_word_finds_its_spellings_in_every_language(reference):
    """ "мұнай" (oil, Kazakh) finds the English "Oil", the Russian "нефти" and the
    Azerbaijani "Neft" (universities.models.same_word_spellings, the matcher's data); a
    place or a person's name is searched as written."""
    found = set(Institution.objects.search("мұнай").values_list("name", flat=True))
    assert ATYRAU_OIL in found
    assert {name for name in found if "Oil" in name or "Neft" in name} == found
    assert set(Institution.objects.search("oil").values_list("name", flat=True)) == found
