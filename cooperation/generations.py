"""The two numbers that say whether something kept in a worker's memory is still true, read
from the database in one statement, once per request.

- the **register generation** goes up after every committed write to the register
  (``cooperation.register_cache``: pages and API answers kept per class of reader);
- the **readers' generation** goes up after every committed change to who a reader is:
  a user saved or deleted (name, password, active, staff and superuser flags, last login),
  a group (role) or permission changed, a user put in or taken out of a group or given a
  permission, an institution linked to or unlinked from a university editor, an API
  token issued or revoked (``accounts.signals`` connects those), a session saved or
  deleted: a login, a logout (``accounts.sessions``). What is kept per reader
  (``cooperation.readers``: the session, the user, their token, permissions, roles and
  institutions; the header drawn for them) is keyed by it, so no worker answers with a
  reader's old rights after the commit that changed them, whatever its cache.

Both are read from the database on every request that uses them (never from a worker's
memory) and at most once per request: the first reader of either reads both
(``current()``). A bump forgets the request's numbers, and is run after the commit:
until then the writing connection itself skips what is kept (``register_pending`` /
``readers_pending``), so that it never caches what others cannot see yet.

After restoring a database (the numbers may go back), restart the application: the
workers' caches are in their memory.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import NamedTuple

from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models import F


class Generations(NamedTuple):
    register: int
    readers: int


# The request's numbers: None outside a request (each call reads), {} or {"value": …} in one.
_request: ContextVar[dict | None] = ContextVar("unibridge_generations", default=None)


def _start(**_kwargs) -> None:
    _request.set({})


def _finish(**_kwargs) -> None:
    _request.set(None)


request_started.connect(_start, dispatch_uid="unibridge_generations_start")
request_finished.connect(_finish, dispatch_uid="unibridge_generations_finish")


def _read() -> Generations:
    from .models import RegisterGeneration

    # A plain statement, not a queryset: read on every cached request.
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn('number')}, {qn('readers')} FROM "
            f"{qn(RegisterGeneration._meta.db_table)} WHERE {qn('id')} = 1"
        )
        row = cursor.fetchone()
    return Generations(*row) if row else Generations(0, 0)


def current() -> Generations:
    """Both numbers, read once per request (each time outside one)."""
    memo = _request.get()
    if memo is None:
        return _read()
    if "value" not in memo:
        memo["value"] = _read()
    return memo["value"]


def _forget() -> None:
    memo = _request.get()
    if memo is not None:
        memo.pop("value", None)


def _raise(field: str) -> None:
    from .models import RegisterGeneration

    if not RegisterGeneration.objects.filter(pk=1).update(**{field: F(field) + 1}):
        RegisterGeneration.objects.get_or_create(pk=1, defaults={field: 1})
    _forget()


def _raise_register() -> None:
    _raise("number")


def _raise_readers() -> None:
    _raise("readers")


def _pending(func) -> bool:
    return any(pending is func for _sids, pending, _robust in connection.run_on_commit)


def register_pending() -> bool:
    """Whether this connection holds a write to the register not committed yet."""
    return _pending(_raise_register)


def readers_pending() -> bool:
    """Whether this connection holds a change to a reader not committed yet."""
    return _pending(_raise_readers)


def bump_register(**_signal_kwargs) -> None:
    """Raise the register generation once the current transaction commits (at once outside
    one), once per transaction however many rows it writes."""
    if not register_pending():
        # robust: a failed raise is logged, never turned into an error after the commit.
        transaction.on_commit(_raise_register, robust=True)


def bump_readers(**_signal_kwargs) -> None:
    """Raise the readers' generation once the current transaction commits (at once outside
    one)."""
    if not readers_pending():
        transaction.on_commit(_raise_readers, robust=True)
