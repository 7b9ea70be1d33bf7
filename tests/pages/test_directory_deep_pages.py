"""The directory's counts are computed for the rows shown (issue 18): a deep page costs
what the first does, and every path that shows a count (page, API, sort, export) still
shows the right one, only the agreements the reader may see counted."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from tests.base import read_csv
from tests.factories import InstitutionFactory, agreement_between
from universities.models import Institution

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
    assert [cell.split("<")[0] for cell in row.split('class="num">')[1:3]] == ["12", "12"]


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
