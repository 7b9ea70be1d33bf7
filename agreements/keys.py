"""Keeping ``SearchKey`` (the folded words each agreement is found by) right on every write.

An agreement's key follows from its title, the translations of it, its reference code and
its parties' institutions' names (``SearchKey.build``), so it changes when an agreement is
saved, a party is added, changed or removed, or an institution's names change
(``universities.models.search_text_changed``). Saves and deletes through the ORM send
signals, handled here in the writer's transaction (a rolled-back write leaves no key
behind). Writes that send none must call ``refresh_search_keys(agreement_ids)``
themselves (``insert_search_keys(agreements)`` for new ones): ``agreements_bulk_create``
(signing sessions, spreadsheet imports, the bulk API) does; a COPY or raw SQL load calls
``rebuild_search_keys()`` (``manage.py rebuild_search_keys``, as bench/generate.py does),
and so must any future ``QuerySet.update()`` of titles or reference codes or
``bulk_create`` of agreements or parties. ``loaddata`` is covered: its raw saves are
refreshed once it commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from universities.models import Institution, search_text_changed

from .models import Agreement, Party, SearchKey

BATCH = 900  # ids per statement: SQLite's old limit of 999 parameters
# The fields of an agreement its key is built from: a save naming none of them in
# update_fields (a change of status, a new version number) leaves the key alone.
KEY_FIELDS = frozenset({"title", "title_translations", "reference_code"})


def party_texts(agreement_ids: list[int], using: str, party=Party) -> dict[int, list[str]]:
    """The names (``search_text``) of the parties of these agreements, per agreement;
    ``party``: the model to read them from (a migration's historical one)."""
    texts: dict[int, list[str]] = defaultdict(list)
    rows = (
        party.objects.using(using)
        .filter(agreement_id__in=agreement_ids)
        .order_by("agreement_id", "pk")
        .values_list("agreement_id", "institution__search_text")
    )
    for agreement_id, text in rows:
        texts[agreement_id].append(text)
    return texts


def _write(keys: dict[int, str], using: str, *, new: bool) -> None:
    """Insert the keys of ``new`` agreements, else insert or update them."""
    rows = [SearchKey(agreement_id=pk, key=key) for pk, key in keys.items()]
    if new:
        SearchKey.objects.using(using).bulk_create(rows, batch_size=BATCH)
    elif rows:
        SearchKey.objects.using(using).bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["agreement"],
            update_fields=["key"],
        )


def refresh_search_keys(
    agreement_ids: Iterable[int | None], *, using: str | None = None, new: bool = False
) -> None:
    """Recompute the keys of these agreements (three statements per 900 agreements: lock
    and read them, read their parties' names, write the keys); ``new``: just inserted,
    with no key yet, so neither locked nor looked for."""
    ids = sorted({pk for pk in agreement_ids if pk is not None})
    using = using or router.db_for_write(SearchKey)
    with transaction.atomic(using=using):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            agreements = Agreement.objects.using(using).filter(pk__in=chunk).order_by("pk")
            if not new:
                # Two writers changing one agreement's parties at once would each build the
                # key from what it sees and one would lose the other's: the second waits
                # here for the first to commit (as agreements.pairs does, NO KEY UPDATE).
                agreements = agreements.select_for_update(no_key=True)
            rows = agreements.values_list("pk", "title", "title_translations", "reference_code")
            found = list(rows)
            texts = party_texts([pk for pk, *_rest in found], using)
            keys = {
                pk: SearchKey.build(
                    title=title,
                    translations=translations,
                    reference_code=reference_code,
                    party_texts=texts.get(pk, []),
                )
                for pk, title, translations, reference_code in found
            }
            _write(keys, using, new=new)


def insert_search_keys(agreements: Iterable[Agreement], *, using: str | None = None) -> None:
    """The keys of agreements just inserted with their parties, which send no signals
    (``agreements_bulk_create``), from the instances: two statements per 900 (their
    parties' names, the keys)."""
    using = using or router.db_for_write(SearchKey)
    agreements = list(agreements)
    for start in range(0, len(agreements), BATCH):
        chunk = agreements[start : start + BATCH]
        texts = party_texts([agreement.pk for agreement in chunk], using)
        keys = {
            agreement.pk: SearchKey.of(agreement, texts.get(agreement.pk, []))
            for agreement in chunk
        }
        _write(keys, using, new=True)


