"""Keeping ``CountryPair`` (the country pairs of each agreement) right on every write.

The pairs of an agreement follow from its parties and their institutions' countries, so
they change when a party is added, changed or removed, or an institution moves to another
country. Saves and deletes through the ORM send signals, handled here in the writer's
transaction (a rolled-back write leaves no pair behind). Writes that send none must call
``refresh_country_pairs(agreement_ids)`` themselves: ``agreements_bulk_create`` (signing
sessions, spreadsheet imports, the bulk API) does; a COPY or raw SQL load calls
``rebuild_country_pairs()`` (``manage.py rebuild_country_pairs``, as bench/generate.py does).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import router, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save

from cooperation.audit import insert_select

BATCH = 900  # ids per statement: SQLite's old limit of 999 parameters
COLUMNS = ["agreement", "country", "partner_country"]


def _models():
    from universities.models import Institution

    from .models import CountryPair, Party

    return CountryPair, Party, Institution


def _pairs_of_parties(using: str):
    """The pairs as a query: each party against every other party of its agreement whose
    institution is in a country that sorts after its own."""
    _, Party, _ = _models()
    other = "agreement__parties__institution__country"
    return (
        Party.objects.using(using)
        .filter(**{f"{other}__gt": F("institution__country")})
        .order_by()
        .values_list("agreement_id", "institution__country", other)
        .distinct()
    )


def refresh_country_pairs(
    agreement_ids: Iterable[int], *, using: str | None = None, new: bool = False
) -> None:
    """Recompute the pairs of these agreements from their parties (two statements per 900
    agreements; one when they are ``new``, just inserted, with no pairs yet)."""
    CountryPair, _, _ = _models()
    ids = sorted({pk for pk in agreement_ids if pk is not None})
    using = using or router.db_for_write(CountryPair)
    with transaction.atomic(using=using):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            if not new:
                CountryPair.objects.using(using).filter(agreement_id__in=chunk).delete()
            pairs = _pairs_of_parties(using).filter(agreement_id__in=chunk)
            insert_select(CountryPair, COLUMNS, pairs)


def rebuild_country_pairs(*, using: str | None = None) -> int:
    """Recompute every agreement's pairs; returns the number of pairs."""
    CountryPair, _, _ = _models()
    using = using or router.db_for_write(CountryPair)
    with transaction.atomic(using=using):
        CountryPair.objects.using(using).all().delete()  # one DELETE: nothing cascades
        return insert_select(CountryPair, COLUMNS, _pairs_of_parties(using))


def _party_saved(sender, instance, raw=False, using=None, **kwargs) -> None:
    if not raw:
        refresh_country_pairs([instance.agreement_id], using=using)


def _party_deleted(sender, instance, using=None, **kwargs) -> None:
    refresh_country_pairs([instance.agreement_id], using=using)


def _institution_saving(sender, instance, raw=False, using=None, **kwargs) -> None:
    # The country before the save, to know after it whether the pairs moved.
    if raw or instance.pk is None:
        return
    instance._country_before_save = (
        sender.objects.using(using).filter(pk=instance.pk).values_list("country", flat=True).first()
    )


def _institution_saved(sender, instance, created, raw=False, using=None, **kwargs) -> None:
    if raw or created:
        return
    before = getattr(instance, "_country_before_save", None)
    if before is not None and str(before) != str(instance.country):
        _, Party, _ = _models()
        refresh_country_pairs(
            Party.objects.using(using)
            .filter(institution=instance)
            .values_list("agreement_id", flat=True),
            using=using,
        )


def connect_signals() -> None:
    _, Party, Institution = _models()
    post_save.connect(_party_saved, sender=Party, dispatch_uid="country_pairs_party_saved")
    post_delete.connect(_party_deleted, sender=Party, dispatch_uid="country_pairs_party_deleted")
    pre_save.connect(
        _institution_saving, sender=Institution, dispatch_uid="country_pairs_institution_saving"
    )
    post_save.connect(
        _institution_saved, sender=Institution, dispatch_uid="country_pairs_institution_saved"
    )
