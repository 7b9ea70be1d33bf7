import datetime

import pytest
from rest_framework.test import APIClient

from mobility.models import MobilityFigure
from tests.base import (
    APIResourceTests,
    FilterCase,
    field_errors,
    read_csv,
    read_xlsx,
    token_client,
    user_with_permissions,
)
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    IscedFieldFactory,
    MobilityFigureFactory,
    SourceFactory,
)

TOTALS = "/api/mobility-figures/totals/"


class TestMobilityFigureAPI(APIResourceTests):
    model = MobilityFigure
    basename = "mobility-figure"
    query_ceiling = 2
    read_fields = (
        "id",
        "origin_country",
        "destination_country",
        "home_institution_name",
        "host_institution_name",
        "field",
        "field_name",
        "source",
        "source_title",
        "created_at",
    )

    def make(self) -> MobilityFigure:
        return MobilityFigureFactory(
            home_institution=InstitutionFactory(country="AZ"),
            host_institution=InstitutionFactory(),
            field=IscedFieldFactory(code="05"),
            agreement=AgreementFactory(),
        )

    def create_payload(self) -> dict:
        IscedFieldFactory(code="0511")
        return {
            "origin_country": "AZ",
            "destination_country": "KZ",
            "mobility_type": "degree_students",
            "level": "6",
            "field": "0511",
            "measure": "stock",
            "year": 2024,
            "as_of": "2024-10-01",
            "value": 333,
            "qualifier": "more_than",
            "host_institution_count": 58,
            "source": SourceFactory().pk,
        }

    def update_payload(self, obj: MobilityFigure) -> dict:
        return {
            "origin_country": "KZ",
            "destination_country": "AZ",
            "mobility_type": "credit_students",
            "measure": "flow",
            "year": 2025,
            "value": 12,
            "source": obj.source_id,
            "field": None,
        }

    def partial_payload(self, obj: MobilityFigure) -> dict:
        return {"value": 334, "notes": "Revised by the ministry."}

    def case_q(self) -> FilterCase:
        noted = MobilityFigureFactory(notes="According to the Ministry of Education")
        other = MobilityFigureFactory(source=SourceFactory(title="Trend article"))
        return FilterCase({"q": "ministry"}, [noted], [other])

    def case_origin(self) -> FilterCase:
        from_az = MobilityFigureFactory()
        from_kz = MobilityFigureFactory(origin_country="KZ", destination_country="AZ")
        return FilterCase({"origin": "AZ"}, [from_az], [from_kz])

    def case_destination(self) -> FilterCase:
        to_kz = MobilityFigureFactory()
        to_az = MobilityFigureFactory(origin_country="KZ", destination_country="AZ")
        return FilterCase({"destination": "AZ"}, [to_az], [to_kz])

    def case_country(self) -> FilterCase:
        az_kz = MobilityFigureFactory()
        kz_az = MobilityFigureFactory(origin_country="KZ", destination_country="AZ")
        tr_de = MobilityFigureFactory(origin_country="TR", destination_country="DE")
        return FilterCase({"country": "AZ"}, [az_kz, kz_az], [tr_de])

    def case_mobility_type(self) -> FilterCase:
        staff = MobilityFigureFactory(mobility_type="staff_teaching")
        students = MobilityFigureFactory()
        return FilterCase({"mobility_type": "staff_teaching"}, [staff], [students])

    def case_level(self) -> FilterCase:
        master = MobilityFigureFactory(level="7")
        every = MobilityFigureFactory()
        return FilterCase({"level": "7"}, [master], [every])

    def case_field(self) -> FilterCase:
        biology = MobilityFigureFactory(field=IscedFieldFactory(code="0511"))
        other = MobilityFigureFactory(field=IscedFieldFactory(code="0311"))
        return FilterCase({"field": "0511"}, [biology], [other])

    def case_sex(self) -> FilterCase:
        women = MobilityFigureFactory(sex="female")
        total = MobilityFigureFactory()
        return FilterCase({"sex": "female"}, [women], [total])

    def case_measure(self) -> FilterCase:
        stock = MobilityFigureFactory(measure="stock")
        flow = MobilityFigureFactory()
        return FilterCase({"measure": "stock"}, [stock], [flow])

    def case_qualifier(self) -> FilterCase:
        about = MobilityFigureFactory(qualifier="about")
        exact = MobilityFigureFactory()
        return FilterCase({"qualifier": "about"}, [about], [exact])

    def case_year_min(self) -> FilterCase:
        old = MobilityFigureFactory(year=2015)
        new = MobilityFigureFactory(year=2024)
        return FilterCase({"year_min": "2020"}, [new], [old])

    def case_year_max(self) -> FilterCase:
        old = MobilityFigureFactory(year=2015)
        new = MobilityFigureFactory(year=2024)
        return FilterCase({"year_max": "2020"}, [old], [new])

    def case_as_of_after(self) -> FilterCase:
        early = MobilityFigureFactory(measure="stock", year=2024, as_of=datetime.date(2024, 1, 1))
        late = MobilityFigureFactory(measure="stock", year=2024, as_of=datetime.date(2024, 10, 1))
        return FilterCase({"as_of_after": "2024-06-01"}, [late], [early])

    def case_as_of_before(self) -> FilterCase:
        early = MobilityFigureFactory(measure="stock", year=2024, as_of=datetime.date(2024, 1, 1))
        late = MobilityFigureFactory(measure="stock", year=2024, as_of=datetime.date(2024, 10, 1))
        return FilterCase({"as_of_before": "2024-06-01"}, [early], [late])

    def case_home_institution_id(self) -> FilterCase:
        home = InstitutionFactory(country="AZ")
        mine = MobilityFigureFactory(home_institution=home)
        other = MobilityFigureFactory()
        return FilterCase({"home_institution_id": str(home.pk)}, [mine], [other])

    def case_host_institution_id(self) -> FilterCase:
        host = InstitutionFactory()
        mine = MobilityFigureFactory(host_institution=host)
        other = MobilityFigureFactory()
        return FilterCase({"host_institution_id": str(host.pk)}, [mine], [other])

    def case_institution_id(self) -> FilterCase:
        institution = InstitutionFactory()
        outbound = MobilityFigureFactory(home_institution=institution)
        inbound = MobilityFigureFactory(host_institution=institution)
        other = MobilityFigureFactory()
        return FilterCase({"institution_id": str(institution.pk)}, [outbound, inbound], [other])

    def case_agreement_id(self) -> FilterCase:
        agreement = AgreementFactory()
        under = MobilityFigureFactory(agreement=agreement)
        other = MobilityFigureFactory()
        return FilterCase({"agreement_id": str(agreement.pk)}, [under], [other])

    def case_source_id(self) -> FilterCase:
        source = SourceFactory()
        stated = MobilityFigureFactory(source=source)
        other = MobilityFigureFactory()
        return FilterCase({"source_id": str(source.pk)}, [stated], [other])

    def case_publisher(self) -> FilterCase:
        azertac = MobilityFigureFactory(source=SourceFactory(publisher="AZERTAC"))
        trend = MobilityFigureFactory()
        return FilterCase({"publisher": "azertac"}, [azertac], [trend])


