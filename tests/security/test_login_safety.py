"""Login throttling behind a reverse proxy, API tokens that expire and die with the password."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cooperation.roles import MINISTRY_EDITOR

from .helpers import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
PROXY = "10.0.0.2"  # the TLS proxy in front of gunicorn


def login_from(client_address: str, password: str, *, via=PROXY, forwarded: str | None = None):
    """A login to the admin as the proxy passes it on: from the proxy's address, with the
    client's address appended to X-Forwarded-For."""
    header = f"{forwarded}, {client_address}" if forwarded else client_address
    return Client(REMOTE_ADDR=via, HTTP_X_FORWARDED_FOR=header).post(
        reverse("admin:login"), {"username": "victim", "password": password, "next": "/admin/"}
    )


@pytest.fixture
def victim():
    user = User.objects.create_user("victim", "v@example.org", "right-password-42")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def behind_proxy(settings):
    settings.UNIBRIDGE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    return settings


def lock_out(address: str, settings, **kwargs) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login_from(address, "wrong", **kwargs)
    assert login_from(address, "right-password-42", **kwargs).status_code == 429


# --------------------------------------------------------------------------- axes and proxies


def test_behind_a_trusted_proxy_one_locked_out_client_does_not_lock_out_the_others(
    victim, behind_proxy
):
    lock_out("203.0.113.5", behind_proxy)
    assert login_from("198.51.100.7", "right-password-42").status_code == 302


def test_without_the_setting_every_client_behind_the_proxy_is_one_address(victim, settings):
    settings.UNIBRIDGE_TRUSTED_PROXIES = []
    lock_out("203.0.113.5", settings)
    assert login_from("198.51.100.7", "right-password-42").status_code == 429


def test_a_client_cannot_escape_the_lock_by_writing_its_own_forwarded_header(victim, behind_proxy):
    lock_out("203.0.113.5", behind_proxy)
    # The proxy appends the real address after whatever the client sent.
    response = login_from("203.0.113.5", "right-password-42", forwarded="192.0.2.99")
    assert response.status_code == 429


def test_a_forwarded_header_from_an_untrusted_address_is_ignored(victim, behind_proxy):
    lock_out("203.0.113.5", behind_proxy, via="198.18.0.1")
    # Same direct client, another address claimed: still the same (locked) client.
    assert login_from("192.0.2.1", "right-password-42", via="198.18.0.1").status_code == 429


def test_a_malformed_trusted_proxy_setting_stops_the_start():
    from tests.security.test_safety import run_manage

    result = run_manage("check", env={"UNIBRIDGE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"})
    assert result.returncode != 0
    assert "UNIBRIDGE_TRUSTED_PROXIES" in result.stderr


# --------------------------------------------------------------------------- token expiry


def token_client(token: Token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def editor():
    return make_user("editor", MINISTRY_EDITOR)


def age(token: Token, days: int) -> Token:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=days))
    token.refresh_from_db()
    return token


def test_a_fresh_token_works_and_an_expired_one_is_401_with_a_reason(editor, settings):
    settings.UNIBRIDGE_TOKEN_TTL_DAYS = 30
    token = Token.objects.create(user=editor)
    assert token_client(age(token, 29)).get("/api/agreements/").status_code == 200
    response = token_client(age(token, 31)).post("/api/sources/", {"title": "x"})
    assert response.status_code == 401
    assert "Token expired" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Token")
    assert token_client(token).get("/api/agreements/").status_code == 401


def test_with_a_lifetime_of_zero_tokens_never_expire(editor, settings):
    settings.UNIBRIDGE_TOKEN_TTL_DAYS = 0
    token = age(Token.objects.create(user=editor), 3650)
    assert token_client(token).get("/api/agreements/").status_code == 200


def test_asking_for_a_token_again_replaces_an_expired_one(settings):
    settings.UNIBRIDGE_TOKEN_TTL_DAYS = 30
    user = User.objects.create_user("api-user", "a@example.org", "right-password-42")
    old = age(Token.objects.create(user=user), 40)
    response = APIClient().post(
        "/api/auth/token/", {"username": "api-user", "password": "right-password-42"}
    )
    assert response.status_code == 200
    assert response.json()["token"] != old.key
    assert token_client(Token.objects.get(user=user)).get("/api/agreements/").status_code == 200
    # a token still valid is handed out again, unchanged
    again = APIClient().post(
        "/api/auth/token/", {"username": "api-user", "password": "right-password-42"}
    )
    assert again.json()["token"] == response.json()["token"]


# --------------------------------------------------------------------------- revocation


def test_a_new_password_revokes_the_users_tokens(editor):
    token = Token.objects.create(user=editor)
    other = Token.objects.create(user=make_user("bystander", MINISTRY_EDITOR))
    editor.set_password("a-brand-new-password-7")
    editor.save()
    assert not Token.objects.filter(pk=token.pk).exists()
    assert token_client(token).get("/api/agreements/").status_code == 401
    assert Token.objects.filter(pk=other.pk).exists()


def test_a_password_changed_in_the_admin_revokes_the_tokens(editor, admin_client_logged):
    token = Token.objects.create(user=editor)
    response = admin_client_logged.post(
        reverse("admin:auth_user_password_change", args=[editor.pk]),
        {"password1": "a-brand-new-password-7", "password2": "a-brand-new-password-7"},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()


def test_a_password_set_by_the_one_time_link_revokes_the_tokens(editor):
    from accounts.services import users_password_link

    token = Token.objects.create(user=editor)
    client = Client()
    path = users_password_link(user=editor).split("://", 1)[1].split("/", 1)[1]
    form_url = client.get("/" + path, follow=True).redirect_chain[-1][0]
    new = "a-brand-new-password-7"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    assert not Token.objects.filter(pk=token.pk).exists()


def test_an_unusable_password_revokes_the_tokens(editor):
    token = Token.objects.create(user=editor)
    editor.set_unusable_password()
    editor.save()
    assert not Token.objects.filter(pk=token.pk).exists()


def test_saving_other_fields_or_rehashing_at_login_keeps_the_tokens(settings):
    user = User.objects.create_user("steady", "s@example.org", "right-password-42")
    token = Token.objects.create(user=user)
    user.email = "new@example.org"
    user.save()
    # A stronger hasher arrives: the next login re-hashes the same password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    request = RequestFactory().post("/admin/login/")
    assert authenticate(request, username="steady", password="right-password-42") is not None
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    assert Token.objects.filter(pk=token.pk).exists()
