import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.base import (
    APIResourceTests,
    FilterCase,
    field_errors,
    problem,
    read_csv,
    read_xlsx,
    token_client,
    user_with_permissions,
)
from tests.factories import (
    InstitutionFactory,
    InstitutionNameFactory,
    SourceFactory,
    agreement_between,
)
from universities.models import Institution, InstitutionName


class TestInstitutionAPI(APIResourceTests):
    model = Institution
    basename = "institution"
    query_ceiling = 5  # the page, its count, names, sources, the page's own counts
    read_fields = ("id", "name", "names", "agreement_count", "partner_count", "created_at")

    def make(self) -> Institution:
        institution = InstitutionFactory(parent=InstitutionFactory(country="TR", city="Ankara"))
        InstitutionNameFactory(institution=institution, name="Университет", language="ru")
        InstitutionNameFactory(institution=institution, name="AU", kind="acronym", language="")
        institution.sources.add(SourceFactory())
        return institution

    def create_payload(self) -> dict:
        return {
            "name": "Atyrau University",
            "kind": "university",
            "country": "KZ",
            "city": "Atyrau",
            "latitude": 47.1,
            "founded_year": 1950,
            "names": [
                {"name": "Атырауский университет", "language": "ru", "kind": "label"},
                {"name": "Атырау университеті", "language": "kk", "kind": "label"},
            ],
            "sources": [SourceFactory().pk],
        }

    def update_payload(self, obj: Institution) -> dict:
        return {
            "name": "Baku State University",
            "kind": "university",
            "country": "AZ",
            "city": "Baku",
            "status": "active",
            "ror_id": "05nmhtv58",
            "names": [{"name": "Bakı Dövlət Universiteti", "language": "az", "kind": "label"}],
        }

    def partial_payload(self, obj: Institution) -> dict:
        return {"city": "Aktau", "website": "https://example.kz/"}

    # -- one case per filter

    def case_q(self) -> FilterCase:
        atyrau = InstitutionFactory(name="Atyrau University")
        InstitutionNameFactory(institution=atyrau, name="Атырауский университет", language="ru")
        other = InstitutionFactory(name="Baku State University", country="AZ")
        return FilterCase({"q": "атырауский"}, [atyrau], [other])

    def case_kind(self) -> FilterCase:
        ministry = InstitutionFactory(kind="government")
        university = InstitutionFactory()
        return FilterCase({"kind": "government"}, [ministry], [university])

    def case_status(self) -> FilterCase:
        closed = InstitutionFactory(status="closed")
        active = InstitutionFactory()
        return FilterCase({"status": ["closed"]}, [closed], [active])

    def case_country(self) -> FilterCase:
        kz = InstitutionFactory(country="KZ")
        az = InstitutionFactory(country="AZ")
        InstitutionFactory(country="TR")
        return FilterCase({"country": ["kz", "AZ"]}, [kz, az])

    def case_city(self) -> FilterCase:
        aktau = InstitutionFactory(city="Aktau")
        almaty = InstitutionFactory(city="Almaty")
        return FilterCase({"city": "akt"}, [aktau], [almaty])

    def case_parent_id(self) -> FilterCase:
        home = InstitutionFactory(country="TR")
        branch = InstitutionFactory(parent=home, kind="branch_campus")
        return FilterCase({"parent_id": str(home.pk)}, [branch], [home])

    def case_merged_into_id(self) -> FilterCase:
        survivor = InstitutionFactory()
        merged = InstitutionFactory(status="merged", merged_into=survivor)
        return FilterCase({"merged_into_id": str(survivor.pk)}, [merged], [survivor])

    def case_founded_year_min(self) -> FilterCase:
        old = InstitutionFactory(founded_year=1919)
        new = InstitutionFactory(founded_year=2001)
        return FilterCase({"founded_year_min": "2000"}, [new], [old])

    def case_founded_year_max(self) -> FilterCase:
        old = InstitutionFactory(founded_year=1919)
        new = InstitutionFactory(founded_year=2001)
        return FilterCase({"founded_year_max": "1919"}, [old], [new])

    def case_ror_id(self) -> FilterCase:
        with_ror = InstitutionFactory(ror_id="05nmhtv58")
        other = InstitutionFactory()
        return FilterCase({"ror_id": "05nmhtv58"}, [with_ror], [other])

    def case_has_ror_id(self) -> FilterCase:
        with_ror = InstitutionFactory(ror_id="05nmhtv58")
        without = InstitutionFactory()
        return FilterCase({"has_ror_id": "false"}, [without], [with_ror])

    def case_partner_country(self) -> FilterCase:
        kz = InstitutionFactory(country="KZ")
        az = InstitutionFactory(country="AZ", city="Baku")
        kz_only = InstitutionFactory(country="KZ")
        kz_other = InstitutionFactory(country="KZ")
        agreement_between(kz, az)
        agreement_between(kz_only, kz_other)
        # KZ institutions whose partners are in AZ: only kz (kz_only's partner is in KZ).
        return FilterCase({"partner_country": "AZ"}, [kz], [az, kz_only, kz_other])

    def case_country_pair(self) -> FilterCase:
        kz = InstitutionFactory(country="KZ")
        az = InstitutionFactory(country="AZ", city="Baku")
        kz_only = InstitutionFactory(country="KZ")
        kz_other = InstitutionFactory(country="KZ")
        tr = InstitutionFactory(country="TR")
        agreement_between(kz, az)
        agreement_between(kz_only, kz_other)
        agreement_between(kz_only, tr)
        # Of KZ with a partner in AZ, or of AZ with a partner in KZ; a KZ-KZ or KZ-TR
        # agreement is not one of the pair's.
        return FilterCase({"country_pair": "KZ,AZ"}, [kz, az], [kz_only, kz_other, tr])

    def case_academic(self) -> FilterCase:
        university = InstitutionFactory(kind="university")
        academy = InstitutionFactory(kind="academy_of_sciences")
        government = InstitutionFactory(kind="government")
        other = InstitutionFactory(kind="other")
        return FilterCase({"academic": "true"}, [university, academy], [government, other])

    def case_partner_id(self) -> FilterCase:
        hub = InstitutionFactory()
        partner = InstitutionFactory(country="AZ")
        stranger = InstitutionFactory()
        agreement_between(hub, partner)
        return FilterCase({"partner_id": str(hub.pk)}, [partner], [hub, stranger])

    def case_source_id(self) -> FilterCase:
        source = SourceFactory()
        cited = InstitutionFactory()
        cited.sources.add(source)
        InstitutionFactory()
        return FilterCase({"source_id": str(source.pk)}, [cited])


