"""Schemathesis against the API's own OpenAPI schema, in process (WSGI), on the test database.

Every operation of ``/api/schema/`` gets generated requests, valid and invalid, sent as a
user who may do everything (so that writes reach the model rules); each response must not be
a 5xx, its status must be one the operation declares, its media type a declared one, and
its body must match the schema (errors: the Problem of cooperation.problems). Bounded and
seeded: the same requests on every run.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    CooperationConditionFactory,
    EventFactory,
    InstitutionFactory,
    InstitutionNameFactory,
    IscedFieldFactory,
    MobilityFigureFactory,
    ParticipationFactory,
    ScholarshipAllocationFactory,
    SourceFactory,
    StatedFigureFactory,
    agreement_between,
)

MAX_EXAMPLES = 20
TOKEN = "0" * 40
COVERAGE_PHASE = os.environ.get("SCHEMATHESIS_COVERAGE") == "1"
SEED = 20250406
STATS: dict[str, set[str] | int] = {"operations": set(), "requests": 0}


def seed_register() -> None:
    """A little of everything, so that reads return rows and writes meet the rules."""
    source = SourceFactory(title="Казахстан и Азербайджан подписали меморандумы")
    kz = InstitutionFactory(name="Al-Farabi Kazakh National University")
    az = InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    InstitutionNameFactory(institution=kz, name="Казахский национальный университет")
    event = EventFactory(host_institution=kz)
    ParticipationFactory(event=event, institution=kz)
    agreement = agreement_between(kz, az, event=event)
    agreement.sources.add(source)
    CooperationConditionFactory(
        agreement=agreement, sending_institution=kz, receiving_institution=az
    )
    ScholarshipAllocationFactory(year=2025)
    MobilityFigureFactory(
        year=2024, source=source, home_institution=az, field=IscedFieldFactory(code="05")
    )
    StatedFigureFactory().sources.add(source)


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        # The coverage phase (every boundary of every parameter, about 350 requests per
        # operation) is run outside CI: see the README. CI runs examples and fuzzing.
        "phases": {"coverage": {"enabled": COVERAGE_PHASE}},
    }
)
# Loading the schema touches no table: it only asks the app for /api/schema/.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture(autouse=True)
def _register(db, django_user_model) -> Iterator[None]:
    seed_register()
    superuser = django_user_model.objects.create_superuser("fuzzer", "f@example.org", None)
    Token.objects.create(user=superuser, key=TOKEN)
    # The WSGI handler closes "old" connections when a request starts and ends; inside the
    # test's transaction that would close the very connection the test runs in. Django's
    # test client disconnects the same receivers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case):
    STATS["operations"].add(case.operation.label)
    STATS["requests"] += 1
    case.call_and_validate(
        headers={"Authorization": "Token " + TOKEN},
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
