import datetime
import json

import pytest
from rest_framework.test import APIClient

from agreements.models import Agreement, CooperationArea, Party
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
    CooperationConditionFactory,
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    IscedFieldFactory,
    MobilityFigureFactory,
    PersonFactory,
    SourceFactory,
    agreement_between,
)


def area(code: str) -> CooperationArea:
    return CooperationArea.objects.get_or_create(code=code)[0]


class TestAgreementAPI(APIResourceTests):
    model = Agreement
    basename = "agreement"
    query_ceiling = 8
    read_fields = (
        "id",
        "title",
        "event",
        "event_title",
        "areas",
        "parties",
        "conditions",
        "document",
        "sources",
        "created_at",
    )

    def make(self) -> Agreement:
        kz = InstitutionFactory()
        az = InstitutionFactory(country="AZ", city="Baku")
        agreement = agreement_between(kz, az, event=EventFactory())
        Party.objects.filter(agreement=agreement, institution=kz).update(signatory=PersonFactory())
        agreement.areas.add(area("student_exchange"), area("joint_research"))
        condition = CooperationConditionFactory(
            agreement=agreement, sending_institution=kz, receiving_institution=az
        )
        condition.subject_areas.add(IscedFieldFactory(code="05"))
        agreement.sources.add(SourceFactory())
        return agreement

    def create_payload(self) -> dict:
        kz = InstitutionFactory(name="Al-Farabi Kazakh National University")
        az = InstitutionFactory(name="Baku State University", country="AZ")
        area("student_exchange")
        IscedFieldFactory(code="0511", level="detailed")
        return {
            "reference_code": "KZ-AZ-2025-001",
            "title": "Memorandum of cooperation",
            "kind": "memorandum",
            "level": "inter_institutional",
            "status": "signed",
            "event": EventFactory().pk,
            "signed_on": "2025-04-06",
            "valid_from": "2025-04-06",
            "valid_until": "2030-04-05",
            "areas": ["student_exchange"],
            "parties": [
                {"institution": kz.pk, "signatory": PersonFactory().pk},
                {"institution": az.pk, "signed_on": "2025-04-06"},
            ],
            "conditions": [
                {
                    "sending_institution": kz.pk,
                    "receiving_institution": az.pk,
                    "mobility_type": "student_studies",
                    "levels": ["6", "7"],
                    "subject_areas": ["0511"],
                    "places_per_year": 5,
                    "months_per_year": 25.0,
                    "first_academic_year": "2025/2026",
                    # Required: the agreement ends on 2030-04-05.
                    "last_academic_year": "2029/2030",
                }
            ],
            "sources": [SourceFactory().pk],
        }

    def update_payload(self, obj: Agreement) -> dict:
        parties = list(obj.parties.all())
        return {
            "title": "Exchange agreement",
            "kind": "exchange",
            "status": "in_effect",
            "signed_on": "2024-01-10",
            "valid_until": None,
            # Two parties stay (the register's rule); the first keeps its id.
            "parties": [
                {"id": parties[0].pk, "institution": parties[0].institution_id},
                {"institution": parties[1].institution_id},
            ],
        }

    def partial_payload(self, obj: Agreement) -> dict:
        return {"description": "Renewed at the forum.", "areas": ["joint_research"]}

    def test_read_shows_parties_names_and_countries(self):
        agreement = self.make()
        body = self.get(agreement)
        assert {(p["institution_name"], p["country"]) for p in body["parties"]} == {
            (party.institution.name, party.institution.country.code)
            for party in agreement.parties.all()
        }
        assert body["event_title"] == agreement.event.title
        assert body["conditions"][0]["subject_areas"] == ["05"]

    # -- one case per filter

    def case_q(self) -> FilterCase:
        atyrau = InstitutionFactory(name="Atyrau University")
        InstitutionNameFactory(institution=atyrau, name="Атырауский университет")
        by_party = agreement_between(atyrau, InstitutionFactory(country="AZ"))
        by_title = AgreementFactory(title="Atyrau oil programme")
        other = AgreementFactory(title="Something else")
        # Latin finds the title and the party; the party's Cyrillic name is found in any script.
        return FilterCase({"q": "atyrau"}, [by_party, by_title], [other])

    def test_q_finds_a_party_by_a_name_in_another_script(self):
        atyrau = InstitutionFactory(name="Atyrau University")
        mine = agreement_between(atyrau, InstitutionFactory(country="AZ"))
        titled = AgreementFactory(title="Atyrau oil programme", signed_on=datetime.date(2020, 1, 1))
        AgreementFactory(title="Aktau oil programme")
        response = APIClient().get(self.list_url(), {"q": "Атырау"})
        # A title too, in any script (agreements.SearchKey holds it folded).
        assert [row["id"] for row in response.json()["results"]] == [mine.pk, titled.pk]

    def case_kind(self) -> FilterCase:
        dual = AgreementFactory(kind="dual_degree")
        memo = AgreementFactory()
        return FilterCase({"kind": "dual_degree"}, [dual], [memo])

    def case_level(self) -> FilterCase:
        government = AgreementFactory(level="intergovernmental")
        university = AgreementFactory()
        return FilterCase({"level": "intergovernmental"}, [government], [university])

    def case_status(self) -> FilterCase:
        # Anonymous readers never see drafts (tests/security/test_visibility.py).
        in_effect = AgreementFactory(status="in_effect")
        expired = AgreementFactory(status="expired")
        signed = AgreementFactory()
        return FilterCase({"status": ["in_effect", "expired"]}, [in_effect, expired], [signed])

    def case_area(self) -> FilterCase:
        research = AgreementFactory()
        research.areas.add(area("joint_research"), area("internships"))
        other = AgreementFactory()
        other.areas.add(area("conferences"))
        return FilterCase({"area": ["joint_research", "internships"]}, [research], [other])

    def case_signed_after(self) -> FilterCase:
        old = AgreementFactory(signed_on=datetime.date(2019, 5, 1))
        new = AgreementFactory(signed_on=datetime.date(2025, 4, 6))
        return FilterCase({"signed_after": "2025-01-01"}, [new], [old])

    def case_signed_before(self) -> FilterCase:
        old = AgreementFactory(signed_on=datetime.date(2019, 5, 1))
        new = AgreementFactory(signed_on=datetime.date(2025, 4, 6))
        return FilterCase({"signed_before": "2019-05-01"}, [old], [new])

    def case_valid_from_after(self) -> FilterCase:
        old = AgreementFactory(valid_from=datetime.date(2019, 5, 1))
        new = AgreementFactory(valid_from=datetime.date(2025, 4, 6))
        return FilterCase({"valid_from_after": "2025-04-06"}, [new], [old])

    def case_valid_from_before(self) -> FilterCase:
        old = AgreementFactory(valid_from=datetime.date(2019, 5, 1))
        new = AgreementFactory(valid_from=datetime.date(2025, 4, 6))
        return FilterCase({"valid_from_before": "2020-01-01"}, [old], [new])

    def case_valid_until_after(self) -> FilterCase:
        short = AgreementFactory(valid_until=datetime.date(2026, 1, 1))
        long = AgreementFactory(valid_until=datetime.date(2035, 1, 1))
        return FilterCase({"valid_until_after": "2030-01-01"}, [long], [short])

    def case_valid_until_before(self) -> FilterCase:
        short = AgreementFactory(valid_until=datetime.date(2026, 1, 1))
        long = AgreementFactory(valid_until=datetime.date(2035, 1, 1))
        return FilterCase({"valid_until_before": "2026-12-31"}, [short], [long])

    def case_expiring_within(self) -> FilterCase:
        today = datetime.date.today()
        soon = AgreementFactory(
            signed_on=today - datetime.timedelta(days=400),
            valid_from=today - datetime.timedelta(days=400),
            valid_until=today + datetime.timedelta(days=30),
        )
        later = AgreementFactory(valid_until=today + datetime.timedelta(days=400))
        lapsed = AgreementFactory(
            status="expired",
            signed_on=today - datetime.timedelta(days=400),
            valid_from=today - datetime.timedelta(days=400),
            valid_until=today + datetime.timedelta(days=10),
        )
        return FilterCase({"expiring_within": "90"}, [soon], [later, lapsed])

    def case_event_id(self) -> FilterCase:
        event = EventFactory()
        signed_there = AgreementFactory(event=event)
        elsewhere = AgreementFactory(event=EventFactory())
        return FilterCase({"event_id": str(event.pk)}, [signed_there], [elsewhere])

    def case_institution_id(self) -> FilterCase:
        kz = InstitutionFactory()
        mine = agreement_between(kz, InstitutionFactory(country="AZ"))
        other = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
        return FilterCase({"institution_id": str(kz.pk)}, [mine], [other])

    def case_partner_country(self) -> FilterCase:
        kz_az = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
        kz_tr = agreement_between(InstitutionFactory(), InstitutionFactory(country="TR"))
        kz_kz = agreement_between(InstitutionFactory(), InstitutionFactory())
        return FilterCase({"partner_country": ["AZ", "TR"]}, [kz_az, kz_tr], [kz_kz])

    def case_country_pair(self) -> FilterCase:
        kz_az = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
        kz_tr = agreement_between(InstitutionFactory(), InstitutionFactory(country="TR"))
        az_tr = agreement_between(
            InstitutionFactory(country="AZ"), InstitutionFactory(country="TR")
        )
        return FilterCase({"country_pair": "az,kz"}, [kz_az], [kz_tr, az_tr])

    def case_parent_id(self) -> FilterCase:
        framework = AgreementFactory(kind="framework", level="intergovernmental")
        protocol = AgreementFactory(kind="protocol", parent=framework)
        return FilterCase({"parent_id": str(framework.pk)}, [protocol], [framework])

    def case_renews_id(self) -> FilterCase:
        first = AgreementFactory(status="expired")
        renewal = AgreementFactory(renews=first)
        return FilterCase({"renews_id": str(first.pk)}, [renewal], [first])

    def case_is_public(self) -> FilterCase:
        public = AgreementFactory()
        hidden = AgreementFactory(is_public=False)
        return FilterCase({"is_public": "true"}, [public], [hidden])

    def case_has_document(self) -> FilterCase:
        scanned = AgreementFactory(document="agreements/2025/scan.pdf")
        unscanned = AgreementFactory()
        return FilterCase({"has_document": "true"}, [scanned], [unscanned])

    def case_in_force(self) -> FilterCase:
        today = datetime.date.today()
        open_ended = AgreementFactory(valid_until=None)
        current = AgreementFactory(valid_until=today + datetime.timedelta(days=1))
        lapsed = AgreementFactory(
            signed_on=today - datetime.timedelta(days=900),
            valid_from=today - datetime.timedelta(days=900),
            valid_until=today - datetime.timedelta(days=1),
        )
        terminated = AgreementFactory(status="terminated", terminated_on=today, valid_until=None)
        return FilterCase({"in_force": "true"}, [open_ended, current], [lapsed, terminated])

    def case_state(self) -> FilterCase:
        today = datetime.date.today()
        running = AgreementFactory(valid_until=None)
        renewal = AgreementFactory(
            signed_on=today, valid_from=today + datetime.timedelta(days=1), valid_until=None
        )
        ended = AgreementFactory(status="expired")
        return FilterCase({"state": "not_yet_in_force"}, [renewal], [running, ended])

    def case_dormant(self) -> FilterCase:
        quiet = AgreementFactory(valid_until=None)
        busy = AgreementFactory(valid_until=None)
        MobilityFigureFactory(agreement=busy, year=datetime.date.today().year)
        draft = AgreementFactory(status="draft", signed_on=None)
        return FilterCase({"dormant": "1"}, [quiet], [busy, draft])

    def case_source_id(self) -> FilterCase:
        source = SourceFactory()
        cited = AgreementFactory()
        cited.sources.add(source)
        other = AgreementFactory()
        return FilterCase({"source_id": str(source.pk)}, [cited], [other])


