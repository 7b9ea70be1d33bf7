"""The directory's counts are computed for the rows shown (issue 18): a deep page costs
what the first does, and every path that shows a count (page, API, sort, export) still
shows the right one, only the agreements the reader may see counted."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from agreements.models import Party
from agreements.services import agreements_bulk_create
from cooperation import register_cache
from cooperation.roles import ANALYST, UNIVERSITY_EDITOR
from tests.base import read_csv
from tests.factories import InstitutionFactory, PartyFactory, agreement_between
from tests.security.helpers import make_user
from universities.models import Institution, InstitutionCount

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
    """Writes count as committed: the generation goes up at once (as in
    test_register_cache.py), so the sort reads its table of counts."""
    monkeypatch.setattr(
        register_cache.transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


def sorted_by_partners(client) -> list[tuple[str, int, int]]:
    answer = client.get("/api/institutions/", {"ordering": "-partner_count,name"}).json()
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


@pytest.mark.parametrize("role", ["anonymous", ANALYST, UNIVERSITY_EDITOR])
def test_sorting_by_a_count_follows_every_write(commit, role):
    hub = InstitutionFactory(name="Hub")
    a, b, c, d = (
        InstitutionFactory(name=name) for name in ("Aral", "Baikonur", "Caspian", "Dnipro")
    )
    agreement_between(hub, a)
    agreement_between(hub, d)
    agreement_between(hub, b, is_public=False)
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
    assert InstitutionCount.objects.exists() == (role != UNIVERSITY_EDITOR)  # read, not live


def test_a_sort_by_a_count_reads_a_table_built_once_per_generation(
    commit, client, directory, django_assert_max_num_queries
):
    url = reverse("universities:institution_list")
    client.get(url, {"sort": "-partner_count"})
    built = set(InstitutionCount.objects.values_list("visibility", "generation"))
    assert len(built) == 1
    with django_assert_max_num_queries(8):
        page = client.get(url, {"sort": "-partner_count", "page": 2, "per_page": 10})
    assert page.status_code == 200
    assert set(InstitutionCount.objects.values_list("visibility", "generation")) == built
    agreement_between(directory["others"][5], directory["others"][6])  # a new generation
    client.get(url, {"sort": "-agreement_count"})
    rebuilt = set(InstitutionCount.objects.values_list("visibility", "generation"))
    assert len(rebuilt) == 2 and built < rebuilt  # the previous build kept, for a moment
    agreement_between(directory["others"][7], directory["others"][8])
    client.get(url, {"sort": "partner_count"})
    latest = set(InstitutionCount.objects.values_list("visibility", "generation"))
    assert len(latest) == 2 and not built & latest  # older ones deleted