@pytest.mark.django_db
class TestMobilityFigureRules:
    def client(self):
        return token_client(user_with_permissions("editor", MobilityFigure, ["add", "change"]))

    def payload(self, **changes) -> dict:
        return {
            "origin_country": "AZ",
            "destination_country": "KZ",
            "mobility_type": "students",
            "measure": "flow",
            "year": 2024,
            "value": 1,
            "source": SourceFactory().pk,
            **changes,
        }

    def test_origin_equal_to_destination_is_400_on_destination(self):
        response = self.client().post(
            "/api/mobility-figures/", self.payload(destination_country="AZ")
        )
        assert response.status_code == 400
        assert field_errors(response) == {
            "/destination_country": ["Origin and destination must be different countries."]
        }

    def test_as_of_for_a_flow_is_400_on_as_of(self):
        response = self.client().post("/api/mobility-figures/", self.payload(as_of="2024-01-01"))
        assert response.status_code == 400
        assert "/as_of" in field_errors(response)

    def test_same_figure_from_the_same_source_twice_is_400(self):
        payload, client = self.payload(), self.client()
        assert client.post("/api/mobility-figures/", payload).status_code == 201
        response = client.post("/api/mobility-figures/", payload)
        assert response.status_code == 400
        assert field_errors(response) == {
            "": ["This source already gives a figure for exactly these dimensions."]
        }

    def test_unknown_field_code_is_400(self):
        response = self.client().post("/api/mobility-figures/", self.payload(field="9999"))
        assert response.status_code == 400
        assert "/field" in field_errors(response)


