"""Bulk writes at the database's speed (issue 18): a mobility import and a signing session
write their rows by COPY on PostgreSQL (multi-row inserts on SQLite) with a history row
each, in a number of queries that does not grow with the rows, and all or nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, CountryPair, Party
from agreements.services import agreements_bulk_create
from cooperation import audit
from cooperation.audit import insert_objects_with_history, insert_rows_with_history
from cooperation.register_cache import pending_write
from mobility.models import MobilityFigure
from mobility.services import COLUMNS, mobility_figures_import
from tests.factories import EventFactory, InstitutionFactory, SourceFactory

pytestmark = pytest.mark.django_db

# Text that COPY's format must carry unchanged: a tab, line breaks, backslashes, the
# format's own NULL marker as a whole cell and inside one, quotes, Cyrillic.
AWKWARD = ["a\tb", "line 1\nline 2\r\nline 3", "C:\\temp\\new", "\\N", "x \\N \"y\" ; 'z'", "Жаңа"]


def figure(source, number: int, **changes) -> dict:
    """A flow of its own for every ``number`` below 500."""
    row = {
        "year": 1950 + number % 100,
        "origin_country": ["KZ", "UZ", "KG", "TR", "GE"][number // 100],
        "destination_country": "AZ", "mobility_type": "degree_students", "level": "all",
        "sex": "total", "measure": "flow", "qualifier": "about", "value": 100 + number,
        "source": source.url, "host_institution_count": number % 7 or None, "notes": "",
    }  # fmt: skip
    row.update(changes)
    return row


def history_matches(model, ids, user) -> None:
    """Each record has exactly one "+" history row, by ``user``, with its saved values."""
    columns = [f.attname for f in model._meta.concrete_fields]
    saved = {row[0]: row for row in model.objects.filter(pk__in=ids).values_list(*columns)}
    history = model.history.filter(id__in=ids)
    assert history.count() == len(ids) == len(saved)
    assert set(history.values_list("history_type", "history_user_id")) == {("+", user.pk)}
    for row in history.values_list(*columns):
        assert row == saved[row[0]], (row, saved[row[0]])


def test_import_queries_do_not_grow_and_every_figure_has_its_history(superuser):
    source = SourceFactory(url="https://example.org/bulk")
    counts = []
    for start, size in ((0, 4), (100, 300)):
        rows = [figure(source, n) for n in range(start, start + size)]
        with CaptureQueriesContext(connection) as queries:
            result = mobility_figures_import(rows=rows, user=superuser, change_reason="bulk")
        assert result.saved and result.created == size, result.rows[0].errors
        counts.append(len(queries))
    if connection.vendor == "postgresql":  # one COPY whatever the rows
        assert counts[1] <= counts[0] <= 12, counts
    else:  # SQLite: multi-row INSERTs of as many rows as 999 parameters hold
        assert counts[1] <= counts[0] + 2 * 300 // 50, counts
    history_matches(
        MobilityFigure, list(MobilityFigure.objects.values_list("pk", flat=True)), superuser
    )
    assert set(MobilityFigure.history.values_list("history_change_reason", flat=True)) == {"bulk"}
    assert pending_write(), "cached pages must learn of the new figures"


def test_a_history_keeping_other_fields_is_copied_from_the_saved_rows(superuser, monkeypatch):
    # The history goes by a second COPY of the same lines only when its table keeps exactly
    # the record's fields; otherwise the database copies the saved rows (INSERT … SELECT).
    monkeypatch.setattr(audit, "_history_columns", lambda model, names: None)
    source = SourceFactory(url="https://example.org/select")
    rows = [figure(source, n, notes=AWKWARD[n % len(AWKWARD)]) for n in range(12)]
    assert mobility_figures_import(rows=rows, user=superuser, change_reason="bulk").saved
    history_matches(
        MobilityFigure, list(MobilityFigure.objects.values_list("pk", flat=True)), superuser
    )
    assert set(MobilityFigure.history.values_list("history_change_reason", flat=True)) == {"bulk"}


def test_import_carries_awkward_text_unchanged(superuser):
    source = SourceFactory(url="https://example.org/awkward")
    rows = [figure(source, n, notes=text) for n, text in enumerate(AWKWARD)]
    assert mobility_figures_import(rows=rows, user=superuser).saved
    saved = dict(MobilityFigure.objects.values_list("value", "notes"))
    assert [saved[100 + n] for n in range(len(AWKWARD))] == AWKWARD
    assert sorted(MobilityFigure.history.values_list("notes", flat=True)) == sorted(AWKWARD)


def test_a_bad_row_among_many_saves_nothing_and_names_its_row(superuser):
    source = SourceFactory(url="https://example.org/bad")
    rows = [figure(source, n) for n in range(200)]
    rows[150]["value"] = "-3"
    rows[151]["year"] = "1066"
    result = mobility_figures_import(rows=rows, row_numbers=range(2, 202), user=superuser)
    assert not result.saved
    assert [row.index for row in result.rows if row.errors] == [150, 151]
    assert "greater than or equal to 0" in result.rows[150].errors["value"][0]
    assert "1950" in result.rows[151].errors["year"][0]
    assert not MobilityFigure.objects.exists() and not MobilityFigure.history.exists()


def test_a_row_saved_meanwhile_breaks_the_copy_and_nothing_is_left(superuser):
    source = SourceFactory()
    values = ["KZ", "AZ", None, None, "degree_students", "all", None, "total", "flow", 2020,
              None, 5, "exact", None, source.pk, ""]  # fmt: skip
    assert len(values) == len(COLUMNS)
    other = [*values[:9], 2021, *values[10:]]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows_with_history(MobilityFigure, COLUMNS, [values, other, values], user=superuser)
    assert not MobilityFigure.objects.exists() and not MobilityFigure.history.exists()


def test_objects_with_translations_and_file_fields_round_trip(superuser):
    agreement = Agreement(
        title="Memorandum\twith a tab",
        title_translations={"ru": "Меморандум «о сотрудничестве»\\N", "kk": "Меморандум"},
        kind="memorandum",
    )
    [saved] = insert_objects_with_history([agreement], Agreement, user=superuser)
    assert saved.pk and not saved._state.adding
    fresh = Agreement.objects.get(pk=saved.pk)
    assert fresh.title == "Memorandum\twith a tab"
    assert fresh.title_translations == {
        "ru": "Меморандум «о сотрудничестве»\\N",
        "kk": "Меморандум",
    }
    assert (fresh.version, fresh.is_public, str(fresh.document)) == (1, agreement.is_public, "")
    assert fresh.created_at and fresh.updated_at
    history_matches(Agreement, [saved.pk], superuser)


def test_session_queries_do_not_grow_and_every_record_has_its_history(superuser):
    kz = [InstitutionFactory(name=f"KZ University {n}", country="KZ") for n in range(40)]
    az = InstitutionFactory(name="AZ University", country="AZ")
    event = EventFactory()
    counts = []
    for chunk in (kz[:3], kz[3:]):
        rows = [
            {"parties": [i.pk, az.pk], "kind": "memorandum", "areas": ["student_exchange"],
             "signatories": [f"Rector of {i.name}", ""], "title": f"Memorandum with {i.name}"}
            for i in chunk
        ]  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            result = agreements_bulk_create(event=event, rows=rows, user=superuser)
        assert result.saved, [row.errors for row in result.rows]
        counts.append(len(queries))
    # The first session may also create the area (get_or_create); more rows, no more queries.
    assert counts[1] <= counts[0] <= 30, counts
    agreements = list(Agreement.objects.values_list("pk", flat=True))
    assert len(agreements) == 40
    history_matches(Agreement, agreements, superuser)
    history_matches(Party, list(Party.objects.values_list("pk", flat=True)), superuser)
    assert (
        Party.objects.count() == 80 and Party.objects.filter(signatory__isnull=False).count() == 40
    )
    # The areas are in each agreement's first version, and the country pairs derived.
    history = Agreement.history.model
    areas = apps.get_model("agreements", f"{history.__name__}_areas").objects
    assert areas.filter(history__id__in=agreements, history__history_type="+").count() == 40
    assert CountryPair.objects.filter(country="AZ", partner_country="KZ").count() == 40
    assert pending_write()
