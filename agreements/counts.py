"""Keeping the directory's partner and agreement counts (``universities.InstitutionCount``)
ready on every write (issue 18).

An institution's counts (``universities.models.party_counts``) follow from the parties of
its agreements and from which of those agreements each class of readers sees, so they
change when a party is added, moved to another agreement or institution, or removed, and
when an agreement is saved (its visibility or status may have changed). Each such write
records the institutions concerned in ``PendingCount``, in the writer's own transaction
(a rolled-back write records nothing; one statement per saved or deleted row, never a
count recomputed while the writer holds its locks); once the transaction commits, the
counts of what it recorded are recomputed (``InstitutionCount.refresh``, after the commit
so that two writers never wait for each other's hub), and a sort that still finds
something pending recomputes it first. So the first sort after a write reads ready counts.

Saves and deletes through the ORM send signals, handled here (admin, API, lifecycle,
cascades, ``loaddata``). Writes that send none must call ``counts_changed`` themselves:
``agreements_bulk_create`` (signing sessions, spreadsheet imports, the bulk API) does; a
COPY or raw SQL load runs ``manage.py rebuild_institution_counts`` (as bench/generate.py
does), and so must any future ``QuerySet.update()`` or ``bulk_create`` of parties or of
agreements' visibility or status.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from universities.models import InstitutionCount, PendingCount

from .models import Agreement, Party

BATCH = 900  # ids per statement: SQLite's old limit of 999 parameters


def _refresh() -> None:
    InstitutionCount.refresh()


def _refresh_after_commit(using: str) -> None:
    """Recompute what the transaction recorded once it commits: once per transaction
    (kept on the connection's on-commit list), at once outside one."""
    if not any(func is _refresh for _s, func, _r in connections[using].run_on_commit):
        # robust: a failed refresh is logged; what it left pending, the next sort does.
        transaction.on_commit(_refresh, using=using, robust=True)


def counts_changed(
    *,
    institution_ids: Iterable[int | None] = (),
    agreement_ids: Iterable[int | None] = (),
    using: str | None = None,
) -> None:
    """Record that the counts of these institutions and of every party to these agreements
    may have changed (one statement per ``BATCH`` ids), to be recomputed after the commit."""
    using = using or router.db_for_write(PendingCount)
    institutions = sorted({pk for pk in institution_ids if pk is not None})
    agreements = sorted({pk for pk in agreement_ids if pk is not None})
    if not institutions and not agreements:
        return
    db = connections[using]
    qn = db.ops.quote_name
    pending = f"{qn(PendingCount._meta.db_table)} ({qn('institution_id')})"
    party = qn(Party._meta.db_table)
    with db.cursor() as cursor:
        for start in range(0, max(len(institutions), len(agreements)), BATCH):
            chosen = institutions[start : start + BATCH]
            within = agreements[start : start + BATCH]
            parts, params = [], []
            if within:
                parts.append(
                    f"SELECT {qn('institution_id')} FROM {party} WHERE {qn('agreement_id')} "
                    f"IN ({', '.join(['%s'] * len(within))})"
                )
                params += within
            parts += ["SELECT %s"] * len(chosen)
            params += chosen
            cursor.execute(f"INSERT INTO {pending} {' UNION '.join(parts)}", params)
    _refresh_after_commit(using)


def _party_saving(sender, instance: Party, using=None, **kwargs) -> None:
    """Where the party stood before the save (loaddata's raw saves included): a party
    moved to another agreement or institution changes the counts of both."""
    if instance.pk is not None:
        stored = sender.objects.using(using).filter(pk=instance.pk)
        instance._counted_before_save = stored.values_list("agreement_id", "institution_id").first()


def _party_saved(sender, instance: Party, using=None, **kwargs) -> None:
    agreement_before, institution_before = getattr(instance, "_counted_before_save", None) or (
        None,
        None,
    )
    counts_changed(
        institution_ids=[instance.institution_id, institution_before],
        agreement_ids=[instance.agreement_id, agreement_before],
        using=using,
    )


def _party_deleted(sender, instance: Party, using=None, **kwargs) -> None:
    counts_changed(
        institution_ids=[instance.institution_id],
        agreement_ids=[instance.agreement_id],
        using=using,
    )


def _agreement_saved(sender, instance: Agreement, created, raw=False, using=None, **kwargs):
    # A new agreement has no parties yet (each party's save records its own); a changed one
    # may have become visible or hidden to a class of readers, whichever field changed.
    if not created or raw:
        counts_changed(agreement_ids=[instance.pk], using=using)


def connect_signals() -> None:
    uid = "institution_counts_"
    pre_save.connect(_party_saving, sender=Party, dispatch_uid=uid + "party_saving")
    post_save.connect(_party_saved, sender=Party, dispatch_uid=uid + "party_saved")
    post_delete.connect(_party_deleted, sender=Party, dispatch_uid=uid + "party_deleted")
    post_save.connect(_agreement_saved, sender=Agreement, dispatch_uid=uid + "agreement_saved")
