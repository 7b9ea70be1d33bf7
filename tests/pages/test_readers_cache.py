"""Signed-in readers kept in each worker's memory (cooperation.readers, issue 18): a cached
page costs a signed-in reader the session and the generations, no more; and every change
to who a reader is shows on their next request, on the pages and the API alike: a role
taken away, a permission taken from a role, an account deactivated, a password changed,
a name changed.

As in test_register_cache.py, ``commit`` makes the generations go up at once, as the
commit of a write's transaction would; without it (the last test) nothing is kept.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.services import users_assign_role
from cooperation import generations
from cooperation.roles import ANALYST
from tests.factories import InstitutionFactory, agreement_between
from tests.security.helpers import make_user

pytestmark = pytest.mark.django_db

REGISTER, API = "/agreements/", "/api/agreements/"


@pytest.fixture
def commit(monkeypatch):
    monkeypatch.setattr(
        generations.transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture
def world(commit):
    kaznu = InstitutionFactory(name="Al-Farabi Kazakh National University")
    ada = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    agreement_between(kaznu, ada, title="Public memorandum")
    agreement_between(kaznu, ada, title="Hidden protocol", is_public=False)
    analyst = make_user("analyst", ANALYST)
    return {"analyst": analyst, "token": Token.objects.create(user=analyst).key}


def readers(world):
    """The analyst on the register page (session) and on the API (token)."""
    session = Client()
    session.force_login(world["analyst"])
    api = Client(headers={"Authorization": f"Token {world['token']}"})
    return session, api


def sees_hidden(session, api) -> tuple[bool, bool]:
    page = session.get(REGISTER)
    answer = api.get(API)
    assert page.status_code == 200 and answer.status_code == 200
    return b"Hidden protocol" in page.content, b"Hidden protocol" in answer.content


def test_a_cached_page_costs_a_signed_in_reader_what_it_costs_a_visitor(
    world, django_assert_num_queries
):
    session, api = readers(world)
    for client, url in ((session, REGISTER), (api, API), (Client(), REGISTER)):
        first = client.get(url)
        # The generations: no session, token, user, permission, role or
        # institution query, no page query.
        with django_assert_num_queries(1):
            second = client.get(url)
        assert second.status_code == first.status_code == 200
    assert b"Log out" in session.get(REGISTER).content


def test_a_logout_ends_the_session_in_every_worker(world):
    """The same session cookie in a second client (another worker, or a copy of the
    cookie): once the reader logs out in one, the other is signed out too."""
    session, _api = readers(world)
    other = Client()
    other.cookies["sessionid"] = session.cookies["sessionid"].value
    assert b"Log out" in other.get(REGISTER).content  # kept by now
    assert session.post("/accounts/logout/").status_code == 302
    page = other.get(REGISTER)
    assert b"Log out" not in page.content and b"Hidden protocol" not in page.content


def test_a_role_taken_away_shows_on_the_next_request(world):
    session, api = readers(world)
    assert sees_hidden(session, api) == (True, True)
    world["analyst"].groups.clear()
    assert sees_hidden(session, api) == (False, False)
    users_assign_role(user=world["analyst"], role=ANALYST)
    assert sees_hidden(session, api) == (True, True)


def test_a_permission_taken_from_a_role_shows_on_the_next_request(world):
    session, api = readers(world)
    assert sees_hidden(session, api) == (True, True)
    Group.objects.get(name=ANALYST).permissions.remove(
        *Group.objects.get(name=ANALYST).permissions.filter(codename="view_agreement")
    )
    assert sees_hidden(session, api) == (False, False)


def test_a_deactivated_account_is_signed_out_at_once(world):
    session, api = readers(world)
    assert sees_hidden(session, api) == (True, True)
    analyst = world["analyst"]
    analyst.is_active = False
    analyst.save()
    page = session.get(REGISTER)
    assert b"Hidden protocol" not in page.content and b"Log in" in page.content
    assert api.get(API).status_code == 401


def test_a_new_password_ends_the_sessions_and_tokens_of_the_old_one(world):
    session, api = readers(world)
    assert b"Log out" in session.get(REGISTER).content
    assert api.get(API).status_code == 200
    analyst = world["analyst"]
    analyst.set_password("a new and long password 2026")
    analyst.save()
    page = session.get(REGISTER)
    assert b"Log out" not in page.content and b"Hidden protocol" not in page.content
    assert api.get(API).status_code == 401


def test_a_revoked_token_is_refused_at_once(world):
    _session, api = readers(world)
    assert api.get(API).status_code == 200
    Token.objects.filter(user=world["analyst"]).delete()
    assert api.get(API).status_code == 401


def test_a_new_name_shows_in_the_header(world):
    session, _api = readers(world)
    assert "Aigerim" not in session.get(REGISTER).content.decode()
    analyst = world["analyst"]
    analyst.first_name, analyst.last_name = "Aigerim", "Sadykova"
    analyst.save()
    assert "Aigerim Sadykova" in session.get(REGISTER).content.decode()


def test_nothing_is_kept_while_a_change_to_a_reader_is_not_committed():
    """Without ``commit``, the test's transaction holds the users' changes uncommitted, as
    a view that changes a role and reads it back would: every request reads the reader
    from the database, and sees the change."""
    kaznu = InstitutionFactory()
    agreement_between(kaznu, InstitutionFactory(), title="Hidden protocol", is_public=False)
    analyst = make_user("analyst", ANALYST)
    assert generations.readers_pending()
    client = Client()
    client.force_login(analyst)
    assert b"Hidden protocol" in client.get(REGISTER).content
    analyst.groups.clear()
    assert b"Hidden protocol" not in client.get(REGISTER).content