def rebuild_search_keys(*, using: str | None = None) -> int:
    """Recompute every agreement's key; returns the number of keys."""
    using = using or router.db_for_write(SearchKey)
    with transaction.atomic(using=using):
        SearchKey.objects.using(using).all().delete()  # one DELETE: nothing cascades
        ids = Agreement.objects.using(using).order_by("pk").values_list("pk", flat=True)
        count = 0
        chunk: list[int] = []
        for pk in ids.iterator(chunk_size=10 * BATCH):
            chunk.append(pk)
            if len(chunk) == 10 * BATCH:
                refresh_search_keys(chunk, using=using, new=True)
                count, chunk = count + len(chunk), []
        refresh_search_keys(chunk, using=using, new=True)
    connection = connections[using]
    if connection.vendor == "postgresql":  # the planner's statistics of the new keys
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE agreements_searchkey")
    return count + len(chunk)


def _agreements_of(institution_id: int, using: str) -> list[int]:
    parties = Party.objects.using(using).filter(institution_id=institution_id)
    return list(parties.values_list("agreement_id", flat=True))


def _after_load(using: str, kind: str, pk: int) -> None:
    """A row saved by loaddata (raw): its agreements' keys are refreshed once the load
    commits, when every institution and party of the fixture is there. One refresh per
    transaction, kept on the connection (as agreements.pairs does)."""
    connection = connections[using]
    pending = getattr(connection, "_search_keys_loaded", None)
    if pending is None or not any(
        func is pending["refresh"] for _sids, func, _robust in connection.run_on_commit
    ):
        pending = {"agreements": set(), "institutions": set()}

        def refresh() -> None:
            ids = set(pending["agreements"])
            for institution_id in pending["institutions"]:
                ids.update(_agreements_of(institution_id, using))
            refresh_search_keys(ids, using=using)

        pending["refresh"] = refresh
        connection._search_keys_loaded = pending
        transaction.on_commit(refresh, using=using)
    pending[kind].add(pk)


def _agreement_saved(sender, instance: Agreement, created, raw=False, using=None, **kwargs):
    if raw:
        _after_load(using, "agreements", instance.pk)
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not KEY_FIELDS & set(update_fields):
        return
    if created:  # no parties yet (each party's save refreshes the key): one INSERT
        _write({instance.pk: SearchKey.of(instance, [])}, using, new=True)
    else:
        refresh_search_keys([instance.pk], using=using)


def _party_saving(sender, instance: Party, raw=False, using=None, **kwargs) -> None:
    """Where the party stood before the save: a party moved to another agreement changes
    the keys of both."""
    if not raw and instance.pk is not None:
        stored = sender.objects.using(using).filter(pk=instance.pk).values_list("agreement_id")
        instance._keyed_agreement_before_save = stored.first()


def _party_saved(sender, instance: Party, raw=False, using=None, **kwargs) -> None:
    if raw:
        _after_load(using, "agreements", instance.agreement_id)
        return
    before = getattr(instance, "_keyed_agreement_before_save", None)
    refresh_search_keys([instance.agreement_id, before and before[0]], using=using)


def _party_deleted(sender, instance: Party, using=None, origin=None, **kwargs) -> None:
    # Deleted with its agreement (whose key goes with it, deleted before the parties'
    # signals are sent): no key to write back.
    if isinstance(origin, Agreement) or getattr(origin, "model", None) is Agreement:
        return
    refresh_search_keys([instance.agreement_id], using=using)


def _institution_saved(sender, instance: Institution, raw=False, using=None, **kwargs) -> None:
    if raw:
        _after_load(using, "institutions", instance.pk)


def _names_changed(sender, instance: Institution, using=None, **kwargs) -> None:
    refresh_search_keys(_agreements_of(instance.pk, using), using=using)


def connect_signals() -> None:
    uid = "search_keys_"
    post_save.connect(_agreement_saved, sender=Agreement, dispatch_uid=uid + "agreement_saved")
    pre_save.connect(_party_saving, sender=Party, dispatch_uid=uid + "party_saving")
    post_save.connect(_party_saved, sender=Party, dispatch_uid=uid + "party_saved")
    post_delete.connect(_party_deleted, sender=Party, dispatch_uid=uid + "party_deleted")
    post_save.connect(
        _institution_saved, sender=Institution, dispatch_uid=uid + "institution_saved"
    )
    search_text_changed.connect(
        _names_changed, sender=Institution, dispatch_uid=uid + "names_changed"
    )
