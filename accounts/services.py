"""Writes on accounts: keeping the role groups in step with the models, assigning roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from cooperation.roles import ROLES, UNIVERSITY_EDITOR, role_permissions
from universities.models import Institution, InstitutionEditor


def roles_sync(*, group_model=Group, permission_model=Permission) -> None:
    """Create the four role groups and give each exactly the permissions of the matrix
    (``cooperation.roles.role_permissions``). Idempotent."""
    permissions = list(permission_model.objects.select_related("content_type"))
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role, permissions))


def roles_sync_after_migrate(sender, using="default", **kwargs) -> None:
    # Only on the database that was migrated, and only when auth's tables are there.
    roles_sync(
        group_model=Group.objects.db_manager(using).model,
        permission_model=Permission,
    )


@transaction.atomic
def users_assign_role(*, user, role: str, institutions: Iterable[Institution] = ()) -> None:
    """Give ``user`` one role, replacing any other; staff status follows (every role works
    in the back office). A university editor must be linked to at least one institution,
    or they could edit nothing."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose among {', '.join(ROLES)}.")
    institutions = list(institutions)
    if role == UNIVERSITY_EDITOR and not institutions:
        raise ValueError("A university editor needs at least one institution.")
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    InstitutionEditor.objects.filter(user=user).exclude(institution__in=institutions).delete()
    for institution in institutions:
        InstitutionEditor.objects.get_or_create(user=user, institution=institution)
    user._unibridge_scoped = None
    user._unibridge_reads_all = None
    user._unibridge_has_institutions = None
