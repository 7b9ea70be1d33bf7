"""Signed scans (``Agreement.document``) leave the disk when nothing uses them any more.

A scan that is replaced by another upload, cleared ("Clear" in the admin) or whose
agreement is deleted (admin, API) is deleted from storage once the transaction that did it
commits: a rolled-back save keeps it, and a file another agreement still names is kept.

History rows (simple_history) keep the old file's *name*, not the file: an old version
shows which scan it had, but the scan itself is gone, as the issue asks ("replaced files
deleted"); scans are never served from history (only ``/agreements/<id>/document/``
serves the current one, and a missing file there is a 404, not a 500). Reverting to such
a version leaves the agreement without a readable scan: upload it again.

Writes that send no model signals (``QuerySet.update()``, raw SQL) leave files behind;
nothing in the register writes documents that way.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.db.models.signals import post_delete, post_save, pre_save
from django.urls import reverse

from .models import Agreement

logger = logging.getLogger(__name__)

FIELD = "document"

# An id no agreement has, put in the document's address to find where ids go in it.
_MARKER = "987654321987"


def _address_around_id(request) -> tuple[str, str]:
    """The document address of an agreement, before and after its id: absolute for a
    request (as the API gives it), else the path."""
    path = reverse("agreements:agreement_document", args=[_MARKER])
    address = request.build_absolute_uri(path) if request is not None else path
    before, after = address.rsplit(_MARKER, 1)
    return before, after


def document_url(agreement: Agreement, request=None) -> str | None:
    """Where ``agreement``'s signed scan is downloaded (the view checks who may), or None
    when it has none: the API's and the exports' ``document``."""
    if not agreement.document:
        return None
    before, after = _address_around_id(request)
    return f"{before}{agreement.pk}{after}"


def document_url_expression(request=None):
    """``document_url`` in SQL, for a queryset read for ``request`` (``document_url``
    annotation): the CSV PostgreSQL writes, and no Python a row."""
    before, after = _address_around_id(request)
    return Case(
        When(Q(**{FIELD: ""}) | Q(**{f"{FIELD}__isnull": True}), then=Value(None)),
        default=Concat(Value(before), Cast("pk", CharField()), Value(after)),
        output_field=CharField(),
    )


def discard_when_committed(name: str, *, using: str) -> None:
    """Delete the stored file ``name`` once the current transaction commits, unless an
    agreement names it then."""
    storage = Agreement._meta.get_field(FIELD).storage

    def discard() -> None:
        if Agreement._default_manager.using(using).filter(**{FIELD: name}).exists():
            return
        try:
            storage.delete(name)
        except OSError as exc:  # a file that cannot be deleted must not fail the request
            logger.warning("Could not delete the replaced document %s: %s", name, exc)

    transaction.on_commit(discard, using=using)


def _remember(sender, instance, raw=False, using=None, update_fields=None, **kwargs) -> None:
    instance._document_before_save = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and FIELD not in update_fields:
        return
    stored = sender._default_manager.using(using).filter(pk=instance.pk).values_list(FIELD)
    row = stored.first()
    instance._document_before_save = row[0] if row else None


def _saved(sender, instance, raw=False, using=None, **kwargs) -> None:
    before = getattr(instance, "_document_before_save", None)
    instance._document_before_save = None
    if before and before != instance.document.name:
        discard_when_committed(before, using=using)


def _deleted(sender, instance, using=None, **kwargs) -> None:
    if instance.document.name:
        discard_when_committed(instance.document.name, using=using)


def connect_signals() -> None:
    uid = "agreement_documents_"
    pre_save.connect(_remember, sender=Agreement, dispatch_uid=uid + "saving")
    post_save.connect(_saved, sender=Agreement, dispatch_uid=uid + "saved")
    post_delete.connect(_deleted, sender=Agreement, dispatch_uid=uid + "deleted")
