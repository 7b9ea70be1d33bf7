"""Two signing sessions at once that both hold the same agreement: exactly one saves it,
the other is told it is a duplicate (issue 14, finding 4). Sessions, the bulk API and
spreadsheet imports all save through ``agreements_bulk_create``, which locks the rows'
institution pairs before its duplicate check (``agreements.pairs.lock_institution_pairs``).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from agreements import pairs
from agreements.models import Agreement
from agreements.services import agreements_bulk_create
from tests.base import token_client, user_with_permissions
from tests.factories import EventFactory, InstitutionFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer at a time into the database: no two sessions overlap",
    ),
    pytest.mark.django_db(transaction=True),
]

URL = "/api/agreements/bulk/"
DEFAULTS = {"kind": "memorandum", "areas": ["student_exchange"]}


def run_together(*calls):
    """Run each call in its own thread (its own database connection), started together;
    their results, or the exceptions they raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(10)
            results[index] = call()
        except Exception as exc:  # reported by the caller
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def between(a, b) -> int:
    return Agreement.objects.filter(parties__institution=a).filter(parties__institution=b).count()


@pytest.fixture
def register():
    kz = [InstitutionFactory(country="KZ") for _ in range(12)]
    az = [InstitutionFactory(country="AZ", city="Baku") for _ in range(12)]
    return kz, az


def test_two_sessions_over_the_api_save_a_shared_agreement_once(register):
    kz, az = register
    event = EventFactory()
    # Two agreements in both sessions, written in opposite orders (the locks are taken in
    # one order whatever the rows' order, so the sessions cannot deadlock), and rows of
    # each session's own to make the window between check and save as wide as a real one.
    shared = [(kz[0].pk, az[0].pk), (az[1].pk, kz[1].pk)]
    first = [*shared, *[(kz[i].pk, az[i].pk) for i in range(2, 12)]]
    second = [*shared[::-1], *[(kz[i].pk, az[i - 1].pk) for i in range(3, 12)]]
    clients = [
        token_client(user_with_permissions(name, Agreement, ["add"])) for name in ("one", "two")
    ]

    def post(client, session):
        payload = {
            "event": event.pk,
            "defaults": DEFAULTS,
            "rows": [{"parties": list(p)} for p in session],
        }
        return client.post(URL, payload, format="json")

    responses = run_together(lambda: post(clients[0], first), lambda: post(clients[1], second))

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [201, 400], [r.json() for r in responses]
    assert between(kz[0], az[0]) == 1
    assert between(kz[1], az[1]) == 1
    refused = next(r for r in responses if r.status_code == 400).json()
    assert refused["saved"] is False
    assert refused["summary"]["duplicates"] == 2
    for row in refused["rows"][:2]:
        assert "already in the register" in " ".join(row["errors"]["duplicate"])
    # All or nothing: the refused session's own rows wait for it to be sent again.
    saved = next(r for r in responses if r.status_code == 201).json()
    assert Agreement.objects.count() == len(saved["rows"])


def test_sessions_with_more_pairs_than_locks_serialise_as_a_whole(register, monkeypatch):
    """A session with more pairs than MAX_PAIR_LOCKS takes one exclusive lock instead."""
    monkeypatch.setattr(pairs, "MAX_PAIR_LOCKS", 3)
    kz, az = register
    event = EventFactory()
    shared = (kz[0].pk, az[0].pk)
    large = [shared, *[(kz[i].pk, az[i].pk) for i in range(1, 8)]]  # 8 pairs: exclusive
    small = [(kz[9].pk, az[9].pk), shared]  # 2 pairs: one lock each

    def save(session):
        return agreements_bulk_create(
            event=event, rows=[{"parties": list(p)} for p in session], defaults=DEFAULTS
        )

    results = run_together(lambda: save(large), lambda: save(small))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.saved for r in results) == [False, True]
    assert between(kz[0], az[0]) == 1
    refused = next(r for r in results if not r.saved)
    assert refused.summary()["duplicates"] == 1
    duplicate = next(row for row in refused.rows if row.errors)
    assert "already in the register" in " ".join(duplicate.errors["duplicate"])


def test_the_lock_needs_a_transaction(register):
    kz, az = register
    with pytest.raises(TransactionManagementError):
        pairs.lock_institution_pairs([[kz[0].pk, az[0].pk]])
    with transaction.atomic():
        # One key for the pair ((a, b) is (b, a)) and the shared key standing for all pairs.
        assert pairs.lock_institution_pairs([[kz[0].pk, az[0].pk], [az[0].pk, kz[0].pk]]) == 2
