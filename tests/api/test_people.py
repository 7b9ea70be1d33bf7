import pytest

from events.models import Person
from tests.base import APIResourceTests, FilterCase, problem, token_client, user_with_permissions
from tests.factories import (
    EventFactory,
    InstitutionFactory,
    ParticipationFactory,
    PersonFactory,
    SourceFactory,
)


class TestPersonAPI(APIResourceTests):
    model = Person
    basename = "person"
    query_ceiling = 3
    read_fields = ("id", "name", "institution", "institution_name", "sources", "created_at")

    def make(self) -> Person:
        person = PersonFactory(institution=InstitutionFactory())
        person.sources.add(SourceFactory())
        return person

    def create_payload(self) -> dict:
        return {
            "name": "Sayasat Nurbek",
            "name_local": "Саясат Нурбек",
            "position": "Minister of Science and Higher Education",
            "country": "KZ",
            "institution": InstitutionFactory(kind="government").pk,
        }

    def update_payload(self, obj: Person) -> dict:
        return {"name": "Emin Amrullayev", "position": "Minister of Education", "country": "AZ"}

    def partial_payload(self, obj: Person) -> dict:
        return {"position": "Rector"}

    def case_q(self) -> FilterCase:
        nurbek = PersonFactory(name="Sayasat Nurbek", name_local="Саясат Нурбек")
        other = PersonFactory(name="Emin Amrullayev")
        return FilterCase({"q": "Саясат"}, [nurbek], [other])

    def case_country(self) -> FilterCase:
        az = PersonFactory(country="AZ")
        kz = PersonFactory(country="KZ")
        return FilterCase({"country": "AZ"}, [az], [kz])

    def case_institution_id(self) -> FilterCase:
        institution = InstitutionFactory()
        rector = PersonFactory(institution=institution)
        other = PersonFactory(institution=InstitutionFactory())
        return FilterCase({"institution_id": str(institution.pk)}, [rector], [other])

    def case_event_id(self) -> FilterCase:
        event = EventFactory()
        speaker = ParticipationFactory(event=event).person
        ParticipationFactory(event=event, person=speaker, role="speaker")
        other = ParticipationFactory().person
        return FilterCase({"event_id": str(event.pk)}, [speaker], [other])

    def case_role(self) -> FilterCase:
        signatory = ParticipationFactory(role="signatory").person
        guest = ParticipationFactory(role="guest").person
        return FilterCase({"role": "signatory"}, [signatory], [guest])

    def case_source_id(self) -> FilterCase:
        source = SourceFactory()
        cited = PersonFactory()
        cited.sources.add(source)
        other = PersonFactory()
        return FilterCase({"source_id": str(source.pk)}, [cited], [other])


@pytest.mark.django_db
def test_deleting_a_participant_is_409():
    participation = ParticipationFactory()
    client = token_client(user_with_permissions("editor", Person, ["delete"]))
    response = client.delete(f"/api/people/{participation.person_id}/")
    assert response.status_code == 409
    assert problem(response)["referenced_by"][0]["type"] == "participation"
