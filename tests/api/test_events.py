import datetime

import pytest

from events.models import Event, Participation
from tests.base import (
    APIResourceTests,
    FilterCase,
    field_errors,
    token_client,
    user_with_permissions,
)
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    ParticipationFactory,
    PersonFactory,
    SourceFactory,
    StatedFigureFactory,
    agreement_between,
)


class TestEventAPI(APIResourceTests):
    model = Event
    basename = "event"
    query_ceiling = 6  # the events, organisers, participations, sources, stated figures
    read_fields = (
        "id",
        "title",
        "host_institution",
        "host_institution_name",
        "organisers",
        "participations",
        "sources",
        "stated_figures",
        "created_at",
    )

    def make(self) -> Event:
        event = EventFactory(host_institution=InstitutionFactory())
        event.organisers.add(InstitutionFactory(), InstitutionFactory(country="AZ"))
        ParticipationFactory(event=event, institution=InstitutionFactory())
        ParticipationFactory(event=event, role="speaker")
        event.sources.add(SourceFactory())
        event.stated_figures.add(StatedFigureFactory())
        return event

    def create_payload(self) -> dict:
        minister = PersonFactory(name="Sayasat Nurbek")
        rector = PersonFactory(name="Rector of KazNU")
        return {
            "title": "Kazakhstan-Azerbaijan Forum of Rectors",
            "kind": "forum",
            "start_date": "2025-04-06",
            "end_date": "2025-04-07",
            "city": "Almaty",
            "country": "KZ",
            "status": "held",
            "host_institution": InstitutionFactory().pk,
            "organisers": [InstitutionFactory().pk],
            "participations": [
                {"person": minister.pk, "role": "host"},
                {"person": rector.pk, "role": "signatory", "position": "Rector"},
            ],
        }

    def update_payload(self, obj: Event) -> dict:
        return {
            "title": "Round table on dual degrees",
            "kind": "round_table",
            "start_date": "2025-10-01",
            "country": "AZ",
            "city": "Baku",
            "status": "held",
            "participations": [{"person": PersonFactory().pk, "role": "speaker"}],
        }

    def partial_payload(self, obj: Event) -> dict:
        return {"status": "cancelled", "description": "Postponed."}

    def case_q(self) -> FilterCase:
        forum = EventFactory(title="Forum of Rectors")
        other = EventFactory(title="Exhibition of education")
        return FilterCase({"q": "rectors"}, [forum], [other])

    def case_kind(self) -> FilterCase:
        visit = EventFactory(kind="official_visit")
        forum = EventFactory(kind="forum")
        return FilterCase({"kind": "official_visit"}, [visit], [forum])

    def case_status(self) -> FilterCase:
        planned = EventFactory(status="planned", start_date=None)
        held = EventFactory()
        return FilterCase({"status": "planned"}, [planned], [held])

    def case_country(self) -> FilterCase:
        baku = EventFactory(country="AZ", city="Baku")
        almaty = EventFactory()
        return FilterCase({"country": "AZ"}, [baku], [almaty])

    def case_country_pair(self) -> FilterCase:
        with_az_guests = EventFactory()
        ParticipationFactory(event=with_az_guests, country="AZ")
        signed_here = EventFactory(country="AZ", city="Baku")
        agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"), event=signed_here)
        kz_only = EventFactory()
        with_tr_guests = EventFactory()
        ParticipationFactory(event=with_tr_guests, country="TR")
        return FilterCase(
            {"country_pair": "AZ,KZ"}, [with_az_guests, signed_here], [kz_only, with_tr_guests]
        )

    def case_start_date_after(self) -> FilterCase:
        early = EventFactory(start_date=datetime.date(2024, 1, 1))
        late = EventFactory(start_date=datetime.date(2025, 6, 1))
        return FilterCase({"start_date_after": "2025-06-01"}, [late], [early])

    def case_start_date_before(self) -> FilterCase:
        early = EventFactory(start_date=datetime.date(2024, 1, 1))
        late = EventFactory(start_date=datetime.date(2025, 6, 1))
        return FilterCase({"start_date_before": "2024-12-31"}, [early], [late])

    def case_host_institution_id(self) -> FilterCase:
        host = InstitutionFactory()
        hosted = EventFactory(host_institution=host)
        other = EventFactory(host_institution=InstitutionFactory())
        return FilterCase({"host_institution_id": str(host.pk)}, [hosted], [other])

    def case_institution_id(self) -> FilterCase:
        institution = InstitutionFactory()
        hosted = EventFactory(host_institution=institution)
        organised = EventFactory()
        organised.organisers.add(institution)
        represented = ParticipationFactory(institution=institution).event
        other = EventFactory()
        return FilterCase(
            {"institution_id": str(institution.pk)}, [hosted, organised, represented], [other]
        )

    def case_person_id(self) -> FilterCase:
        participation = ParticipationFactory()
        other = ParticipationFactory().event
        return FilterCase(
            {"person_id": str(participation.person_id)}, [participation.event], [other]
        )

    def case_source_id(self) -> FilterCase:
        source = SourceFactory()
        cited = EventFactory()
        cited.sources.add(source)
        other = EventFactory()
        return FilterCase({"source_id": str(source.pk)}, [cited], [other])


