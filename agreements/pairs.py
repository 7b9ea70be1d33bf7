"""Keeping ``CountryPair`` (the country pairs of each agreement) right on every write.

The pairs of an agreement follow from its parties and their institutions' countries, so
they change when a party is added, changed or removed, or an institution moves to another
country. Saves and deletes through the ORM send signals, handled here in the writer's
transaction (a rolled-back write leaves no pair behind). Writes that send none must call
``refresh_country_pairs(agreement_ids)`` themselves: ``agreements_bulk_create`` (signing
sessions, spreadsheet imports, the bulk API) does; a COPY or raw SQL load calls
``rebuild_country_pairs()`` (``manage.py rebuild_country_pairs``, as bench/generate.py does),
and so must any future ``QuerySet.update()`` or ``bulk_create`` of parties or of
institutions' countries. ``loaddata`` is covered: its raw saves are refreshed once it
commits.

It also holds the lock that keeps two writers of the same institution pair apart
(``lock_institution_pairs``): the duplicate check of a signing session or an import reads
the register, so two sessions saving the same agreement at once must not both read it
before either has written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.db.transaction import TransactionManagementError

from cooperation.audit import insert_select
from universities.models import Institution

from .models import Agreement, CountryPair, Party

BATCH = 900  # ids per statement: SQLite's old limit of 999 parameters
COLUMNS = ["agreement", "country", "partner_country"]
# Advisory locks live in PostgreSQL's shared lock table (max_locks_per_transaction x
# max_connections slots, 6,400 by default): a session with more pairs than this takes one
# exclusive lock on every pair instead of one lock per pair.
MAX_PAIR_LOCKS = 256


def _lock_key(text: str) -> int:
    """A signed 64-bit advisory lock key, in a namespace of its own (no other code's
    advisory lock shares a key with these but by a 2**-64 chance)."""
    digest = hashlib.blake2b(text.encode(), digest_size=8, person=b"unibridge-pair").digest()
    return int.from_bytes(digest, "big", signed=True)


ALL_PAIRS_KEY = _lock_key("*")


def institution_pair_key(a: int, b: int) -> int:
    """The lock key of an unordered pair of institutions: (a, b) and (b, a) are one key."""
    low, high = sorted((int(a), int(b)))
    return _lock_key(f"{low}:{high}")


def lock_institution_pairs(party_sets: Iterable[Iterable[int]], *, using: str | None = None) -> int:
    """Wait until no other transaction writes agreements between the same institutions,
    and keep them waiting until this transaction ends. Returns the number of keys locked.

    Call it inside the writer's transaction, after the parties are known and BEFORE the
    duplicate check (``services.agreements_bulk_create`` does, for signing sessions, the
    bulk API and spreadsheet imports alike): the second of two sessions saving the same
    agreement then runs its check after the first has committed, and sees it.

    Each set of parties is keyed by its two smallest institution ids: a duplicate has
    exactly the same parties (``services._flag_duplicates``), so every possible duplicate
    shares that pair (as ``services._agreements_with_pairs`` reads it). On PostgreSQL these
    are transaction-scoped advisory locks (``pg_advisory_xact_lock``, released on commit or
    rollback), taken in ascending key order so two sessions with several pairs in common
    cannot deadlock; every session first takes a shared lock on a key standing for all
    pairs, and a session with more than ``MAX_PAIR_LOCKS`` pairs takes it exclusively
    instead of locking each pair. On SQLite nothing is locked here: SQLite lets one writer
    at a time into the database, and a session's check and save run in one transaction.
    """
    using = using or router.db_for_write(Agreement)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    if not connection.in_atomic_block:
        # Outside a transaction the lock would be released as soon as it is taken.
        raise TransactionManagementError("lock_institution_pairs() needs a transaction.")
    keys = sorted(
        {
            institution_pair_key(*sorted(ids)[:2])
            for ids in map(set, party_sets)
            if len(ids) >= 2 and None not in ids
        }
    )
    if not keys:
        return 0
    if len(keys) > MAX_PAIR_LOCKS:
        calls, params = ["pg_advisory_xact_lock(%s)"], [ALL_PAIRS_KEY]
    else:
        calls = ["pg_advisory_xact_lock_shared(%s)"] + ["pg_advisory_xact_lock(%s)"] * len(keys)
        params = [ALL_PAIRS_KEY, *keys]
    with connection.cursor() as cursor:
        # One statement; PostgreSQL evaluates a select list left to right, so the locks
        # are taken in the order written: the all-pairs key, then the pairs ascending.
        cursor.execute(f"SELECT {', '.join(calls)}", params)
    return len(params)


def _pairs_of_parties(using: str):
    """The pairs as a query: each party against every other party of its agreement whose
    institution is in a country that sorts after its own."""
    other = "agreement__parties__institution__country"
    return (
        Party.objects.using(using)
        .filter(**{f"{other}__gt": F("institution__country")})
        .order_by()
        .values_list("agreement_id", "institution__country", other)
        .distinct()
    )


def _agreements_of(institution_ids: Iterable[int], using: str) -> set[int]:
    ids = sorted(institution_ids)
    agreements: set[int] = set()
    for start in range(0, len(ids), BATCH):
        agreements.update(
            Party.objects.using(using)
            .filter(institution_id__in=ids[start : start + BATCH])
            .values_list("agreement_id", flat=True)
        )
    return agreements


def refresh_country_pairs(
    agreement_ids: Iterable[int], *, using: str | None = None, new: bool = False
) -> None:
    """Recompute the pairs of these agreements from their parties (three statements per
    900 agreements; one when they are ``new``, just inserted, with no pairs yet)."""
    ids = sorted({pk for pk in agreement_ids if pk is not None})
    using = using or router.db_for_write(CountryPair)
    with transaction.atomic(using=using):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            if not new:
                # Two writers changing one agreement's parties at once would each derive
                # the pairs from what it sees and one would lose the other's: the second
                # waits here for the first to commit. NO KEY UPDATE, because a party's
                # insert holds KEY SHARE on its agreement (FOR UPDATE would deadlock).
                list(
                    Agreement.objects.using(using)
                    .select_for_update(no_key=True)
                    .filter(pk__in=chunk)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                CountryPair.objects.using(using).filter(agreement_id__in=chunk).delete()
            pairs = _pairs_of_parties(using).filter(agreement_id__in=chunk)
            insert_select(CountryPair, COLUMNS, pairs)


def rebuild_country_pairs(*, using: str | None = None) -> int:
    """Recompute every agreement's pairs; returns the number of pairs."""
    using = using or router.db_for_write(CountryPair)
    with transaction.atomic(using=using):
        CountryPair.objects.using(using).all().delete()  # one DELETE: nothing cascades
        return insert_select(CountryPair, COLUMNS, _pairs_of_parties(using))


