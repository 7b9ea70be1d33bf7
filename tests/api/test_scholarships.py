import pytest
from rest_framework.test import APIClient

from mobility.models import ScholarshipAllocation, ScholarshipProgramme
from tests.base import (
    APIResourceTests,
    FilterCase,
    field_errors,
    token_client,
    user_with_permissions,
)
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    ScholarshipAllocationFactory,
    ScholarshipProgrammeFactory,
    SourceFactory,
)


class TestScholarshipAPI(APIResourceTests):
    model = ScholarshipProgramme
    basename = "scholarship"
    query_ceiling = 4
    read_fields = ("id", "name", "allocations", "eligible_countries", "levels", "created_at")

    def make(self) -> ScholarshipProgramme:
        programme = ScholarshipProgrammeFactory(
            funder_institution=InstitutionFactory(),
            host_institution=InstitutionFactory(),
            levels=["6", "7"],
        )
        ScholarshipAllocationFactory(programme=programme, year=2024, places_offered=10)
        ScholarshipAllocationFactory(programme=programme, year=2025, places_awarded=8)
        programme.sources.add(SourceFactory())
        return programme

    def create_payload(self) -> dict:
        return {
            "name": "Heydar Aliyev scholarship",
            "kind": "intergovernmental_quota",
            "funder_country": "AZ",
            "host_country": "AZ",
            "eligible_countries": ["KZ"],
            "levels": ["6", "7", "8"],
            "agreement": AgreementFactory().pk,
            "allocations": [
                {"year": 2025, "level": "6", "places_offered": 20},
                {"year": 2025, "level": "7", "places_offered": 10, "places_awarded": 9},
            ],
        }

    def update_payload(self, obj: ScholarshipProgramme) -> dict:
        return {
            "name": "Government quota for foreign students",
            "kind": "government_quota",
            "funder_country": "KZ",
            "host_country": "KZ",
            "eligible_countries": [],
            "levels": [],
            "allocations": [{"year": 2026, "level": "all", "places_offered": 100}],
        }

    def partial_payload(self, obj: ScholarshipProgramme) -> dict:
        return {"description": "Paid monthly."}

    def case_q(self) -> FilterCase:
        named = ScholarshipProgrammeFactory(name="Presidential scholarship Bolashak")
        other = ScholarshipProgrammeFactory(name="Quota")
        return FilterCase({"q": "bolashak"}, [named], [other])

    def case_kind(self) -> FilterCase:
        named = ScholarshipProgrammeFactory(kind="named")
        quota = ScholarshipProgrammeFactory()
        return FilterCase({"kind": "named"}, [named], [quota])

    def case_funder_country(self) -> FilterCase:
        az = ScholarshipProgrammeFactory(funder_country="AZ", host_country="AZ")
        kz = ScholarshipProgrammeFactory()
        return FilterCase({"funder_country": "AZ"}, [az], [kz])

    def case_host_country(self) -> FilterCase:
        az = ScholarshipProgrammeFactory(host_country="AZ")
        kz = ScholarshipProgrammeFactory()
        return FilterCase({"host_country": "AZ"}, [az], [kz])

    def case_eligible_country(self) -> FilterCase:
        for_az = ScholarshipProgrammeFactory(eligible_countries=["AZ", "TR"])
        for_anyone = ScholarshipProgrammeFactory(eligible_countries=[])
        for_tr = ScholarshipProgrammeFactory(eligible_countries=["TR"])
        return FilterCase({"eligible_country": "AZ"}, [for_az, for_anyone], [for_tr])

    def case_country_pair(self) -> FilterCase:
        az_quota = ScholarshipProgrammeFactory(
            funder_country="AZ", host_country="AZ", eligible_countries=["KZ"]
        )
        held_in_kz = ScholarshipProgrammeFactory(
            funder_country="AZ", host_country="KZ", eligible_countries=["TR"]
        )
        kz_for_tr = ScholarshipProgrammeFactory(eligible_countries=["TR"])
        tr_for_az = ScholarshipProgrammeFactory(funder_country="TR", host_country="TR")
        return FilterCase({"country_pair": "KZ,AZ"}, [az_quota, held_in_kz], [kz_for_tr, tr_for_az])

    def case_level(self) -> FilterCase:
        doctoral = ScholarshipProgrammeFactory(levels=["7", "8"])
        bachelor = ScholarshipProgrammeFactory(levels=["6"])
        return FilterCase({"level": "8"}, [doctoral], [bachelor])

    def case_funder_institution_id(self) -> FilterCase:
        funder = InstitutionFactory()
        funded = ScholarshipProgrammeFactory(funder_institution=funder)
        other = ScholarshipProgrammeFactory()
        return FilterCase({"funder_institution_id": str(funder.pk)}, [funded], [other])

    def case_host_institution_id(self) -> FilterCase:
        host = InstitutionFactory()
        hosted = ScholarshipProgrammeFactory(host_institution=host)
        other = ScholarshipProgrammeFactory()
        return FilterCase({"host_institution_id": str(host.pk)}, [hosted], [other])

    def case_institution_id(self) -> FilterCase:
        institution = InstitutionFactory()
        funded = ScholarshipProgrammeFactory(funder_institution=institution)
        hosted = ScholarshipProgrammeFactory(host_institution=institution)
        other = ScholarshipProgrammeFactory()
        return FilterCase({"institution_id": str(institution.pk)}, [funded, hosted], [other])

    def case_agreement_id(self) -> FilterCase:
        agreement = AgreementFactory()
        established = ScholarshipProgrammeFactory(agreement=agreement)
        other = ScholarshipProgrammeFactory()
        return FilterCase({"agreement_id": str(agreement.pk)}, [established], [other])

    def case_year_min(self) -> FilterCase:
        old = ScholarshipAllocationFactory(year=2019).programme
        new = ScholarshipAllocationFactory(year=2025).programme
        return FilterCase({"year_min": "2020"}, [new], [old])

    def case_year_max(self) -> FilterCase:
        old = ScholarshipAllocationFactory(year=2019).programme
        new = ScholarshipAllocationFactory(year=2025).programme
        return FilterCase({"year_max": "2020"}, [old], [new])

    def case_source_id(self) -> FilterCase:
        source = SourceFactory()
        cited = ScholarshipProgrammeFactory()
        cited.sources.add(source)
        other = ScholarshipProgrammeFactory()
        return FilterCase({"source_id": str(source.pk)}, [cited], [other])

    def test_year_range_applies_to_one_allocation(self):
        programme = ScholarshipProgrammeFactory()
        ScholarshipAllocationFactory(programme=programme, year=2015)
        ScholarshipAllocationFactory(programme=programme, year=2025)
        response = APIClient().get(self.list_url(), {"year_min": "2018", "year_max": "2020"})
        assert response.json()["results"] == []


