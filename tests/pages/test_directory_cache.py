"""The public directory is served from the cache until the register changes, and every
kind of write shows on the next request (cooperation.register_cache).

In production the generation goes up when a write's transaction commits. Each test here
runs inside one transaction that never commits, so ``commit`` makes those raises happen
at once, as a commit would; ``test_an_uncommitted_change_is_read_live`` checks the other
case (the writing connection reads around the cache until it commits).
"""

import re

import pytest
from django.test import Client

from agreements.models import Agreement, Party
from agreements.services import agreements_bulk_create
from cooperation import generations
from cooperation.models import RegisterGeneration
from tests.factories import InstitutionFactory, InstitutionNameFactory, agreement_between
from universities.choices import InstitutionNameKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def commit(monkeypatch):
    """Writes count as committed: the generation goes up at once."""
    monkeypatch.setattr(
        generations.transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


URL = "/institutions/"


def counts(client, name: str) -> list[int]:
    """Partners and agreements of the one institution found by ``name``."""
    html = client.get(URL, {"q": name}).content.decode()
    return [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', html)]


@pytest.fixture
def register():
    kaznu = InstitutionFactory(name="Al-Farabi Kazakh National University")
    ada = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    bsu = InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    agreement = agreement_between(kaznu, ada)
    return {"kaznu": kaznu, "ada": ada, "bsu": bsu, "agreement": agreement}


def test_a_repeated_page_costs_one_query_and_is_the_same(register, django_assert_num_queries):
    client = Client()
    first = client.get(URL, {"q": "Farabi"})
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the register generation
        second = client.get(URL, {"q": "Farabi"})
    assert counts(client, "Farabi") == [1, 1]
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", second.content) == strip.sub(b"", first.content)


def test_each_reader_gets_a_working_csrf_token_from_a_cached_page(register):
    Client().get(URL)  # cached by another reader
    client = Client(enforce_csrf_checks=True)
    html = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "@@" not in token
    response = client.post(
        "/i18n/setlang/", {"language": "ru", "next": URL, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_another_language_and_another_address_are_other_pages(register):
    client = Client()
    assert "Institutions" in client.get(URL).content.decode()
    russian = client.get(URL, headers={"accept-language": "ru"}).content.decode()
    assert 'lang="ru"' in russian
    assert counts(client, "ADA") == [1, 1]


def _new_agreement(register):
    agreement_between(register["kaznu"], register["bsu"])


def _hide(register):
    register["agreement"].is_public = False
    register["agreement"].save()


def _draft(register):
    register["agreement"].status = "draft"
    register["agreement"].save()


def _remove_party(register):
    Party.objects.get(institution=register["ada"]).delete()


def _delete_agreements(register):
    Agreement.objects.all().delete()  # a queryset delete: cascades to the parties


def _session(register):
    result = agreements_bulk_create(
        event=None,
        rows=[{"parties": [register["kaznu"].pk, register["bsu"].pk]}],
        defaults={"kind": "exchange", "signed_on": "2026-04-06"},
    )
    assert result.saved


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (_new_agreement, [2, 2]),
        (_session, [2, 2]),  # bulk inserts: no signals, an explicit bump
        (_hide, [0, 0]),
        (_draft, [0, 0]),
        (_remove_party, [0, 1]),
        (_delete_agreements, [0, 0]),
    ],
)
def test_every_write_shows_on_the_next_request(register, write, expected):
    client = Client()
    assert counts(client, "Farabi") == [1, 1]
    write(register)
    assert counts(client, "Farabi") == expected


def test_names_show_and_are_found_on_the_next_request(register):
    client = Client()
    assert "Renamed" not in client.get(URL).content.decode()
    assert counts(client, "КазНУ") == []
    register["kaznu"].name = "Al-Farabi Kazakh National University (Renamed)"
    register["kaznu"].save()
    assert "Renamed" in client.get(URL).content.decode()
    InstitutionNameFactory(
        institution=register["kaznu"], name="КазНУ", kind=InstitutionNameKind.ACRONYM
    )
    assert counts(client, "КазНУ") == [1, 1]


def test_readers_who_see_more_skip_the_cache(register, superuser):
    register["agreement"].is_public = False
    register["agreement"].save()
    Client().get(URL, {"q": "Farabi"})  # the public page, cached
    staff = Client()
    staff.force_login(superuser)
    assert counts(staff, "Farabi") == [1, 1]
    assert counts(Client(), "Farabi") == [0, 0]
    generation = RegisterGeneration.objects.get().number
    assert generation >= 1


def test_an_uncommitted_change_is_read_live(register, monkeypatch):
    monkeypatch.undo()  # the real on_commit: the raise waits for a commit that never comes
    client = Client()
    assert counts(client, "Farabi") == [1, 1]
    generation = RegisterGeneration.objects.get().number
    agreement_between(register["kaznu"], register["bsu"])
    assert counts(client, "Farabi") == [2, 2]
    assert RegisterGeneration.objects.get().number == generation