def _after_load(using: str, kind: str, pk: int) -> None:
    """A row saved by loaddata (raw): its agreements are refreshed once the load commits,
    when every institution and party of the fixture is there. One refresh per transaction,
    kept on the connection (a rolled-back transaction's pending refresh goes with it)."""
    connection = connections[using]
    pending = getattr(connection, "_country_pairs_loaded", None)
    if pending is None or not any(
        func is pending["refresh"] for _sids, func, _robust in connection.run_on_commit
    ):
        pending = {"agreements": set(), "institutions": set()}
        pending["refresh"] = lambda: refresh_country_pairs(
            pending["agreements"] | _agreements_of(pending["institutions"], using), using=using
        )
        connection._country_pairs_loaded = pending
        transaction.on_commit(pending["refresh"], using=using)
    pending[kind].add(pk)


def _remember(field: str):
    """A pre_save handler keeping ``field``'s stored value on the instance, to tell after
    the save whether it moved (a party to another agreement, an institution to another
    country: both change pairs)."""

    def handler(sender, instance, raw=False, using=None, **kwargs) -> None:
        if not raw and instance.pk is not None:
            stored = sender.objects.using(using).filter(pk=instance.pk).values_list(field)
            setattr(instance, f"_{field}_before_save", stored.first())

    return handler


def _party_saved(sender, instance, raw=False, using=None, **kwargs) -> None:
    if raw:
        _after_load(using, "agreements", instance.agreement_id)
        return
    before = getattr(instance, "_agreement_id_before_save", None)
    refresh_country_pairs([instance.agreement_id, before and before[0]], using=using)


def _party_deleted(sender, instance, using=None, **kwargs) -> None:
    refresh_country_pairs([instance.agreement_id], using=using)


def _institution_saved(sender, instance, created, raw=False, using=None, **kwargs) -> None:
    if raw:
        _after_load(using, "institutions", instance.pk)
        return
    before = getattr(instance, "_country_before_save", None)
    if not created and before is not None and str(before[0]) != str(instance.country):
        refresh_country_pairs(_agreements_of([instance.pk], using), using=using)


def connect_signals() -> None:
    uid = "country_pairs_"
    pre_save.connect(
        _remember("agreement_id"), sender=Party, weak=False, dispatch_uid=uid + "party_saving"
    )
    post_save.connect(_party_saved, sender=Party, dispatch_uid=uid + "party_saved")
    post_delete.connect(_party_deleted, sender=Party, dispatch_uid=uid + "party_deleted")
    pre_save.connect(
        _remember("country"),
        sender=Institution,
        weak=False,
        dispatch_uid=uid + "institution_saving",
    )
    post_save.connect(
        _institution_saved, sender=Institution, dispatch_uid=uid + "institution_saved"
    )
