"""Accounts on the public site: who is signed in and in which role, log out (POST), a login
page in the site's design that returns to where the user was, a way home from the API docs."""

import pytest
from django.test import Client
from django.urls import reverse

from cooperation.roles import MINISTRY_EDITOR
from tests.security.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    user = make_user("aigerim", MINISTRY_EDITOR)
    user.first_name, user.last_name = "Aigerim", "Sadykova"
    user.save()
    return user


def test_the_header_names_the_user_and_their_role_with_a_log_out_button(client, editor):
    client.force_login(editor)
    page = client.get(reverse("agreements:agreement_list") + "?status=signed").content.decode()
    assert "Aigerim Sadykova" in page
    assert "ministry editor" in page
    assert f'<form action="{reverse("logout")}" method="post">' in page
    assert '<input type="hidden" name="next" value="/agreements/?status=signed">' in page
    assert ">Log in<" not in page


def test_a_signed_in_user_without_a_role_is_not_offered_to_log_in(client):
    client.force_login(make_user("reader"))
    page = client.get(reverse("dashboard")).content.decode()
    assert "reader" in page and ">Log out<" in page and ">Log in<" not in page


def test_log_in_link_keeps_the_page_and_its_filters(client):
    page = client.get(reverse("events:event_list") + "?country=AZ&kind=forum").content.decode()
    assert f'href="{reverse("login")}?next=/events/%3Fcountry%3DAZ%26kind%3Dforum"' in page


def test_login_page_in_the_site_design_returns_to_the_page(client, editor):
    editor.set_password("a long pass phrase")
    editor.save()
    page = client.get(reverse("login"), {"next": "/agreements/?status=signed"})
    assert page.status_code == 200
    assert [t.name for t in page.templates][:2] == ["accounts/login.html", "base.html"]
    assert 'value="/agreements/?status=signed"' in page.content.decode()
    response = client.post(
        reverse("login"),
        {
            "username": "aigerim",
            "password": "a long pass phrase",
            "next": "/agreements/?status=signed",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/agreements/?status=signed"


def test_login_never_sends_the_user_to_another_site(client, editor):
    editor.set_password("a long pass phrase")
    editor.save()
    for unsafe in ("https://evil.example.org/", "//evil.example.org/", "javascript:alert(1)"):
        response = Client().post(
            reverse("login"),
            {"username": "aigerim", "password": "a long pass phrase", "next": unsafe},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard"), unsafe


def test_a_wrong_password_is_said_on_the_login_page(client, editor):
    response = client.post(reverse("login"), {"username": "aigerim", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_log_out_is_a_post_and_returns_to_the_page(client, editor):
    client.force_login(editor)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"), {"next": "/events/?country=AZ"})
    assert response["Location"] == "/events/?country=AZ"
    assert ">Log in<" in client.get("/events/").content.decode()
    client.force_login(editor)
    away = client.post(reverse("logout"), {"next": "https://evil.example.org/"})
    assert away["Location"] == reverse("dashboard")


def test_pages_send_anonymous_visitors_to_the_site_login_when_public_read_is_off(client, settings):
    settings.UNIBRIDGE_PUBLIC_READ = False
    response = client.get("/events/?country=AZ")
    assert response["Location"] == f"{reverse('login')}?next=/events/%3Fcountry%3DAZ"
    assert client.get(response["Location"]).status_code == 200


def test_roles_are_listed_beside_the_name(client, editor):
    from django.contrib.auth.models import Group

    editor.groups.add(Group.objects.get(name="analyst"))  # several groups, added by hand
    client.force_login(editor)
    assert "ministry editor, analyst" in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_api_docs_link_home(client, name):
    page = client.get(reverse(name)).content.decode()
    assert f'<a href="{reverse("dashboard")}">' in page
