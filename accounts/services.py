"""Writes on accounts: keeping the role groups in step with the models, creating users and
assigning roles, the one-time link that lets a user set their password."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cooperation import readers
from cooperation.roles import ROLES, UNIVERSITY_EDITOR, role_permissions
from universities.models import Institution, InstitutionEditor


def roles_sync(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> None:
    """Create the four role groups and give each exactly the permissions of the matrix
    (``cooperation.roles.role_permissions``): permissions it should not hold are taken
    away, new ones given. Idempotent. ``apps`` may be a migration state's registry."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(permission_model.objects.using(using).select_related("content_type"))
    for role in ROLES:
        group, _created = group_model.objects.using(using).get_or_create(name=role)
        group.permissions.set(role_permissions(role, permissions))


def roles_sync_after_migrate(
    sender, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs
) -> None:
    """Receiver of ``post_migrate`` (and of every test flush), sent once to ``accounts``.

    Django creates each app's permissions in that app's own ``post_migrate``; this one must
    not depend on being called after all of them, so it creates every app's permissions
    first (idempotent: only missing ones are inserted), then syncs the groups."""
    try:
        permission_model = apps.get_model("auth", "Permission")
        apps.get_model("auth", "Group")
    except LookupError:  # auth is not migrated on this database (yet)
        return
    if not router.allow_migrate_model(using, permission_model):
        return
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
    roles_sync(using=using, apps=apps)


@transaction.atomic
def users_assign_role(*, user, role: str, institutions: Iterable[Institution] = ()) -> None:
    """Give ``user`` one role, replacing any other. Staff status follows from the role group
    (``accounts.signals.staff_with_a_role``: every role works in the back office). A
    university editor must be linked to at least one institution, or they could edit
    nothing."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose among {', '.join(ROLES)}.")
    institutions = list(institutions)
    if role == UNIVERSITY_EDITOR and not institutions:
        raise ValueError("A university editor needs at least one institution.")
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(Group.objects.get(name=role))
    InstitutionEditor.objects.filter(user=user).exclude(institution__in=institutions).delete()
    for institution in institutions:
        InstitutionEditor.objects.get_or_create(user=user, institution=institution)
    readers.forget(user)  # what the user object held for the request


@transaction.atomic
def users_create(
    *,
    username: str,
    email: str,
    role: str,
    institutions: Iterable[Institution] = (),
    password: str | None = None,
):
    """Create an active user holding ``role`` (see ``users_assign_role``), all or nothing.
    Without ``password`` the user has none yet and sets it through
    ``users_password_link``; a given password must pass the password validators."""
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_active=True)
    user.set_unusable_password()
    validate_email(email)
    user.full_clean(exclude=["password"])
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    try:
        users_assign_role(user=user, role=role, institutions=institutions)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return user


def password_generate() -> str:
    """A random password of 20 characters, for a user who is told it once."""
    return secrets.token_urlsafe(15)


def users_password_link(*, user, base_url: str | None = None) -> str:
    """The one-time address where ``user`` sets a new password (Django's password-reset
    token): it stops working once a password is set, when the user logs in again, or after
    ``PASSWORD_RESET_TIMEOUT`` (3 days). ``base_url``: the site's address, by default
    ``UNIBRIDGE_SITE_URL``."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return (base_url or settings.UNIBRIDGE_SITE_URL).rstrip("/") + path
