"""Who and why, for changes that have no request: management commands and batch writes.

``history_context(reason=..., user=...)`` names the change reason (and, if given, the user)
of every history row saved inside it that does not name its own, so a command's changes
read "load_demo command" on the recent-changes page and in each record's history.
``history_snapshot_m2m`` records the many-to-many values of rows written in bulk (bulk
inserts send no signals, so simple_history never sees them).
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("history_reason", default=None)
_user: contextvars.ContextVar[Any] = contextvars.ContextVar("history_user", default=None)


@contextlib.contextmanager
def history_context(*, reason: str, user: Any = None) -> Iterator[None]:
    """History rows saved inside the block carry ``reason`` (and ``user``) unless they
    name their own."""
    reason_token, user_token = _reason.set(reason), _user.set(user)
    try:
        yield
    finally:
        _reason.reset(reason_token)
        _user.reset(user_token)


def current_reason() -> str | None:
    return _reason.get()


def current_user() -> Any:
    return _user.get()


def insert_select(model: type[models.Model], columns: list[str], source: models.QuerySet) -> int:
    """``INSERT INTO model (columns) SELECT …``: rows derived by the database from
    ``source`` (a ``values_list`` of as many columns), none built in Python. Returns the
    number of rows inserted."""
    sql, params = source.query.get_compiler(using=source.db).as_sql()
    db = connections[source.db]
    qn = db.ops.quote_name
    target = ", ".join(qn(model._meta.get_field(name).column) for name in columns)
    with db.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({target}) {sql}", params)
        return cursor.rowcount


def history_snapshot_m2m(model: type[models.Model], instances: Iterable[models.Model]) -> None:
    """Attach to the latest history row of each of ``instances`` the current values of the
    model's tracked many-to-many fields (``_history_m2m_fields``), as simple_history does
    after a save. For rows whose many-to-many values were written with ``bulk_create``.
    The database copies them (one ``INSERT … SELECT`` per field and 900 rows)."""
    pks = [instance.pk for instance in instances]
    fields = getattr(model, "_history_m2m_fields", ())
    if not pks or not fields:
        return
    history_model = model.history.model
    for name in fields:
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source_name = field.m2m_field_name()
        m2m_history_model = history_model._meta.apps.get_model(
            history_model._meta.app_label, f"{history_model.__name__}_{name}"
        )
        columns = [f.attname for f in through._meta.concrete_fields]
        latest = (
            history_model.objects.filter(id=models.OuterRef(f"{source_name}_id"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        for start in range(0, len(pks), 900):
            rows = (
                through.objects.filter(**{f"{source_name}__in": pks[start : start + 900]})
                .annotate(latest_history=models.Subquery(latest))
                .filter(latest_history__isnull=False)
                .order_by()
                .values_list("latest_history", *columns)
            )
            insert_select(m2m_history_model, ["history_id", *columns], rows)


def bulk_create_with_history_sql(
    objs: list[models.Model],
    model: type[models.Model],
    *,
    user: Any = None,
    reason: str | None = None,
    batch_size: int = 1000,
) -> list[models.Model]:
    """``simple_history.utils.bulk_create_with_history`` for many rows: the rows are
    inserted by ``bulk_create`` and their "+" history rows (same values, the user, now)
    are copied by the database with ``INSERT … SELECT``, instead of being
    built as historical instances in Python (issue 7, scenario 5: 1 s of a 1,000-row
    signing session); see ``_copy_history``. Needs the primary keys back from
    ``bulk_create`` (PostgreSQL, SQLite 3.35+)."""
    created = model._default_manager.bulk_create(objs, batch_size=batch_size)
    ids = [obj.pk for obj in created]
    if ids:
        _bump_register_generation()
        _copy_history(model, ids, user=user, reason=reason, using=created[0]._state.db)
    return created


TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField"}


def _copy_text(value: Any) -> str:
    """A text value in ``COPY … FROM STDIN``'s text format (``\\N`` is NULL)."""
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _copy_json(value: Any) -> str:
    return "\\N" if value is None else _copy_text(json.dumps(value, ensure_ascii=False))


def _copy_value(value: Any) -> str:
    """Any other value: a number, a date or time stamp (``str`` writes ISO 8601, with the
    offset), a boolean (PostgreSQL reads "True"), or NULL."""
    return "\\N" if value is None else str(value)