@pytest.mark.django_db
class TestAgreementRules:
    def client(self):
        return token_client(user_with_permissions("editor", Agreement, ["add", "change", "delete"]))

    def payload(self, **changes) -> dict:
        # Two parties, as the register's rules want (tests/test_register_rules.py).
        parties = [
            {"institution": InstitutionFactory().pk},
            {"institution": InstitutionFactory(country="AZ").pk},
        ]
        return {"title": "Memorandum", "kind": "memorandum", "parties": parties, **changes}

    def test_valid_until_before_valid_from_is_400_on_the_field(self):
        response = self.client().post(
            "/api/agreements/",
            self.payload(signed_on=None, valid_from="2025-01-01", valid_until="2024-01-01"),
        )
        assert response.status_code == 400
        assert field_errors(response) == {
            "/valid_until": ["“Valid until” cannot be before “valid from”."]
        }

    def test_duplicate_reference_code_is_400_on_the_field(self):
        AgreementFactory(reference_code="KZ-AZ-1")
        response = self.client().post("/api/agreements/", self.payload(reference_code="KZ-AZ-1"))
        assert response.status_code == 400
        assert list(field_errors(response)) == ["/reference_code"]

    def test_draft_with_signing_date_is_refused_as_in_the_admin(self):
        response = self.client().post(
            "/api/agreements/", self.payload(status="draft", signed_on="2025-01-01")
        )
        assert response.status_code == 400
        assert "/signed_on" in field_errors(response)

    def test_termination_date_only_when_terminated(self):
        response = self.client().post("/api/agreements/", self.payload(terminated_on="2025-01-01"))
        assert response.status_code == 400
        assert "/terminated_on" in field_errors(response)

    def test_same_party_twice_saves_nothing(self):
        kz = InstitutionFactory()
        response = self.client().post(
            "/api/agreements/",
            self.payload(parties=[{"institution": kz.pk}, {"institution": kz.pk}]),
        )
        assert response.status_code == 400
        assert field_errors(response)["/parties"] == [
            f"{kz.name} is a party twice.",
            "An agreement has two or more parties, each a different institution.",
        ]
        assert not Agreement.objects.exists()

    def test_condition_to_itself_is_400_on_receiving_institution(self):
        kz = InstitutionFactory()
        response = self.client().post(
            "/api/agreements/",
            self.payload(
                conditions=[
                    {
                        "sending_institution": kz.pk,
                        "receiving_institution": kz.pk,
                        "mobility_type": "staff_teaching",
                        "first_academic_year": "2025/2026",
                    }
                ]
            ),
        )
        assert response.status_code == 400
        assert "/conditions/0/receiving_institution" in field_errors(response)
        assert not Agreement.objects.exists()

    def test_bad_academic_year_is_400(self):
        kz, az = InstitutionFactory(), InstitutionFactory(country="AZ")
        response = self.client().post(
            "/api/agreements/",
            self.payload(
                conditions=[
                    {
                        "sending_institution": kz.pk,
                        "receiving_institution": az.pk,
                        "mobility_type": "staff_teaching",
                        "first_academic_year": "2025/2027",
                    }
                ]
            ),
        )
        assert response.status_code == 400
        assert "/conditions/0/first_academic_year" in field_errors(response)

    def test_parties_are_replaced_by_id(self):
        kz, az, tr = InstitutionFactory(), InstitutionFactory(country="AZ"), InstitutionFactory()
        agreement = agreement_between(kz, az)
        kept = agreement.parties.get(institution=kz)
        response = self.client().patch(
            f"/api/agreements/{agreement.pk}/",
            {
                "parties": [
                    {"id": kept.pk, "institution": kz.pk, "signed_on": "2025-04-06"},
                    {"institution": tr.pk},
                ]
            },
        )
        assert response.status_code == 200, response.content
        assert set(agreement.parties.values_list("institution_id", flat=True)) == {kz.pk, tr.pk}
        kept.refresh_from_db()
        assert kept.signed_on == datetime.date(2025, 4, 6)

    def test_patch_without_parties_keeps_them(self):
        agreement = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
        response = self.client().patch(f"/api/agreements/{agreement.pk}/", {"title": "Renamed"})
        assert response.status_code == 200
        assert agreement.parties.count() == 2

    def test_deleting_a_framework_with_protocols_is_409(self):
        framework = AgreementFactory(kind="framework")
        AgreementFactory(kind="protocol", parent=framework)
        response = self.client().delete(f"/api/agreements/{framework.pk}/")
        assert response.status_code == 409
        assert Agreement.objects.filter(pk=framework.pk).exists()

    def test_deleting_an_agreement_removes_its_parties(self):
        agreement = agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"))
        assert self.client().delete(f"/api/agreements/{agreement.pk}/").status_code == 204
        assert not Party.objects.exists()

    def test_export_lists_parties_in_one_cell(self):
        kz = InstitutionFactory(name="Казахский национальный университет")
        az = InstitutionFactory(name="Bakı Dövlət Universiteti", country="AZ")
        agreement_between(kz, az)
        body = APIClient().get("/api/agreements/").json()["results"][0]
        rows = read_csv(APIClient().get("/api/agreements/", {"format": "csv"}))
        header = rows[0]
        # The columns are the JSON keys, every one of them, in the JSON's order.
        assert header == list(body)
        assert header[:3] == ["id", "reference_code", "title"]
        assert {"conditions", "version", "parties"} <= set(header)
        # A list is one cell holding the JSON array, as the JSON has it (ids included).
        parties = json.loads(rows[1][header.index("parties")])
        assert parties == body["parties"]
        assert [p["institution_name"] for p in parties] == [
            "Казахский национальный университет",
            "Bakı Dövlət Universiteti",
        ]
        assert [p["country"] for p in parties] == ["KZ", "AZ"] and parties[0]["id"]
        sheet = read_xlsx(APIClient().get("/api/agreements/", {"format": "xlsx"}))
        assert list(sheet[0]) == header
        assert json.loads(sheet[1][header.index("parties")]) == parties
        assert sheet[1][header.index("signed_on")] == datetime.datetime(2025, 4, 6)
        assert isinstance(sheet[1][header.index("created_at")], datetime.datetime)


