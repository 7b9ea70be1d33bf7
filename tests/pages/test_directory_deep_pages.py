"""The directory's counts are computed for the rows shown (issue 18): a deep page costs
what the first does, and every path that shows a count (page, API, sort, export) still
shows the right one, only the agreements the reader may see counted."""

import io
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import counts
from agreements.choices import AgreementStatus
from agreements.models import Agreement, Party
from agreements.services import agreements_bulk_create
from cooperation import generations
from cooperation.roles import ANALYST, UNIVERSITY_EDITOR
from tests.base import read_csv
from tests.factories import InstitutionFactory, PartyFactory, agreement_between
from tests.security.helpers import make_user
from universities.models import (
    Institution,
    InstitutionCount,
    PendingCount,
    counted_classes,
    party_counts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    """A hub with a partner per institution, a hidden agreement, and 60 institutions."""
    hub = InstitutionFactory(name="Zhetysu Hub University")
    others = [InstitutionFactory(name=f"College {n:02d}") for n in range(60)]
    for n, other in enumerate(others[:12]):
        agreement_between(hub, other, title=f"Memorandum {n}")
    agreement_between(others[0], others[1], title="Exchange")
    agreement_between(hub, others[59], title="Hidden", is_public=False)
    return {"hub": hub, "others": others}


def counts_shown(rows) -> dict[str, tuple[int, int]]:
    return {row["name"]: (row["agreement_count"], row["partner_count"]) for row in rows}


def test_the_api_shows_each_rows_counts_on_any_page(client, directory):
    expected = {
        row.name: (row.agreement_count, row.partner_count)
        for row in Institution.objects.with_counts(reader=AnonymousUser())
    }
    seen = {}
    for page in (1, 2, 3, 4, 5, 6, 7):
        answer = client.get("/api/institutions/", {"page": page, "page_size": 10}).json()
        seen |= counts_shown(answer["results"])
    assert seen["Zhetysu Hub University"] == (12, 12)  # the hidden one not counted
    assert seen["College 00"] == (2, 2)
    assert seen["College 59"] == (0, 0)
    assert seen == expected


def test_sorting_by_partners_and_deep_pages_of_the_page(client, directory):
    url = reverse("universities:institution_list")
    first = client.get(url, {"sort": "-partner_count"}).content.decode()
    assert first.index("Zhetysu Hub University") < first.index("College 00")
    answer = client.get("/api/institutions/", {"ordering": "-partner_count,name"}).json()
    assert [row["name"] for row in answer["results"][:3]] == [
        "Zhetysu Hub University",
        "College 00",
        "College 01",
    ]
    assert answer["results"][0]["partner_count"] == 12
    last = client.get(url, {"per_page": 10, "page": 7}).content.decode()
    assert "Zhetysu Hub University" in last  # the last alphabetically, with its counts
    row = last[last.index("Zhetysu Hub University") :]
    # The row's two count cells (<td class="num" ...>12</td>), whatever else the cell holds.
    assert re.findall(r'<td[^>]*class="num"[^>]*>\s*(\d+)\s*<', row)[:2] == ["12", "12"]


def test_a_deep_page_takes_as_many_queries_as_the_first(
    client, directory, django_assert_max_num_queries
):
    for page in (1, 6):
        with django_assert_max_num_queries(6):
            response = client.get("/api/institutions/", {"page": page, "page_size": 10})
            assert response.status_code == 200
        with django_assert_max_num_queries(8):
            response = client.get(
                reverse("universities:institution_list"), {"page": page, "per_page": 10}
            )
            assert response.status_code == 200


def test_the_export_still_carries_the_counts(client, directory):
    header, *rows = read_csv(client.get("/api/institutions/", {"format": "csv"}))
    by_name = {row[header.index("name")]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Zhetysu Hub University"]["agreement_count"] == "12"
    assert by_name["College 00"]["partner_count"] == "2"


# ------------------------------------------------- sorting by a count (InstitutionCount)


@pytest.fixture
def commit(monkeypatch):
    """Writes count as committed: what waits for the commit runs at once (the generation
    goes up, as in test_register_cache.py; the counts of what was written are recomputed),
    so the sort reads its table of counts."""
    monkeypatch.setattr(
        generations.transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


def sorted_by_partners(client) -> list[tuple[str, int, int]]:
    query = {"ordering": "-partner_count,name", "page_size": 1000}
    answer = client.get("/api/institutions/", query).json()
    return [
        (row["name"], row["partner_count"], row["agreement_count"]) for row in answer["results"]
    ]


def live(reader) -> list[tuple[str, int, int]]:
    """Every institution's live counts for ``reader``, sorted as the API sorts them."""
    rows = [
        (row.name, row.partner_count, row.agreement_count)
        for row in Institution.objects.with_counts(reader=reader)
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def table_is_live() -> bool:
    """The table holds, for each counted class, exactly the live counts (party_counts)."""
    table = set(
        InstitutionCount.objects.values_list(
            "visibility", "institution", "agreement_count", "partner_count"
        )
    )
    classes = counted_classes()
    expected = {
        (visibility, row["institution"], row[f"agreement_count_{visibility}"])
        + (row[f"partner_count_{visibility}"],)
        for row in party_counts(**classes)
        for visibility in classes
    }
    return table == expected


def counts_statements(queries) -> list[str]:
    """The statements of ``queries`` that write the counts or what they wait for."""
    found = []
    for query in queries.captured_queries:
        sql = query["sql"].replace('"', "")
        for table in ("pendingcount", "institutioncount"):
            if f"universities_{table}" in sql:
                found.append(f"{sql.split()[0]} {sql.split()[1]} {table}")
    return found


@pytest.mark.parametrize("role", ["anonymous", ANALYST, UNIVERSITY_EDITOR])
def test_sorting_by_a_count_follows_every_write(commit, role):
    hub = InstitutionFactory(name="Hub")
    a, b, c, d = (
        InstitutionFactory(name=name) for name in ("Aral", "Baikonur", "Caspian", "Dnipro")
    )
    agreement_between(hub, a)
    agreement_between(hub, d)
    hidden = agreement_between(hub, b, is_public=False)
    user = make_user("reader", role, [c] if role == UNIVERSITY_EDITOR else ())
    client = Client()
    if user is not None:
        client.force_login(user)
    reader = user or AnonymousUser()
    assert sorted_by_partners(client) == live(reader)
    assert sorted_by_partners(client)[0][0] == "Hub"

    # A party added through the model, then a bulk signing session, then a deletion.
    hidden_to_none = agreement_between(c, a)
    PartyFactory(agreement=hidden_to_none, institution=b)
    assert sorted_by_partners(client) == live(reader)
    result = agreements_bulk_create(
        event=None,
        rows=[{"parties": [c.pk, b.pk]}, {"parties": [c.pk, hub.pk]}],
        defaults={"kind": "exchange", "signed_on": "2026-04-06"},
    )
    assert result.saved
    assert sorted_by_partners(client) == live(reader)
    Party.objects.filter(institution=c).delete()
    assert sorted_by_partners(client) == live(reader)

    # The visibility and the status of an agreement, a party moved, an agreement deleted.
    hidden.is_public = True
    hidden.save()
    assert sorted_by_partners(client) == live(reader)
    hidden.status = AgreementStatus.DRAFT
    hidden.signed_on = None
    hidden.save()
    assert sorted_by_partners(client) == live(reader)
    moved = Party.objects.get(agreement=hidden, institution=b)
    moved.institution = c
    moved.save()
    assert sorted_by_partners(client) == live(reader)
    moved.agreement = hidden_to_none
    moved.save()
    assert sorted_by_partners(client) == live(reader)
    hidden_to_none.delete()
    assert sorted_by_partners(client) == live(reader)
    assert table_is_live() and not PendingCount.objects.exists()


def test_the_writer_recomputes_the_counts_once_it_commits(
    client, directory, django_assert_max_num_queries
):
    InstitutionCount.rebuild()
    assert table_is_live()
    hub, others = directory["hub"], directory["others"]
    # One statement a saved row records whose counts changed; nothing is recomputed before
    # the commit, once after it (one refresh for the whole transaction).
    exchange = Agreement.objects.get(title="Exchange")
    with CaptureQueriesContext(connection) as queries:
        Party.objects.create(agreement=exchange, institution=hub)
    assert counts_statements(queries) == ["INSERT INTO pendingcount"]
    for write in (exchange.save, Party.objects.get(agreement=exchange, institution=hub).delete):
        with CaptureQueriesContext(connection) as queries:
            write()
        assert counts_statements(queries) == ["INSERT INTO pendingcount"]
    Party.objects.create(agreement=exchange, institution=hub)
    agreement_between(others[20], others[21])
    assert not table_is_live()
    waiting = [func for _sids, func, _robust in connection.run_on_commit]
    assert waiting.count(counts._refresh) == 1
    # Savepoint, lock, pending; per chunk: read, delete, write; release.
    with django_assert_max_num_queries(7):
        counts._refresh()
    assert table_is_live() and not PendingCount.objects.exists()

    # A signing session records its institutions in one statement, however many rows.
    rows = [{"parties": [hub.pk, other.pk]} for other in others[30:50]]
    with CaptureQueriesContext(connection) as queries:
        result = agreements_bulk_create(
            event=None, rows=rows, defaults={"kind": "exchange", "signed_on": "2026-04-06"}
        )
    assert result.saved
    assert counts_statements(queries) == ["INSERT INTO pendingcount"]
    assert PendingCount.objects.count() == 21
    counts._refresh()
    assert table_is_live() and not PendingCount.objects.exists()


def test_a_sort_reads_the_table_and_recomputes_what_is_still_pending(
    commit, client, directory, django_assert_max_num_queries
):
    url = reverse("universities:institution_list")
    InstitutionCount.rebuild()
    with django_assert_max_num_queries(8):
        page = client.get(url, {"sort": "-partner_count", "page": 2, "per_page": 10})
    assert page.status_code == 200
    # A write whose refresh never ran (the process stopped after the commit): the next
    # sort recomputes it first.
    PendingCount.objects.create(institution_id=directory["hub"].pk)
    InstitutionCount.objects.filter(institution=directory["hub"]).update(partner_count=0)
    answer = client.get("/api/institutions/", {"ordering": "-partner_count,name"}).json()
    assert answer["results"][0]["name"] == "Zhetysu Hub University"
    assert table_is_live() and not PendingCount.objects.exists()
    # A load that recorded every institution (NULL), as the migration does.
    InstitutionCount.objects.all().delete()
    PendingCount.objects.create(institution_id=None)
    assert sorted_by_partners(client) == live(AnonymousUser())
    assert table_is_live() and not PendingCount.objects.exists()


def test_rebuild_institution_counts_command(directory):
    InstitutionCount.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_institution_counts", stdout=out)
    assert table_is_live()
    assert out.getvalue().strip() == f"{InstitutionCount.objects.count()} institution counts."


@pytest.mark.parametrize("sort", ["-partner_count", "agreement_count", "-name"])
def test_the_pages_export_comes_in_the_order_the_page_shows(client, directory, sort):
    """Sorted by a count, the page sorts by an expression (the kept counts); its CSV came
    in the default order until the export took the reader's sort by the table's names."""
    url = reverse("universities:institution_list")
    page = client.get(url, {"sort": sort, "per_page": 100}).content.decode()
    shown = re.findall(r"(Zhetysu Hub University|College \d\d)</a>", page)
    header, *rows = read_csv(client.get(url, {"sort": sort, "_export": "csv"}))
    exported = [row[header.index("name")] for row in rows]
    assert exported == shown and len(exported) == 61
