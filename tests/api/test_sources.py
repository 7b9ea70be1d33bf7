import datetime

import pytest

from cooperation.models import Source, StatedFigure
from tests.base import (
    APIResourceTests,
    FilterCase,
    field_errors,
    problem,
    token_client,
    user_with_permissions,
)
from tests.factories import (
    EventFactory,
    MobilityFigureFactory,
    SourceFactory,
    StatedFigureFactory,
)


class TestSourceAPI(APIResourceTests):
    model = Source
    basename = "source"
    query_ceiling = 2
    read_fields = ("id", "title", "publisher", "url", "published_on", "created_at")

    def make(self) -> Source:
        return SourceFactory()

    def create_payload(self) -> dict:
        return {
            "title": "Казахстан и Азербайджан подписали 40 меморандумов",
            "publisher": "Kazinform",
            "url": "https://www.inform.kz/ru/article",
            "published_on": "2025-04-06",
            "language": "ru",
            "excerpt": "17 вузов подписали 40 меморандумов",
        }

    def update_payload(self, obj: Source) -> dict:
        return {"title": "Azerbaijan and Kazakhstan universities", "publisher": "Trend"}

    def partial_payload(self, obj: Source) -> dict:
        return {"excerpt": "22 universities signed 40 memoranda"}

    def case_q(self) -> FilterCase:
        kazinform = SourceFactory(title="Forum of rectors", publisher="Kazinform")
        other = SourceFactory(title="Other news", publisher="Trend")
        return FilterCase({"q": "kazinform rectors"}, [kazinform], [other])

    def case_language(self) -> FilterCase:
        russian = SourceFactory(language="ru")
        english = SourceFactory(language="en")
        return FilterCase({"language": "ru"}, [russian], [english])

    def case_publisher(self) -> FilterCase:
        azertac = SourceFactory(publisher="AZERTAC")
        trend = SourceFactory(publisher="Trend")
        return FilterCase({"publisher": "azer"}, [azertac], [trend])

    def case_published_after(self) -> FilterCase:
        old = SourceFactory(published_on=datetime.date(2023, 1, 1))
        new = SourceFactory(published_on=datetime.date(2025, 4, 6))
        return FilterCase({"published_after": "2025-01-01"}, [new], [old])

    def case_published_before(self) -> FilterCase:
        old = SourceFactory(published_on=datetime.date(2023, 1, 1))
        new = SourceFactory(published_on=datetime.date(2025, 4, 6))
        return FilterCase({"published_before": "2024-01-01"}, [old], [new])


@pytest.mark.django_db
def test_deleting_a_cited_source_of_a_figure_is_409():
    figure = MobilityFigureFactory()
    client = token_client(user_with_permissions("editor", Source, ["delete"]))
    response = client.delete(f"/api/sources/{figure.source_id}/")
    assert response.status_code == 409
    assert problem(response)["referenced_by"] == [
        {"type": "mobilityfigure", "id": figure.pk, "label": str(figure)}
    ]