@pytest.mark.django_db
class TestMobilityTotals:
    def make_figures(self) -> None:
        early = SourceFactory(published_on=datetime.date(2024, 1, 1))
        late = SourceFactory(published_on=datetime.date(2025, 1, 1))
        # Two sources disagree on the same flow: the later one counts.
        MobilityFigureFactory(year=2023, value=300, source=early)
        MobilityFigureFactory(year=2023, value=333, source=late, qualifier="more_than")
        MobilityFigureFactory(year=2024, value=400, source=late)
        # A breakdown of 2024 by level: not added to the "all levels" figure.
        MobilityFigureFactory(year=2024, value=150, level="6", source=late)
        MobilityFigureFactory(year=2024, value=250, level="7", source=late)
        # The other direction, and a stock: never added to a flow.
        MobilityFigureFactory(
            year=2024, value=20, origin_country="KZ", destination_country="AZ", source=late
        )
        MobilityFigureFactory(
            year=2024, value=999, measure="stock", as_of=datetime.date(2024, 10, 1), source=late
        )

    def test_default_groups_by_year_and_direction(self):
        self.make_figures()
        body = APIClient().get(TOTALS).json()
        assert body["group_by"] == ["year", "origin", "destination"]
        rows = [
            (r["year"], r["origin"], r["destination"], r["measure"], r["value"], r["approximate"])
            for r in body["results"]
        ]
        assert rows == [
            (2023, "AZ", "KZ", "flow", 333, True),
            (2024, "AZ", "KZ", "flow", 400, False),
            (2024, "AZ", "KZ", "stock", 999, False),
            (2024, "KZ", "AZ", "flow", 20, False),
        ]

    def test_group_by_level_counts_each_level_once(self):
        self.make_figures()
        body = (
            APIClient()
            .get(
                TOTALS, {"group_by": "level", "year_min": "2024", "measure": "flow", "origin": "AZ"}
            )
            .json()
        )
        assert [(r["level"], r["value"], r["figures"]) for r in body["results"]] == [
            ("6", 150, 1),
            ("7", 250, 1),
            ("all", 400, 1),
        ]

    def test_filtering_a_level_counts_its_figures(self):
        self.make_figures()
        body = APIClient().get(TOTALS, {"group_by": "year", "level": ["6", "7"]}).json()
        assert [(r["year"], r["value"]) for r in body["results"]] == [(2024, 400)]

    def test_totals_as_csv_and_xlsx(self):
        self.make_figures()
        params = {"group_by": "year,origin", "measure": "flow", "format": "csv"}
        rows = read_csv(APIClient().get(TOTALS, params))
        assert rows[0] == [
            "year",
            "origin",
            "measure",
            "value",
            "qualifier",
            "text",
            "approximate",
            "as_of",
            "figures",
            "sources",
            "alternatives",
            "earlier",
            "breakdowns",
        ]
        # 2023: the later source's "more than 333" (the earlier source's 300 left out);
        # 2024: the all-levels 400, its two level breakdowns left out.
        assert rows[1:] == [
            ["2023", "AZ", "flow", "333", "more_than", "more than 333", "true", "", "1", "1"]
            + ["1", "0", "0"],
            ["2024", "AZ", "flow", "400", "exact", "400", "false", "", "1", "1", "0", "0", "2"],
            ["2024", "KZ", "flow", "20", "exact", "20", "false", "", "1", "1", "0", "0", "0"],
        ]
        sheet = read_xlsx(APIClient().get(TOTALS, {**params, "format": "xlsx"}))
        assert sheet[0] == rows[0]
        assert sheet[1][:7] == [2023, "AZ", "flow", 333, "more_than", "more than 333", True]
        assert len(sheet) == len(rows)

    def test_accept_header_selects_csv(self):
        self.make_figures()
        response = APIClient().get(TOTALS, HTTP_ACCEPT="text/csv")
        assert response["Content-Type"].startswith("text/csv")
        assert read_csv(response)[0][:3] == ["year", "origin", "destination"]

    def test_unknown_group_is_400(self):
        response = APIClient().get(TOTALS, {"group_by": "planet"})
        assert response.status_code == 400
        assert "group_by" in field_errors(response)

    def test_totals_query_count_is_flat(self, django_assert_max_num_queries):
        self.make_figures()
        # The totals are one statement (on PostgreSQL inside a savepoint that sets its sort
        # memory: 2 queries on SQLite, 5 on PostgreSQL), however many figures.
        with django_assert_max_num_queries(5):
            APIClient().get(TOTALS, {"group_by": "year,field"})
