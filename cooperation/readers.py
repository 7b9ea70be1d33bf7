"""Who a signed-in reader is, read from the database once per change, not once per request
(issue 18: a signed-in page served from the cache cost six queries where an anonymous one
cost one).

A signed-in request needs the user (their row: name, flags, password hash for the session
check), their permissions, their roles (groups) and, for a university editor, their
institutions: the agreements they read, the header's menu and role labels, the API's
permission checks all ask. Those change rarely; each worker keeps them in its own memory
(the ``readers`` cache, never shared: it holds password hashes) under the readers'
generation (``cooperation.generations``), which every committed change to any of them
raises (``accounts.signals``), and which every request reads from the database. So a
worker never answers with rights older than the last commit, whatever it keeps.

Nothing is kept while the request's own connection holds an uncommitted change to a reader
(a test's transaction, a view that changes a role and reads it back): then everything is
read from the database, as Django would.

The single place the access is read: ``access(user)``, used by the authentication backend
(``accounts.backends.ReaderBackend``: permissions), ``cooperation.roles`` (roles) and
``agreements.visibility`` (institutions). ``kept()`` keeps the user (the backend's
``get_user``) and an API token with its user (``accounts.authentication``) the same way;
the session, read before either, is kept likewise by ``accounts.sessions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches

from . import generations

_PLAIN = ModelBackend()  # Django's own reading of permissions, on a miss


@dataclass(frozen=True)
class Access:
    permissions: frozenset[str]  # "app_label.codename", the user's and their groups'
    roles: frozenset[str]  # the names of their groups
    institutions: tuple[int, ...]  # the institutions they edit (sorted ids)


NOBODY = Access(frozenset(), frozenset(), ())


def _store():
    return caches["readers"]


def keeps() -> bool:
    """Whether what is kept may be used now: within a request (whose numbers are read
    before anything it keeps), with no uncommitted change to a reader on its connection."""
    return generations.in_request() and not generations.readers_pending()


def _key(kind: str, user_id) -> str:
    return f"{kind}:{generations.current().readers}:{user_id}"


def _read(user) -> Access:
    link = apps.get_model("universities", "InstitutionEditor")
    return Access(
        permissions=frozenset(_PLAIN.get_all_permissions(user)),
        roles=frozenset(user.groups.values_list("name", flat=True)),
        institutions=tuple(
            sorted(link.objects.filter(user=user).values_list("institution_id", flat=True))
        ),
    )


def access(user) -> Access:
    """``user``'s permissions, roles and institutions; nothing for a visitor or an inactive
    user. Kept on the user object for the request (``forget`` after changing them in it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    found = getattr(user, "_unibridge_access", None)
    if found is None:
        found = user._unibridge_access = kept("access", user.pk, lambda: _read(user))
    return found


def forget(user) -> None:
    """Drop what the user object holds for the request (after changing their roles)."""
    for name in (
        "_unibridge_access",
        "_unibridge_scoped",
        "_unibridge_reads_all",
        "_unibridge_role_labels",
        "_perm_cache",  # Django's ModelBackend's, read again on a miss
        "_user_perm_cache",
        "_group_perm_cache",
    ):
        user.__dict__.pop(name, None)


def kept(kind: str, ident, read):
    """What ``read()`` returns (a user, a token and its user, an ``Access``), kept until
    the readers' generation changes; nothing is kept of a ``None`` or an exception."""
    if not keeps():
        return read()
    key = _key(kind, ident)
    value = _store().get(key)
    if value is None:
        value = read()
        if value is not None:
            _store().set(key, value)
    return value
