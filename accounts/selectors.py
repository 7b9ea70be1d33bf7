"""Reads of the audit trail: every model's history, merged into one list of changes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from heapq import merge
from typing import Any

from django.apps import apps
from django.db import models

from cooperation.roles import DATA_APPS


def tracked_models(user) -> list[type[models.Model]]:
    """The register's models that keep history and that ``user`` may read."""
    found = []
    for model in apps.get_models():
        opts = model._meta
        if opts.app_label not in DATA_APPS or not hasattr(model, "history"):
            continue
        if getattr(model, "_meta", None) and opts.model_name.startswith("historical"):
            continue
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            found.append(model)
    return sorted(found, key=lambda model: str(model._meta.verbose_name))


@dataclass(frozen=True)
class Change:
    """One saved version of one record: who, when, what kind of change."""

    record: Any  # the historical row
    model: type[models.Model]

    @property
    def date(self) -> datetime.datetime:
        return self.record.history_date


def changes_recent(
    *,
    models_: list[type[models.Model]],
    user_id: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    limit: int,
    restrict: dict[type[models.Model], models.Q] | None = None,
) -> tuple[list[Change], int]:
    """The ``limit`` latest changes across ``models_`` (newest first), and how many match in
    all. Two queries per model whatever the history's size: the top ``limit`` rows of each
    history table, merged, are enough for the overall top ``limit``."""
    streams = []
    total = 0
    for model in models_:
        history = model.history.select_related("history_user").order_by("-history_date", "-pk")
        if restrict and model in restrict:
            history = history.filter(restrict[model])
        if user_id is not None:
            history = history.filter(history_user_id=user_id)
        if since is not None:
            history = history.filter(history_date__date__gte=since)
        if until is not None:
            history = history.filter(history_date__date__lte=until)
        total += history.count()
        streams.append([Change(record, model) for record in history[:limit]])
    merged = list(merge(*streams, key=lambda change: change.date, reverse=True))
    return merged[:limit], total