@pytest.mark.django_db
class TestEventRules:
    def client(self):
        return token_client(user_with_permissions("editor", Event, ["add", "change", "delete"]))

    def test_end_before_start_is_400_on_end_date(self):
        response = self.client().post(
            "/api/events/",
            {
                "title": "Backwards",
                "kind": "forum",
                "country": "KZ",
                "start_date": "2025-04-06",
                "end_date": "2025-04-01",
            },
        )
        assert response.status_code == 400
        assert field_errors(response) == {"/end_date": ["An event cannot end before it starts."]}

    def test_held_event_needs_a_date(self):
        response = self.client().post(
            "/api/events/", {"title": "Undated", "kind": "forum", "country": "KZ"}
        )
        assert response.status_code == 400
        assert "/start_date" in field_errors(response)

    def test_same_role_twice_is_400_and_nothing_is_saved(self):
        person = PersonFactory()
        response = self.client().post(
            "/api/events/",
            {
                "title": "Twice",
                "kind": "forum",
                "country": "KZ",
                "start_date": "2025-04-06",
                "participations": [
                    {"person": person.pk, "role": "speaker"},
                    {"person": person.pk, "role": "speaker"},
                ],
            },
        )
        assert response.status_code == 400
        assert "/participations/1/person" in field_errors(response)
        assert not Event.objects.filter(title="Twice").exists()

    def test_participations_are_replaced(self):
        event = EventFactory()
        kept = ParticipationFactory(event=event, role="host")
        ParticipationFactory(event=event, role="guest")
        newcomer = PersonFactory()
        response = self.client().patch(
            f"/api/events/{event.pk}/",
            {
                "participations": [
                    {"id": kept.pk, "person": kept.person_id, "role": "host", "position": "Rector"},
                    {"person": newcomer.pk, "role": "speaker"},
                ]
            },
        )
        assert response.status_code == 200, response.content
        rows = Participation.objects.filter(event=event).order_by("role")
        assert [(p.person_id, p.role) for p in rows] == [
            (kept.person_id, "host"),
            (newcomer.pk, "speaker"),
        ]
        assert rows[0].pk == kept.pk and rows[0].position == "Rector"

    def test_deleting_an_event_with_agreements_is_409(self):
        event = EventFactory()
        agreement_between(InstitutionFactory(), InstitutionFactory(country="AZ"), event=event)
        response = self.client().delete(f"/api/events/{event.pk}/")
        assert response.status_code == 409
        assert Event.objects.filter(pk=event.pk).exists()
