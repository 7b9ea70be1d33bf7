"""The register's content in the reader's language (issue 15): titles of agreements and
events, names of scholarship programmes and cities in ru, kk and az beside the English,
shown with the fallback order of cooperation.translations (kk -> ru -> en; az -> en), sorted
by what is shown and found by search, on SQLite and PostgreSQL alike."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from rest_framework.test import APIClient

from agreements.models import Agreement
from cooperation.collation import sort_key
from events.models import Event
from mobility.models import ScholarshipProgramme
from tests.base import field_errors, read_csv, token_client, user_with_permissions
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    ScholarshipProgrammeFactory,
    agreement_between,
)

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def register():
    kz = InstitutionFactory(name="Atyrau University", country="KZ", city="Atyrau")
    az = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    return {
        # A Kazakh title: shown in Kazakh.
        "kk": agreement_between(
            kz,
            az,
            title="Memorandum on oil engineering",
            title_translations={
                "ru": "Меморандум о нефтяной инженерии",
                "kk": "Мұнай инженериясы туралы меморандум",
                "az": "Neft mühəndisliyi üzrə memorandum",
            },
        ),
        # No Kazakh title: a Kazakh reader reads the Russian one.
        "ru": agreement_between(
            kz,
            az,
            title="Agreement on student exchange",
            title_translations={"ru": "Соглашение об обмене студентами"},
        ),
        # None at all: the English title for everyone.
        "en": agreement_between(kz, az, title="Protocol on recognition"),
    }


def page_titles(client, url: str, **params) -> list[str]:
    html = client.get(url, params).content.decode()
    return [
        re.sub(r"<[^>]+>", "", link)
        for link in re.findall(r'<td[^>]*><a href="/agreements/\d+/">(.+?)</a>', html)
    ]


def test_page_api_and_csv_show_the_same_title_in_kazakh_with_the_fallback(client, register):
    client.cookies["django_language"] = "kk"
    expected = {
        register["kk"].pk: "Мұнай инженериясы туралы меморандум",
        register["ru"].pk: "Соглашение об обмене студентами",  # kk -> ru
        register["en"].pk: "Protocol on recognition",  # kk -> ru -> en
    }
    # The register's table.
    assert set(page_titles(client, reverse("agreements:agreement_list"))) == set(expected.values())
    # Each detail page's heading; a title in another language than the page's says which
    # (cooperation.translations.in_its_language), in the register's table too.
    headings = {
        register["kk"].pk: "<h1>Мұнай инженериясы туралы меморандум</h1>",
        register["ru"].pk: '<h1><span lang="ru">Соглашение об обмене студентами</span></h1>',
        register["en"].pk: '<h1><span lang="en">Protocol on recognition</span></h1>',
    }
    for pk, heading in headings.items():
        html = client.get(reverse("agreements:agreement_detail", args=[pk])).content.decode()
        assert heading in html
    html = client.get(reverse("agreements:agreement_list")).content.decode()
    assert '<span lang="en">Protocol on recognition</span></a>' in html
    assert '<span lang="kk">' not in html
    # In English, the English titles are the page's language: no mark.
    client.cookies["django_language"] = "en"
    html = client.get(reverse("agreements:agreement_list")).content.decode()
    assert "Protocol on recognition</a>" in html and '<span lang="en">' not in html
    client.cookies["django_language"] = "kk"
    # The API: the English title, the translations and the one shown.
    api = APIClient()
    rows = api.get("/api/agreements/", HTTP_ACCEPT_LANGUAGE="kk").json()["results"]
    assert {row["id"]: row["localized_title"] for row in rows} == expected
    shown = next(row for row in rows if row["id"] == register["ru"].pk)
    assert shown["title"] == "Agreement on student exchange"
    assert shown["title_translations"] == {"ru": "Соглашение об обмене студентами"}
    # The page's CSV export (the API's columns) says the same.
    export = client.get(reverse("agreements:agreement_list"), {"_export": "csv"})
    header, *lines = read_csv(export)
    column = header.index("localized_title")
    assert {int(line[0]): line[column] for line in lines} == expected
    # An Azerbaijani reader falls back to English, never to Russian.
    rows = api.get("/api/agreements/", HTTP_ACCEPT_LANGUAGE="az").json()["results"]
    assert {row["id"]: row["localized_title"] for row in rows} == {
        register["kk"].pk: "Neft mühəndisliyi üzrə memorandum",
        register["ru"].pk: "Agreement on student exchange",
        register["en"].pk: "Protocol on recognition",
    }


def test_register_events_and_scholarships_sort_by_the_title_shown_in_russian(client, register):
    client.cookies["django_language"] = "ru"
    url = reverse("agreements:agreement_list")
    shown = page_titles(client, url, sort="title")
    assert shown == [
        "Меморандум о нефтяной инженерии",
        "Соглашение об обмене студентами",
        "Protocol on recognition",
    ]
    assert page_titles(client, url, sort="-title") == shown[::-1]

    EventFactory(title="Alpha forum", title_translations={"ru": "Форум Яблоко"})
    EventFactory(title="Zeta forum", title_translations={"ru": "Форум Арбуз"})
    EventFactory(title="Omega forum")
    html = client.get(reverse("events:event_list"), {"sort": "title"}).content.decode()
    events = [
        re.sub(r"<[^>]+>", "", title)
        for title in re.findall(r'<td[^>]*><a href="/events/\d+/">(.+?)</a>', html)
    ]
    assert events == ["Форум Арбуз", "Форум Яблоко", "Omega forum"]

    ScholarshipProgrammeFactory(name="Alpha grant", name_translations={"ru": "Стипендия Я"})
    ScholarshipProgrammeFactory(name="Zeta grant", name_translations={"ru": "Стипендия А"})
    html = client.get(reverse("mobility:scholarship_list")).content.decode()  # by name
    programmes = [
        re.sub(r"<[^>]+>", "", name)
        for name in re.findall(r'<a href="/mobility/scholarships/\d+/">(.+?)</a>', html)
    ]
    assert programmes == ["Стипендия А", "Стипендия Я"]
    assert programmes == sorted(programmes, key=lambda name: sort_key(name, "ru"))


def test_search_finds_a_kazakh_title_in_any_case(client, register):
    """The register's ?q= (page and API), the events' and the scholarships' search, search
    everywhere and the admin all read the translations; on PostgreSQL through the trigram
    indexes, as the English titles."""
    event = EventFactory(title="Oil forum", title_translations={"kk": "Мұнай форумы"})
    programme = ScholarshipProgrammeFactory(
        name="Oil grant", name_translations={"kk": "Мұнай грантын"}
    )
    api = APIClient()
    for query in ("мұнай", "МҰНАЙ инженериясы", "Мұнай Atyrau"):
        found = api.get("/api/agreements/", {"q": query}).json()["results"]
        assert [row["id"] for row in found] == [register["kk"].pk], query
    assert api.get("/api/agreements/", {"q": "мұнай exchange"}).json()["count"] == 0
    client.cookies["django_language"] = "kk"
    assert page_titles(client, reverse("agreements:agreement_list"), q="инженериясы") == [
        "Мұнай инженериясы туралы меморандум"
    ]
    found = api.get("/api/events/", {"q": "мұнай"}).json()["results"]
    assert [row["id"] for row in found] == [event.pk]
    found = api.get("/api/scholarships/", {"q": "МҰНАЙ"}).json()["results"]
    assert [row["id"] for row in found] == [programme.pk]

    groups = {
        group["key"]: [result["label"] for result in group["results"]]
        for group in client.get("/api/search/", {"q": "мұнай"}).json()["groups"]
    }
    assert groups["agreements"] == ["Мұнай инженериясы туралы меморандум"]
    assert groups["events"] == ["Мұнай форумы"]
    assert groups["scholarships"] == ["Мұнай грантын"]


def test_the_admin_searches_lists_and_edits_the_translations(client, superuser, register):
    client.force_login(superuser)
    client.cookies["django_language"] = "kk"
    changelist = reverse("admin:agreements_agreement_changelist")
    html = client.get(changelist, {"q": "мұнай"}).content.decode()
    assert "Мұнай инженериясы туралы меморандум" in html
    assert "Соглашение об обмене студентами" not in html
    html = client.get(changelist).content.decode()
    assert "Соглашение об обмене студентами" in html  # the list shows the kk -> ru title

    agreement = register["en"]
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    client.cookies["django_language"] = "en"
    form = client.get(url).content.decode()
    for label in ("Title (Русский)", "Title (Қазақ)", "Title (Azərbaycanca)"):
        assert label in form
    data = admin_form_data(form)
    data.update(title_kk="Тану туралы хаттама", title_az="  ")
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    agreement.refresh_from_db()
    assert agreement.title_translations == {"kk": "Тану туралы хаттама"}


def admin_form_data(html: str) -> dict:
    """The values a browser would send back from an admin change form."""
    data = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("submit", "file", "checkbox")):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for tag in re.findall(r"<input[^>]+checked[^>]*>", html):
        data[re.search(r'name="([^"]+)"', tag).group(1)] = "on"
    for name, attrs, body in re.findall(
        r'<select name="([^"]+)"([^>]*)>(.*?)</select>', html, re.S
    ):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        if selected or "multiple" not in attrs:
            data[name] = selected.group(1) if selected else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body.strip()
    return {key: value.replace("&quot;", '"').replace("&amp;", "&") for key, value in data.items()}


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ({"de": "Memorandum"}, "de"),
        ({"kk": 5}, "kk"),
        (["ru", "Меморандум"], "object"),
        ({"ru": "я" * 501}, "501"),
    ],
)
def test_the_api_refuses_translations_outside_the_languages_naming_the_field(
    register, translations, message
):
    api = token_client(user_with_permissions("editor", Agreement, ["change"]))
    agreement = register["en"]
    response = api.patch(
        f"/api/agreements/{agreement.pk}/", {"title_translations": translations}, format="json"
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert list(errors) == ["/title_translations"], errors
    assert message in errors["/title_translations"][0]
    agreement.refresh_from_db()
    assert agreement.title_translations == {}


def test_the_api_writes_translations_of_events_and_programmes():
    api = token_client(user_with_permissions("editor", Event, ["add", "change"]))
    event = EventFactory()
    response = api.patch(
        f"/api/events/{event.pk}/",
        {"title_translations": {"az": "Rektorlar forumu"}, "city_translations": {"az": "Almatı"}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="az",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["localized_title"] == "Rektorlar forumu"
    assert response.json()["localized_city"] == "Almatı"
    api = token_client(user_with_permissions("grants", ScholarshipProgramme, ["change"]))
    programme = ScholarshipProgrammeFactory()
    response = api.patch(
        f"/api/scholarships/{programme.pk}/",
        {"name_translations": {"ru": "Квота", "xx": "?"}},
        format="json",
    )
    assert response.status_code == 400
    assert list(field_errors(response)) == ["/name_translations"]


def test_the_schema_documents_the_translations():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for component, field in (
        ("Agreement", "title_translations"),
        ("Event", "title_translations"),
        ("Event", "city_translations"),
        ("ScholarshipProgramme", "name_translations"),
        ("Institution", "city_translations"),
    ):
        described = schema[component]["properties"][field]
        assert described["type"] == "object"
        assert set(described["properties"]) == {"ru", "kk", "az"}
        assert described["additionalProperties"] is False
    assert schema["Agreement"]["properties"]["localized_title"]["readOnly"] is True


def test_cities_are_shown_filtered_and_sorted_in_the_readers_language(client):
    from universities.services import city_translations

    atyrau = InstitutionFactory(
        name="Atyrau University", city="Atyrau", city_translations=city_translations("KZ", "Atyrau")
    )
    karaganda = InstitutionFactory(
        name="Karaganda University",
        city="Karaganda",
        city_translations=city_translations("KZ", "Karaganda"),
    )
    assert karaganda.city_translations["kk"] == "Қарағанды"
    client.cookies["django_language"] = "kk"
    html = client.get(karaganda.get_absolute_url()).content.decode()
    assert "<dd>Қарағанды</dd>" in html
    found = APIClient().get("/api/institutions/", {"city": "қарағанды"}).json()["results"]
    assert [row["id"] for row in found] == [karaganda.pk]
    html = client.get(reverse("universities:institution_list"), {"sort": "city"}).content.decode()
    cities = re.findall(r'data-label="Қала">([^<]+)</td>', html)
    assert cities == ["Атырау", "Қарағанды"]  # Kazakh alphabet: А ... Қ
    assert atyrau.localized_city("az") == "Atırau"


def test_a_renewal_under_the_same_title_keeps_its_translations(register):
    from cooperation.roles import MINISTRY_EDITOR
    from tests.security.helpers import api_client, make_user

    ministry = api_client(make_user("ministry", MINISTRY_EDITOR))
    original = register["kk"]
    url = f"/api/agreements/{original.pk}/renew/"
    same = ministry.post(url, {"valid_from": "2030-04-06", "version": 1}, HTTP_ACCEPT_LANGUAGE="kk")
    assert same.status_code == 201, same.data
    assert same.data["title_translations"] == original.title_translations
    assert same.data["localized_title"] == "Мұнай инженериясы туралы меморандум"
    # The register says what a renewal renews in the reader's language too.
    renewal = Agreement.objects.get(pk=same.data["id"])
    with translation.override("kk"):
        assert "Мұнай инженериясы туралы меморандум" in renewal.renewal_display
        html = APIClient().get(reverse("agreements:agreement_list"), HTTP_ACCEPT_LANGUAGE="kk")
        html = html.content.decode()
    assert escape(renewal.renewal_display) in html


def test_the_api_orders_by_the_title_shown_as_the_pages_sort(
    client, register, django_assert_max_num_queries
):
    """``ordering=title`` is the pages' ``?sort=title`` (cooperation.translations.
    localized_order): by the title shown in the reader's language, in its alphabet."""
    api = APIClient()
    client.cookies["django_language"] = "ru"
    page = page_titles(client, reverse("agreements:agreement_list"), sort="title")
    with django_assert_max_num_queries(12):
        rows = api.get("/api/agreements/", {"ordering": "title"}, HTTP_ACCEPT_LANGUAGE="ru").json()[
            "results"
        ]
    assert [row["localized_title"] for row in rows] == page
    rows = api.get("/api/agreements/", {"ordering": "-title"}, HTTP_ACCEPT_LANGUAGE="ru").json()
    assert [row["localized_title"] for row in rows["results"]] == page[::-1]
    # Kazakh: kk, else ru, else English, in the Kazakh alphabet; the same on the page.
    client.cookies["django_language"] = "kk"
    page = page_titles(client, reverse("agreements:agreement_list"), sort="title")
    rows = api.get("/api/agreements/", {"ordering": "title"}, HTTP_ACCEPT_LANGUAGE="kk").json()
    assert [row["localized_title"] for row in rows["results"]] == page
    assert page == [
        "Мұнай инженериясы туралы меморандум",
        "Соглашение об обмене студентами",
        "Protocol on recognition",
    ]

    EventFactory(title="Alpha forum", title_translations={"ru": "Форум Яблоко"})
    EventFactory(title="Zeta forum", title_translations={"ru": "Форум Арбуз"})
    rows = api.get("/api/events/", {"ordering": "title"}, HTTP_ACCEPT_LANGUAGE="ru").json()
    assert [row["title"] for row in rows["results"]] == ["Zeta forum", "Alpha forum"]
    ScholarshipProgrammeFactory(name="Alpha grant", name_translations={"ru": "Стипендия Я"})
    ScholarshipProgrammeFactory(name="Zeta grant", name_translations={"ru": "Стипендия А"})
    rows = api.get("/api/scholarships/", {"ordering": "-name"}, HTTP_ACCEPT_LANGUAGE="ru").json()
    assert [row["name"] for row in rows["results"]] == ["Alpha grant", "Zeta grant"]
    # A field without translations orders as before.
    rows = api.get("/api/agreements/", {"ordering": "-id"}).json()["results"]
    assert [row["id"] for row in rows] == sorted((a.pk for a in register.values()), reverse=True)
