"""Roles stay in step with the permissions after every migrate, and a user given a role can
work: staff status follows the role, ``create_user`` and the admin hand out a one-time
set-password link, the admin pages the README promises each role open for it."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.services import roles_sync_after_migrate, users_assign_role
from agreements.models import Agreement
from cooperation.roles import (
    ADMINISTRATOR,
    ANALYST,
    MINISTRY_EDITOR,
    ROLES,
    UNIVERSITY_EDITOR,
    role_permissions,
)
from tests import factories as f

from .helpers import admin_form_data, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def group_codenames(role: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def matrix_codenames(role: str) -> set[str]:
    permissions = Permission.objects.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in role_permissions(role, permissions)}


def admin_login(client: Client, username: str, password: str):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


# ----------------------------------------------------------------------- the groups


@pytest.mark.parametrize("role", ROLES)
def test_after_migrate_each_role_group_holds_exactly_the_matrix(role):
    assert group_codenames(role) == matrix_codenames(role)


def test_the_administrator_may_revoke_tokens_and_see_lockouts_after_migrate():
    held = group_codenames(ADMINISTRATOR)
    assert {"authtoken.delete_tokenproxy", "axes.view_accessattempt"} <= held
    assert "agreements.view_expirynotice" in group_codenames(MINISTRY_EDITOR)


def test_a_permission_added_later_is_given_by_the_next_migrate():
    permission = Permission.objects.create(
        content_type=ContentType.objects.get_for_model(Agreement),
        codename="audit_agreement",
        name="Can audit agreement",
    )
    call_command("migrate", verbosity=0, interactive=False)
    assert permission in Group.objects.get(name=ADMINISTRATOR).permissions.all()
    assert permission in Group.objects.get(name=MINISTRY_EDITOR).permissions.all()
    assert permission not in Group.objects.get(name=ANALYST).permissions.all()


def test_the_sync_creates_missing_permissions_of_every_app_before_giving_them():
    """Whatever order the apps' post_migrate receivers run in, the roles get every app's
    permissions: the accounts receiver creates them itself first."""
    Permission.objects.filter(codename__in=["view_expirynotice", "view_accessattempt"]).delete()
    roles_sync_after_migrate(sender=apps.get_app_config("accounts"), using="default", apps=apps)
    assert "agreements.view_expirynotice" in group_codenames(ANALYST)
    assert "axes.view_accessattempt" in group_codenames(ADMINISTRATOR)


def test_a_permission_a_role_should_not_hold_is_taken_away():
    group = Group.objects.get(name=ANALYST)
    group.permissions.add(Permission.objects.get(codename="delete_agreement"))
    call_command("migrate", verbosity=0, interactive=False)
    assert "agreements.delete_agreement" not in group_codenames(ANALYST)


# ----------------------------------------------------------------------- staff status and login


@pytest.mark.parametrize("role", [ANALYST, MINISTRY_EDITOR, ADMINISTRATOR])
def test_a_user_given_a_role_logs_in_to_the_admin(role):
    user = User.objects.create_user("newcomer", "n@example.org", "long-enough-pw-42")
    users_assign_role(user=user, role=role)
    client = Client()
    response = admin_login(client, "newcomer", "long-enough-pw-42")
    assert response.status_code == 302, response.content[:500]
    assert client.get("/admin/").status_code == 200


def test_ticking_a_role_group_in_the_admin_user_form_makes_the_user_staff(admin_client_logged):
    user = User.objects.create_user("editor", "e@example.org", "long-enough-pw-42")
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = admin_form_data(admin_client_logged.get(url))
    joined = data.pop("date_joined")  # a split date and time widget
    data.update(date_joined_0=joined[:10], date_joined_1=joined[11:19])
    data["groups"] = [str(Group.objects.get(name=MINISTRY_EDITOR).pk)]
    data.pop("is_staff", None)  # the administrator forgets "staff status"
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    user.refresh_from_db()
    assert user.is_staff
    assert admin_login(Client(), "editor", "long-enough-pw-42").status_code == 302


def test_adding_users_to_a_role_group_from_the_group_side_makes_them_staff():
    user = User.objects.create_user("via-group", "g@example.org", "pw")
    Group.objects.get(name=ANALYST).user_set.add(user)
    user.refresh_from_db()
    assert user.is_staff


def test_a_group_that_is_not_a_role_gives_no_staff_status():
    user = User.objects.create_user("plain", "p@example.org", "pw")
    user.groups.add(Group.objects.create(name="newsletter"))
    user.refresh_from_db()
    assert not user.is_staff


# ----------------------------------------------------------------------- admin pages per role

ADMIN_PAGES = {
    "expiry alerts": "admin:agreements_expirynotice_changelist",
    "agreements": "admin:agreements_agreement_changelist",
    "users": "admin:auth_user_changelist",
    "groups": "admin:auth_group_changelist",
    "tokens": "admin:authtoken_tokenproxy_changelist",
    "lockouts": "admin:axes_accessattempt_changelist",
    "institution links": "admin:universities_institutioneditor_changelist",
}
REACHES = {
    ADMINISTRATOR: set(ADMIN_PAGES),
    MINISTRY_EDITOR: {"expiry alerts", "agreements"},
    UNIVERSITY_EDITOR: {"agreements"},
    ANALYST: {"agreements"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_admin_pages_the_readme_promises(role):
    institutions = [f.InstitutionFactory()] if role == UNIVERSITY_EDITOR else []
    user = make_user("member", role, institutions=institutions)
    client = Client()
    client.force_login(user)
    reached = {
        page for page, name in ADMIN_PAGES.items() if client.get(reverse(name)).status_code == 200
    }
    assert reached == REACHES[role]


# ----------------------------------------------------------------------- create_user, links


def run_create_user(*args: str) -> str:
    out = StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def link_path(output: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/set-password/[\w-]+/[\w-]+/)", output)
    assert match, output
    return match.group(1)


def test_create_user_prints_a_one_time_link_that_sets_the_password():
    output = run_create_user("aliya", "aliya@example.org", "--role", "ministry-editor")
    user = User.objects.get(username="aliya")
    assert user.is_staff and not user.has_usable_password()
    assert user.groups.filter(name=MINISTRY_EDITOR).exists()
    client = Client()
    form_url = client.get(link_path(output), follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Steppe-and-Caspian-7", "new_password2": "Steppe-and-Caspian-7"}
    )
    assert response.status_code == 302
    assert "Your password is set" in client.get(response.url).content.decode()
    assert admin_login(Client(), "aliya", "Steppe-and-Caspian-7").status_code == 302
    # the link worked once
    again = Client().get(link_path(output), follow=True)
    assert "does not work any more" in again.content.decode()


def test_create_user_with_password_prints_a_generated_one_that_logs_in():
    output = run_create_user("kamran", "kamran@example.org", "--role", "analyst", "--password")
    password = re.search(r"Password \(shown once.*\): (\S+)", output).group(1)
    assert len(password) >= 16
    assert admin_login(Client(), "kamran", password).status_code == 302


def test_create_user_links_a_university_editor_to_institutions_by_id_or_ror():
    first = f.InstitutionFactory(ror_id="05nmhtv58")
    second = f.InstitutionFactory()
    run_create_user(
        "dana",
        "dana@example.org",
        "--role",
        "university editor",
        "--institution",
        "https://ror.org/05nmhtv58",
        "--institution",
        str(second.pk),
    )
    user = User.objects.get(username="dana")
    assert set(user.institution_links.values_list("institution", flat=True)) == {
        first.pk,
        second.pk,
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["x", "x@example.org", "--role", "boss"], "Unknown role"),
        (["x", "x@example.org", "--role", "university editor"], "at least one institution"),
        (["x", "x@example.org", "--role", "analyst", "--institution", "999999"], "No institution"),
        (["x", "not-an-address", "--role", "analyst"], "email"),
        (["admin", "a@example.org", "--role", "analyst"], "username"),
    ],
)
def test_create_user_refuses_bad_input_and_creates_nothing(superuser, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError, match=f"(?i){message}"):
        run_create_user(*args)
    assert User.objects.count() == before


def test_admin_action_shows_a_set_password_link(admin_client_logged):
    user = make_user("forgetful", MINISTRY_EDITOR)
    response = admin_client_logged.post(
        reverse("admin:auth_user_changelist"),
        {"action": "print_password_link", "_selected_action": [user.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Set-password link for forgetful" in text
    assert Client().get(link_path(text), follow=True).context["validlink"]


def test_an_administrator_gets_no_link_for_a_superuser(superuser):
    administrator = make_user("boss", ADMINISTRATOR)
    client = Client()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "print_password_link", "_selected_action": [superuser.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "only a superuser may get their link" in text
    assert "/accounts/set-password/" not in text


def test_the_set_password_link_opens_with_public_read_off(settings):
    settings.UNIBRIDGE_PUBLIC_READ = False
    output = run_create_user("newcomer", "n@example.org", "--role", "analyst")
    response = Client().get(link_path(output), follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]