@pytest.mark.django_db
class TestInstitutionRules:
    """What the admin refuses, the API refuses: the same messages, on the same fields."""

    def client(self):
        return token_client(
            user_with_permissions("editor", Institution, ["add", "change", "delete"])
        )

    def test_unique_name_per_country_is_400_on_name(self):
        InstitutionFactory(name="Nazarbayev University", country="KZ")
        response = self.client().post(
            "/api/institutions/", {"name": "Nazarbayev University", "country": "KZ"}
        )
        assert response.status_code == 400
        assert "/name" in field_errors(response)
        assert "already has an institution of that name" in field_errors(response)["/name"][0]

    def test_unique_ror_id_is_400_on_ror_id(self):
        InstitutionFactory(ror_id="05nmhtv58")
        response = self.client().post(
            "/api/institutions/", {"name": "Other", "country": "KZ", "ror_id": "05nmhtv58"}
        )
        assert response.status_code == 400
        assert list(field_errors(response)) == ["/ror_id"]

    def test_merged_needs_merged_into(self):
        response = self.client().post(
            "/api/institutions/", {"name": "Gone", "country": "KZ", "status": "merged"}
        )
        assert response.status_code == 400
        assert "/merged_into" in field_errors(response)

    def test_own_parent_is_refused(self):
        institution = InstitutionFactory()
        response = self.client().patch(
            f"/api/institutions/{institution.pk}/", {"parent": institution.pk}
        )
        assert response.status_code == 400
        assert "/parent" in field_errors(response)

    def test_latitude_out_of_range(self):
        response = self.client().post(
            "/api/institutions/", {"name": "Pole", "country": "KZ", "latitude": 91}
        )
        assert response.status_code == 400
        assert "/latitude" in field_errors(response)

    def test_deleting_a_party_is_409(self):
        kz, az = InstitutionFactory(), InstitutionFactory(country="AZ")
        agreement = agreement_between(kz, az)
        response = self.client().delete(f"/api/institutions/{kz.pk}/")
        assert response.status_code == 409
        body = problem(response, 409)
        assert body["code"] == "referenced"
        assert body["referenced_by"][0]["type"] == "party"
        assert Institution.objects.filter(pk=kz.pk).exists()
        assert agreement.parties.count() == 2

    def test_names_are_synchronised_and_searchable(self):
        institution = InstitutionFactory(name="Atyrau University")
        keep = InstitutionNameFactory(institution=institution, name="Атырау", language="ru")
        InstitutionNameFactory(institution=institution, name="Old", kind="former", language="")
        response = self.client().patch(
            f"/api/institutions/{institution.pk}/",
            {
                "names": [
                    {"id": keep.pk, "name": "Атырауский университет", "language": "ru"},
                    {"name": "AtU", "kind": "acronym"},
                ]
            },
        )
        assert response.status_code == 200, response.content
        names = {name.name for name in InstitutionName.objects.filter(institution=institution)}
        assert names == {"Атырауский университет", "AtU"}
        assert InstitutionName.objects.filter(pk=keep.pk).exists()
        found = APIClient().get("/api/institutions/", {"q": "атырауский"}).json()
        assert [row["id"] for row in found["results"]] == [institution.pk]
        assert not APIClient().get("/api/institutions/", {"q": "old"}).json()["results"]

    def test_bad_nested_name_leaves_nothing_behind(self):
        response = self.client().post(
            "/api/institutions/",
            {
                "name": "Half",
                "country": "KZ",
                "names": [
                    {"name": "Twice", "language": "en"},
                    {"name": "Twice", "language": "en"},
                ],
            },
        )
        assert response.status_code == 400
        errors = field_errors(response)
        assert list(errors) == ["/names/1/name"]
        assert "already recorded" in errors["/names/1/name"][0]
        assert not Institution.objects.filter(name="Half").exists()

    def test_foreign_name_id_is_refused(self):
        institution = InstitutionFactory()
        stranger = InstitutionNameFactory()
        response = self.client().patch(
            f"/api/institutions/{institution.pk}/",
            {"names": [{"id": stranger.pk, "name": "Mine now"}]},
        )
        assert response.status_code == 400
        assert "/names/0/id" in field_errors(response)
        stranger.refresh_from_db()
        assert stranger.name != "Mine now"

    def test_cyrillic_round_trips_through_csv_and_xlsx(self):
        InstitutionFactory(name="Казахский национальный университет имени аль-Фараби")
        rows = read_csv(APIClient().get("/api/institutions/", {"format": "csv"}))
        column = rows[0].index("name")
        assert rows[1][column] == "Казахский национальный университет имени аль-Фараби"
        sheet = read_xlsx(APIClient().get("/api/institutions/", {"format": "xlsx"}))
        assert sheet[1][column] == "Казахский национальный университет имени аль-Фараби"

    def test_export_neutralises_formulas(self):
        InstitutionFactory(name='=HYPERLINK("http://evil")')
        rows = read_csv(APIClient().get("/api/institutions/", {"format": "csv"}))
        assert rows[1][rows[0].index("name")].startswith("'=")
        response = APIClient().get("/api/institutions/", {"format": "xlsx"})
        cell = (
            load_workbook(io.BytesIO(response.content))
            .worksheets[0]
            .cell(row=2, column=rows[0].index("name") + 1)
        )
        assert cell.value == '=HYPERLINK("http://evil")'
        assert cell.data_type == "s", "kept as text, never a formula"