def _encoder(field: models.Field):
    kind = field.get_internal_type()
    if kind == "JSONField":
        return _copy_json
    return _copy_text if kind in TEXT_TYPES else _copy_value


def insert_objects_with_history(
    objs: list[models.Model], model: type[models.Model], *, user: Any = None, reason: str = ""
) -> list[models.Model]:
    """``bulk_create_with_history_sql`` by ``insert_rows_with_history``: unsaved instances
    (each field's ``pre_save`` run, as ``bulk_create`` does) inserted with their history,
    by COPY on PostgreSQL; they get their primary keys and count as saved."""
    if not objs:
        return objs
    if connections[router.db_for_write(model)].vendor != "postgresql":
        return bulk_create_with_history_sql(objs, model, user=user, reason=reason)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [[field.pre_save(obj, True) for field in fields] for obj in objs]
    ids = insert_rows_with_history(
        model, [f.attname for f in fields], rows, user=user, reason=reason
    )
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = router.db_for_write(model)
    return objs


def insert_rows_with_history(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    user: Any = None,
    reason: str | None = None,
) -> list[int]:
    """Insert ``rows`` (values of ``columns``, by attname, in that order) as new records of
    ``model`` with a "+" history row each, and return their new primary keys in row order:
    ``insert_columns_with_history`` of the same values."""
    if not rows:
        return []
    values = dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True))
    return insert_columns_with_history(model, values, user=user, reason=reason)


def insert_columns_with_history(
    model: type[models.Model],
    values: Mapping[str, Sequence[Any]],
    *,
    user: Any = None,
    reason: str | None = None,
) -> list[int]:
    """Insert new records of ``model`` given by columns (each attname's values, record by
    record) with a "+" history row each, and return their new primary keys in order.

    The values must be what the columns store (text, numbers, dates, None: codes rather than
    labels, ids rather than instances); no model instance is built, no signal sent, and the
    fields' ``pre_save`` is not run, so a model whose fields compute their value on save
    (other than ``auto_now``/``auto_now_add``, filled here with one time stamp) must not be
    written this way. The other fields take their default.

    On PostgreSQL this is what the database does fastest: the keys are drawn from the
    table's sequence in one query, the rows sent by one ``COPY … FROM STDIN`` (each column
    encoded once per distinct value, the lines joined in bulk) and their history copied by
    one ``INSERT … SELECT`` (a 50,000-figure import: issue 18). Elsewhere the rows go
    through ``bulk_create_with_history_sql``. Either way the register's generation goes up
    (cached pages see the rows) and a broken constraint raises ``IntegrityError`` with
    nothing of the batch left.
    """
    given = list(values)
    size = len(values[given[0]]) if given else 0
    if not size:
        return []
    db = connections[router.db_for_write(model)]
    now = timezone.now()
    fields = {f.attname: f for f in model._meta.concrete_fields}
    extra: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra[field.attname] = now
        elif field.has_default() or not field.has_db_default():
            extra[field.attname] = field.get_default()
    if db.vendor != "postgresql":
        names = [*given, *extra]
        constants = list(extra.values())
        objs = [
            model(**dict(zip(names, [*row, *constants], strict=True)))
            for row in zip(*values.values(), strict=True)
        ]
        created = bulk_create_with_history_sql(objs, model, user=user, reason=reason)
        return [obj.pk for obj in created]
    qn = db.ops.quote_name
    table = qn(model._meta.db_table)
    pk = model._meta.pk
    names = [pk.attname, *given, *extra]
    history = _history_columns(model, names)
    with db.cursor() as cursor:
        cursor.execute(
            # The sequence named once (an init plan), not once per key: 0.2 s of 50,000.
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass) "
            "FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, size],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Each line is its values joined by tabs and ended by the constant columns; only
        # text can hold a tab, a line break or a backslash (_encoder).
        columns = [_encoded(_encoder(fields[name]), values[name]) for name in given]
        constants = "".join("\t" + _encoder(fields[name])(value) for name, value in extra.items())
        lines = list(map("\t".join, zip(map(str, ids), *columns, strict=True)))
        tail = constants + "\n"
        target = ", ".join(qn(fields[name].column) for name in names)
        with db.wrap_database_errors:  # IntegrityError, as from execute()
            cursor.copy_expert(
                f"COPY {table} ({target}) FROM STDIN", io.StringIO(tail.join(lines) + tail)
            )
        if history is not None:
            # The history rows are the same lines with the history's own columns: a second
            # COPY rather than reading the rows back (INSERT … SELECT: 0.4 s more at L).
            date, reason_text, user_id = _history_stamp(model, user=user, reason=reason)
            stamp = "\t".join(
                [_copy_value(date), _copy_text(reason_text), "+", _copy_value(user_id)]
            )
            tail = f"{constants}\t{stamp}\n"
            target = ", ".join(qn(column) for column in history[1])
            cursor.copy_expert(
                f"COPY {qn(history[0])} ({target}) FROM STDIN",
                io.StringIO(tail.join(lines) + tail),
            )
    _bump_register_generation()
    if history is None:
        _copy_history(model, ids, user=user, reason=reason, using=db.alias)
    return ids