@pytest.mark.django_db
class TestScholarshipRules:
    def client(self):
        return token_client(
            user_with_permissions("editor", ScholarshipProgramme, ["add", "change"])
        )

    def test_allocation_without_numbers_is_400(self):
        response = self.client().post(
            "/api/scholarships/",
            {
                "name": "Empty",
                "kind": "named",
                "funder_country": "KZ",
                "host_country": "KZ",
                "allocations": [{"year": 2025}],
            },
        )
        assert response.status_code == 400
        assert "/allocations/0/places_awarded" in field_errors(response)
        assert not ScholarshipProgramme.objects.exists()

    def test_same_year_and_level_twice_is_400_on_year(self):
        response = self.client().post(
            "/api/scholarships/",
            {
                "name": "Twice",
                "kind": "named",
                "funder_country": "KZ",
                "host_country": "KZ",
                "allocations": [
                    {"year": 2025, "places_offered": 1},
                    {"year": 2025, "places_offered": 2},
                ],
            },
        )
        assert response.status_code == 400
        assert "/allocations/1/year" in field_errors(response)
        assert not ScholarshipAllocation.objects.exists()

    def test_unknown_level_is_400(self):
        response = self.client().post(
            "/api/scholarships/",
            {
                "name": "Levels",
                "kind": "named",
                "funder_country": "KZ",
                "host_country": "KZ",
                "levels": ["9"],
            },
        )
        assert response.status_code == 400
        assert "/levels/0" in field_errors(response)
