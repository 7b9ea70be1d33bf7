"""Text filters find Cyrillic and Azerbaijani words in any case, on SQLite as on PostgreSQL
(issue 15): pages, API and admin search alike, outside institution names too."""

import pytest
from django.urls import reverse

from cooperation.text import casefold
from tests.factories import EventFactory, PersonFactory, ScholarshipProgrammeFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    return {
        "source": SourceFactory(
            title="Стипендия имени Гейдара Алиева",
            excerpt="Студенты-отличники получили повышенную стипендию Гейдара Алиева.",
        ),
        "person": PersonFactory(name="Rashad Mamedov", name_local="Рашад Мамедов"),
        "event": EventFactory(
            title="Торжественный приём", description="ТОРЖЕСТВЕННАЯ церемония в Баку"
        ),
        "programme": ScholarshipProgrammeFactory(
            name="İlham Əliyev təqaüd proqramı", description="Qazaxıstan tələbələri üçün"
        ),
    }


def test_casefold_folds_every_script_and_the_azerbaijani_i():
    assert casefold("ГЕЙДАРА") == casefold("гейдара") == "гейдара"
    assert casefold("ҚАЗАҚ ҰЛТТЫҚ") == "қазақ ұлттық"
    assert casefold("İlham") == casefold("ılham") == casefold("ILHAM") == "ilham"
    assert casefold("ƏLİYEV") == "əliyev"


SCHOLARSHIPS = ("mobility:scholarship_list", "/api/scholarships/", "mobility_scholarshipprogramme")
# (page, API list, admin changelist, query, record)
CASES = [
    ("cooperation:source_list", "/api/sources/", "cooperation_source", "гейдара", "source"),
    ("cooperation:source_list", "/api/sources/", "cooperation_source", "ГЕЙДАРА", "source"),
    ("events:person_list", "/api/people/", "events_person", "рашад", "person"),
    ("events:event_list", "/api/events/", "events_event", "торжественн", "event"),
    (*SCHOLARSHIPS, "ilham", "programme"),
    (*SCHOLARSHIPS, "ƏLİYEV", "programme"),
]  # fmt: skip


@pytest.mark.parametrize(("page", "api", "admin", "query", "key"), CASES)
def test_page_api_and_admin_find_the_word_in_any_case(
    client, admin_client_logged, records, page, api, admin, query, key
):
    record = records[key]
    try:
        page_url = reverse(page)
    except Exception:  # noqa: BLE001 - a register without a page of its own
        page_url = None
    if page_url:
        response = client.get(page_url, {"q": query})
        assert response.status_code == 200
        assert record.get_absolute_url() in response.content.decode()
    answer = client.get(api, {"q": query}).json()
    assert [row["id"] for row in answer["results"]] == [record.pk], (api, query)
    changelist = admin_client_logged.get(reverse(f"admin:{admin}_changelist"), {"q": query})
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [record], (admin, query)