@pytest.mark.django_db
class TestAgreementStats:
    def make_register(self) -> None:
        kz, kz2 = InstitutionFactory(), InstitutionFactory()
        az, tr = InstitutionFactory(country="AZ"), InstitutionFactory(country="TR")
        agreement_between(kz, az, signed_on=datetime.date(2024, 5, 1))
        agreement_between(kz2, az, signed_on=datetime.date(2025, 4, 6))
        agreement_between(az, kz2, signed_on=datetime.date(2025, 4, 6), status="in_effect")
        agreement_between(kz, tr, signed_on=datetime.date(2025, 4, 6), kind="dual_degree")
        agreement_between(kz, az, status="draft", signed_on=None)

    def test_counts_by_year_default(self):
        self.make_register()
        # An analyst counts the draft too; the public does not (it is not public).
        analyst = APIClient()
        analyst.force_authenticate(user_with_permissions("analyst", Agreement, ["view"]))
        body = analyst.get("/api/agreements/stats/").json()
        assert body["group_by"] == ["year"]
        assert body["total"] == 5
        assert body["results"] == [
            {"year": 2024, "count": 1},
            {"year": 2025, "count": 3},
            {"year": None, "count": 1},
        ]
        body = APIClient().get("/api/agreements/stats/").json()
        assert body["total"] == 4
        assert body["results"] == [{"year": 2024, "count": 1}, {"year": 2025, "count": 3}]

    def test_counts_by_country_pair_and_status_honour_filters(self):
        self.make_register()
        body = (
            APIClient()
            .get(
                "/api/agreements/stats/",
                {"group_by": "country_pair,status", "signed_after": "2025-01-01"},
            )
            .json()
        )
        assert body["total"] == 3
        assert body["results"] == [
            {"country_pair": "AZ-KZ", "status": "in_effect", "count": 1},
            {"country_pair": "AZ-KZ", "status": "signed", "count": 1},
            {"country_pair": "KZ-TR", "status": "signed", "count": 1},
        ]

    def test_stats_as_csv_and_xlsx(self):
        self.make_register()
        rows = read_csv(
            APIClient().get("/api/agreements/stats/", {"group_by": "kind", "format": "csv"})
        )
        assert rows == [["kind", "count"], ["dual_degree", "1"], ["memorandum", "3"]]
        sheet = read_xlsx(
            APIClient().get("/api/agreements/stats/", {"group_by": "kind", "format": "xlsx"})
        )
        assert sheet == [["kind", "count"], ["dual_degree", 1], ["memorandum", 3]]

    def test_unknown_dimension_and_filter_are_400(self):
        response = APIClient().get("/api/agreements/stats/", {"group_by": "year,colour"})
        assert response.status_code == 400
        assert "group_by" in field_errors(response)
        response = APIClient().get("/api/agreements/stats/", {"signed_after": "yesterday"})
        assert response.status_code == 400
        assert "signed_after" in field_errors(response)
        response = APIClient().get("/api/agreements/stats/", {"page": "2"})
        assert response.status_code == 400
        assert "page" in field_errors(response)