HISTORY_STAMP = ("history_date", "history_change_reason", "history_type", "history_user_id")


def _history_columns(
    model: type[models.Model], names: Sequence[str]
) -> tuple[str, list[str]] | None:
    """The history table and its columns for a record's values by ``names`` (attnames)
    followed by ``HISTORY_STAMP``, when the history keeps exactly those fields (and its
    key is drawn by the database); None otherwise."""
    history = model.history.model
    fields = {f.attname: f for f in history._meta.concrete_fields}
    kept = {name for name in fields if not name.startswith("history_")}
    if kept != set(names) or set(fields) - kept != {"history_id", *HISTORY_STAMP}:
        return None
    if not isinstance(history._meta.pk, models.AutoField):  # a key the COPY would leave NULL
        return None
    return history._meta.db_table, [fields[name].column for name in [*names, *HISTORY_STAMP]]


def _history_stamp(
    model: type[models.Model], *, user: Any, reason: str | None
) -> tuple[Any, str | None, Any]:
    """The date, reason and user id of new history rows: the user given (else the
    request's or ``history_context``'s, as for a single save), the reason (else
    ``history_context``'s), now."""
    if user is None or not getattr(user, "is_authenticated", True):
        user = model.history.model.get_default_history_user(model())
    return (
        timezone.now(),
        (reason or current_reason() or "")[:100] or None,
        user.pk if getattr(user, "is_authenticated", False) else None,
    )


def _encoded(encode, values: Sequence[Any]) -> Sequence[str]:
    """``encode`` of every value, computed once per distinct value when the values are of
    one type (so that 1, 1.0 and True are never taken for one another) and hashable."""
    if len(set(map(type, values)) - {type(None)}) <= 1:
        try:
            distinct = {value: encode(value) for value in set(values)}
        except TypeError:  # a list or a mapping (JSON)
            pass
        else:
            return list(map(distinct.__getitem__, values))
    return [encode(value) for value in values]


def _bump_register_generation() -> None:
    """Bulk writes send no signals: cached pages and API answers must still see the rows."""
    from .register_cache import bump_register_generation  # it imports the models, as here

    bump_register_generation()


def _copy_history(
    model: type[models.Model], ids: list[int], *, user: Any, reason: str | None, using: str
) -> None:
    """The "+" history rows of the just-inserted rows ``ids``: same values, stamped by
    ``_history_stamp``; copied by the database, one ``INSERT … SELECT`` on PostgreSQL, one
    per 900 ids elsewhere (SQLite's old limit of 999 parameters)."""
    db = connections[using]
    history = model.history.model
    qn = db.ops.quote_name
    columns = ", ".join(
        qn(f.column) for f in history._meta.concrete_fields if not f.name.startswith("history_")
    )
    head = (
        f"INSERT INTO {qn(history._meta.db_table)} ({columns}, {qn('history_date')}, "
        f"{qn('history_change_reason')}, {qn('history_type')}, {qn('history_user_id')}) "
        f"SELECT {columns}, %s, %s, '+', %s FROM {qn(model._meta.db_table)} "
        f"WHERE {qn(model._meta.pk.column)} "
    )
    date, reason_text, user_id = _history_stamp(model, user=user, reason=reason)
    params = [db.ops.adapt_datetimefield_value(date), reason_text, user_id]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(head + "= ANY(%s)", [*params, ids])
            return
        for start in range(0, len(ids), 900):
            batch = ids[start : start + 900]
            cursor.execute(head + f"IN ({', '.join(['%s'] * len(batch))})", [*params, *batch])
