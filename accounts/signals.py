"""Rules on user accounts that must hold however a user is changed (admin, services,
``changepassword``, the shell): a role means staff status; a new password revokes the
user's API tokens."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from cooperation.roles import ROLES

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts_staff_with_a_role")
def staff_with_a_role(sender, instance, action, reverse, pk_set, using, **kwargs) -> None:
    """Every role works in the back office: a user put in a role group becomes staff, from
    either side of the relation (``user.groups.add``, ``group.user_set.add``, the admin's
    user form). Leaving a role does not take staff status away (a superuser has none)."""
    if action != "post_add" or not pk_set:
        return
    if reverse:  # ``instance`` is the group, ``pk_set`` the users
        if instance.name in ROLES:
            User.objects.using(using).filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
        return
    if instance.is_staff:
        return
    if Group.objects.using(using).filter(pk__in=pk_set, name__in=ROLES).exists():
        instance.is_staff = True
        instance.save(update_fields=["is_staff"])


@receiver(pre_save, sender=User, dispatch_uid="accounts_tokens_die_with_the_password")
def tokens_die_with_the_password(sender, instance, raw, using, update_fields, **kwargs) -> None:
    """A new password revokes every API token of the user: whoever learnt the old password
    may have taken a token with it. Caught here, on the save, so the admin's password form,
    the set-password link, ``changepassword`` and ``set_password()`` in code all count, and
    so does ``set_unusable_password()``. Django re-hashes a password at login when the
    hasher's cost goes up; that save changes the hash, not the password (Django marks it by
    leaving ``_password`` empty, as for its own ``password_changed`` validators), and keeps
    the tokens."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if getattr(instance, "_password", None) is None and instance.has_usable_password():
        return  # not set_password(): a re-hash at login, or another field saved
    old = User.objects.using(using).filter(pk=instance.pk).values_list("password", flat=True)
    if old.first() in (None, instance.password):
        return
    Token.objects.using(using).filter(user_id=instance.pk).delete()


def connect_readers_generation() -> None:
    """Every committed change to who a reader is raises the readers' generation
    (``cooperation.generations``), so that no worker keeps using an old copy of a user,
    their API tokens, permissions, roles or institutions (``cooperation.readers``); the
    sessions raise it themselves (``accounts.sessions``)."""
    from django.contrib.auth.models import Permission
    from django.db.models.signals import post_delete, post_save

    from cooperation.generations import bump_readers
    from universities.models import InstitutionEditor

    for model in (User, Group, Permission, InstitutionEditor, Token):
        for signal in (post_save, post_delete):
            signal.connect(bump_readers, sender=model, dispatch_uid=f"readers_{signal}_{model}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(bump_readers, sender=through, dispatch_uid=f"readers_m2m_{through}")