class TestStatedFigureAPI(APIResourceTests):
    model = StatedFigure
    basename = "stated-figure"
    query_ceiling = 4  # the figures, their sources, the events where they were stated
    read_fields = ("id", "metric", "value", "qualifier", "sources", "created_at")

    def make(self) -> StatedFigure:
        figure = StatedFigureFactory()
        figure.sources.add(SourceFactory(), SourceFactory())
        return figure

    def create_payload(self) -> dict:
        return {
            "metric": "agreements_signed",
            "statement": "17 universities signed 40 memoranda",
            "value": 40,
            "qualifier": "exact",
            "country": "KZ",
            "partner_country": "AZ",
            "stated_on": "2025-04-06",
            "reference_year": 2025,
            "sources": [SourceFactory().pk],
        }

    def update_payload(self, obj: StatedFigure) -> dict:
        return {
            "metric": "students_abroad",
            "statement": "333 Azerbaijani students study at 58 Kazakh universities",
            "value": 333,
            "country": "AZ",
            "partner_country": "KZ",
        }

    def partial_payload(self, obj: StatedFigure) -> dict:
        return {"qualifier": "about"}

    def case_q(self) -> FilterCase:
        memoranda = StatedFigureFactory(statement="40 memoranda were signed")
        other = StatedFigureFactory(statement="70 universities")
        return FilterCase({"q": "memoranda"}, [memoranda], [other])

    def case_metric(self) -> FilterCase:
        signed = StatedFigureFactory(metric="agreements_signed")
        other = StatedFigureFactory()
        return FilterCase({"metric": "agreements_signed"}, [signed], [other])

    def case_qualifier(self) -> FilterCase:
        exact = StatedFigureFactory(qualifier="exact")
        more = StatedFigureFactory()
        return FilterCase({"qualifier": "exact"}, [exact], [more])

    def case_country(self) -> FilterCase:
        az = StatedFigureFactory(country="AZ", partner_country="KZ")
        kz = StatedFigureFactory()
        return FilterCase({"country": "AZ"}, [az], [kz])

    def case_partner_country(self) -> FilterCase:
        with_tr = StatedFigureFactory(partner_country="TR")
        with_az = StatedFigureFactory()
        return FilterCase({"partner_country": "TR"}, [with_tr], [with_az])

    def case_stated_after(self) -> FilterCase:
        old = StatedFigureFactory(stated_on=datetime.date(2022, 1, 1))
        new = StatedFigureFactory(stated_on=datetime.date(2025, 3, 5))
        return FilterCase({"stated_after": "2025-01-01"}, [new], [old])

    def case_stated_before(self) -> FilterCase:
        old = StatedFigureFactory(stated_on=datetime.date(2022, 1, 1))
        new = StatedFigureFactory(stated_on=datetime.date(2025, 3, 5))
        return FilterCase({"stated_before": "2022-12-31"}, [old], [new])

    def case_reference_year_min(self) -> FilterCase:
        old = StatedFigureFactory(reference_year=2020)
        new = StatedFigureFactory(reference_year=2025)
        return FilterCase({"reference_year_min": "2021"}, [new], [old])

    def case_reference_year_max(self) -> FilterCase:
        old = StatedFigureFactory(reference_year=2020)
        new = StatedFigureFactory(reference_year=2025)
        return FilterCase({"reference_year_max": "2020"}, [old], [new])

    def case_source_id(self) -> FilterCase:
        source = SourceFactory()
        cited = StatedFigureFactory()
        cited.sources.add(source)
        other = StatedFigureFactory()
        return FilterCase({"source_id": str(source.pk)}, [cited], [other])

    def case_status(self) -> FilterCase:
        scheduled = StatedFigureFactory(metric="agreements_signed", status="scheduled")
        signed = StatedFigureFactory(metric="agreements_signed", status="signed")
        return FilterCase({"status": "scheduled"}, [scheduled], [signed])

    def case_scope(self) -> FilterCase:
        both = StatedFigureFactory(scope="both")
        one = StatedFigureFactory()
        return FilterCase({"scope": "both"}, [both], [one])

    def case_event_id(self) -> FilterCase:
        event = EventFactory()
        stated_there = StatedFigureFactory()
        event.stated_figures.add(stated_there)
        other = StatedFigureFactory()
        EventFactory().stated_figures.add(other)
        return FilterCase({"event_id": str(event.pk)}, [stated_there], [other])


@pytest.mark.django_db
def test_stated_figure_countries_must_differ():
    client = token_client(user_with_permissions("editor", StatedFigure, ["add"]))
    response = client.post(
        "/api/stated-figures/",
        {
            "metric": "other",
            "statement": "x",
            "value": 1,
            "country": "KZ",
            "partner_country": "KZ",
        },
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "/partner_country": ["The partner country must differ from the country."]
    }
