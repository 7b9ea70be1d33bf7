"""Names shown in the reader's language, and lists sorted by what they show (issue 15)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from cooperation.collation import sort_key
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    ParticipationFactory,
    PersonFactory,
)
from universities.models import Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def institutions():
    first = InstitutionFactory(name="Alpha University")
    InstitutionNameFactory(institution=first, name="Яблоко университеті", language="kk")
    InstitutionNameFactory(institution=first, name="Яблочный университет", language="ru")
    second = InstitutionFactory(name="Zeta University")
    InstitutionNameFactory(institution=second, name="Әлем университеті", language="kk")
    InstitutionNameFactory(institution=second, name="Университет Зета", language="ru")
    third = InstitutionFactory(name="Omega Institute")
    InstitutionNameFactory(institution=third, name="Институт Омега", language="ru")
    fourth = InstitutionFactory(name="Baku Engineering University", country="AZ")
    InstitutionNameFactory(institution=fourth, name="Bakı Mühəndislik Universiteti", language="az")
    fifth = InstitutionFactory(name="Caspian University", country="AZ")
    InstitutionNameFactory(institution=fifth, name="Çəmən Universiteti", language="az")
    return [first, second, third, fourth, fifth]


def _listed(client, language: str) -> list[str]:
    client.cookies["django_language"] = language
    html = client.get(reverse("universities:institution_list")).content.decode()
    return [
        re.sub(r"<[^>]+>", "", name)
        for name in re.findall(r'href="/institutions/\d+/">(.+?)</a>', html)
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # Kazakh: the Kazakh label, else the Russian one; Cyrillic first, Ә before И (its
        # code point sorts it after Я).
        (
            "kk",
            [
                "Әлем университеті",
                "Институт Омега",
                "Яблоко университеті",
                "Baku Engineering University",
                "Caspian University",
            ],
        ),
        (
            "ru",
            [
                "Институт Омега",
                "Университет Зета",
                "Яблочный университет",
                "Baku Engineering University",
                "Caspian University",
            ],
        ),
        # Azerbaijani: the Azerbaijani label, else the English name; C before Ç.
        (
            "az",
            [
                "Alpha University",
                "Bakı Mühəndislik Universiteti",
                "Çəmən Universiteti",
                "Omega Institute",
                "Zeta University",
            ],
        ),
        (
            "en",
            [
                "Alpha University",
                "Baku Engineering University",
                "Caspian University",
                "Omega Institute",
                "Zeta University",
            ],
        ),
    ],
)
def test_directory_shows_and_sorts_by_the_name_in_the_readers_language(
    client, institutions, language, expected
):
    listed = _listed(client, language)
    assert listed == expected
    assert listed == sorted(listed, key=lambda name: sort_key(name, language))
    # The profile, the page heading and the directory say the same.
    with translation.override(language):
        shown = {i.localized_name() for i in Institution.objects.prefetch_related("names")}
        annotated = set(
            Institution.objects.with_display_name().values_list("display_name", flat=True)
        )
    assert shown == annotated == set(expected)


def test_directory_sorts_descending_by_the_name_shown(client, institutions):
    client.cookies["django_language"] = "kk"
    html = client.get(reverse("universities:institution_list"), {"sort": "-name"}).content.decode()
    listed = re.findall(r'href="/institutions/\d+/">([^<]+)</a>', html)
    assert listed == sorted(listed, key=lambda name: sort_key(name, "kk"), reverse=True)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("ru", "Рашад Мамедов"),
        ("kk", "Рашад Мамедов"),
        ("en", "Rashad Mamedov"),
        ("az", "Rashad Mamedov"),
    ],
)
def test_a_person_shows_by_their_local_name_in_a_language_of_its_script(client, language, shown):
    person = PersonFactory(name="Rashad Mamedov", name_local="Рашад Мамедов")
    event = ParticipationFactory(person=person, event=EventFactory()).event
    client.cookies["django_language"] = language
    html = client.get(event.get_absolute_url()).content.decode()
    assert f"<strong>{shown}</strong>" in html
    with translation.override(language):
        assert person.localized_name() == shown
