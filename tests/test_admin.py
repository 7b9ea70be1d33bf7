"""The admin back office: every page opens, changelists stay flat, search and forms behave."""

import itertools
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.forms import BooleanField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.models import HistoricalChanges

from agreements.models import (
    Agreement,
    CooperationArea,
    CooperationCondition,
    CountryPair,
    ExpiryNotice,
    Party,
    SearchKey,
)
from cooperation.models import BackgroundJob, IscedField, RegisterGeneration, Source, StatedFigure
from events.models import Event, Participation, Person
from mobility.models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme
from tests import factories as f
from universities.models import (
    Institution,
    InstitutionCount,
    InstitutionEditor,
    InstitutionName,
    PendingCount,
)

pytestmark = pytest.mark.django_db

APPS = ("cooperation", "universities", "events", "agreements", "mobility")
# Queries a changelist of up to 50 rows may run, session and user lookups included.
QUERY_CEILING = 16

_codes = itertools.count(1000)


def make_isced_field() -> IscedField:
    broad = IscedField.objects.create(code=f"{next(_codes)}", level="broad", name_en="Broad")
    return IscedField.objects.create(
        code=f"{next(_codes)}", level="detailed", name_en="Detailed", parent=broad
    )


def make_stated_figure() -> StatedFigure:
    figure = f.StatedFigureFactory()
    figure.sources.add(f.SourceFactory(), f.SourceFactory())
    return figure


def make_institution() -> Institution:
    institution = f.InstitutionFactory()
    f.InstitutionNameFactory(institution=institution)
    f.PartyFactory(institution=institution)
    return institution


def make_person() -> Person:
    return f.PersonFactory(institution=f.InstitutionFactory())


def make_event() -> Event:
    event = f.EventFactory(host_institution=f.InstitutionFactory())
    event.organisers.add(f.InstitutionFactory())
    f.ParticipationFactory(event=event)
    f.AgreementFactory(event=event)
    return event


def make_participation() -> Participation:
    return f.ParticipationFactory(institution=f.InstitutionFactory())


def make_agreement() -> Agreement:
    agreement = f.agreement_between(
        f.InstitutionFactory(),
        f.InstitutionFactory(country="AZ", city="Baku"),
        event=f.EventFactory(),
    )
    agreement.areas.set(CooperationArea.objects.all()[:2])
    agreement.sources.add(f.SourceFactory())
    return agreement


def make_party() -> Party:
    return f.PartyFactory(signatory=f.PersonFactory())


def make_condition() -> CooperationCondition:
    home = f.InstitutionFactory()
    partner = f.InstitutionFactory(country="AZ", city="Baku")
    agreement = f.agreement_between(home, partner)
    condition = f.CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=partner
    )
    condition.subject_areas.add(make_isced_field())
    return condition


def make_programme() -> ScholarshipProgramme:
    programme = f.ScholarshipProgrammeFactory(
        host_institution=f.InstitutionFactory(), agreement=f.AgreementFactory(), levels=["6"]
    )
    f.ScholarshipAllocationFactory(programme=programme)
    return programme


def make_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(f"editor{next(_codes)}")


def make_expiry_notice() -> ExpiryNotice:
    agreement = make_agreement()
    return ExpiryNotice.objects.create(
        agreement=agreement,
        threshold_days=90,
        valid_until=agreement.valid_until,
        recipients=["editor@example.org"],
    )


def make_mobility_figure() -> MobilityFigure:
    return f.MobilityFigureFactory(
        home_institution=f.InstitutionFactory(country="AZ"),
        host_institution=f.InstitutionFactory(),
    )


MAKERS: dict[type[models.Model], Callable[[], models.Model]] = {
    Source: f.SourceFactory,
    StatedFigure: make_stated_figure,
    IscedField: make_isced_field,
    Institution: make_institution,
    InstitutionName: f.InstitutionNameFactory,
    Person: make_person,
    Event: make_event,
    Participation: make_participation,
    CooperationArea: lambda: CooperationArea.objects.order_by("code").first(),
    Agreement: make_agreement,
    Party: make_party,
    CooperationCondition: make_condition,
    ScholarshipProgramme: make_programme,
    ScholarshipAllocation: f.ScholarshipAllocationFactory,
    MobilityFigure: make_mobility_figure,
    ExpiryNotice: make_expiry_notice,
    InstitutionEditor: lambda: InstitutionEditor.objects.create(
        user=make_user(),
        institution=f.InstitutionFactory(),
    ),
}


def label(model: type[models.Model]) -> str:
    return model._meta.label


REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS), key=label
)
TRACKED = [
    model for model in REGISTERED if hasattr(model._meta, "simple_history_manager_attribute")
]
IMPORT_EXPORT = [Source, StatedFigure, Institution, Agreement, MobilityFigure]
# Written by the system only (what notify_expiring sent): no add or change page.
READ_ONLY = [ExpiryNotice]
EDITABLE = [model for model in REGISTERED if model not in READ_ONLY]


def admin_url(model: type[models.Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def count_queries(client, url: str, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


def post_data(response) -> dict:
    """What a browser would post back from a rendered admin change form, untouched."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if bound.field.show_hidden_initial:
                data[bound.html_initial_name] = "" if value is None else value
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            elif value is not None and not isinstance(value, FieldFile):  # no upload
                data[bound.html_name] = str(value)
    return data


def form_errors(response) -> str:
    if response.context is None:
        return ""
    errors = [response.context["adminform"].form.errors]
    for inline in response.context.get("inline_admin_formsets", []):
        errors += [inline.formset.errors, inline.formset.non_form_errors()]
    return repr(errors)


# Every model, every page -----------------------------------------------------------------


def test_every_concrete_model_is_registered_and_has_a_maker():
    concrete = {
        model
        for app_label in APPS
        for model in apps.get_app_config(app_label).get_models()
        if not issubclass(model, HistoricalChanges)
        and model is not RegisterGeneration  # a cache counter (register_cache), not data
        and model is not CountryPair  # derived from the parties (agreements.pairs), never edited
        and model is not InstitutionCount  # derived counts a sort reads, never edited
        and model is not SearchKey  # derived from titles and names (agreements.keys)
        # a reader's export being written (export_jobs), an import's names being compared
        # (name_searches): a person's work in the background, not data
        and not issubclass(model, BackgroundJob)
        and model is not PendingCount  # the counts' institutions to recompute, never edited
    }
    assert set(REGISTERED) == concrete
    assert set(MAKERS) == concrete


def test_every_tracked_model_admin_shows_history():
    from simple_history.admin import SimpleHistoryAdmin

    for model in TRACKED:
        assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model
    untracked = {label(model) for model in set(REGISTERED) - set(TRACKED)}
    assert untracked == {
        "agreements.CooperationArea",
        "agreements.ExpiryNotice",
        "cooperation.IscedField",
    }


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_opens(admin_client_logged, model):
    MAKERS[model]()
    response = admin_client_logged.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    response = admin_client_logged.get(admin_url(model, "changelist"), {"q": "1"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", EDITABLE, ids=label)
def test_add_page_opens(admin_client_logged, model):
    response = admin_client_logged.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", EDITABLE, ids=label)
def test_change_page_opens_and_saves_unchanged(admin_client_logged, model):
    obj = MAKERS[model]()
    url = admin_url(model, "change", obj.pk)
    response = admin_client_logged.get(url)
    assert response.status_code == 200
    if hasattr(obj, "created_at"):
        assert b"Record" in response.content  # the read-only timestamps fieldset
    response = admin_client_logged.post(url, post_data(response))
    assert response.status_code == 302, form_errors(response)


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_history_page_opens(admin_client_logged, model):
    obj = MAKERS[model]()
    obj.save()  # a second record, so the page shows a change between two versions
    response = admin_client_logged.get(admin_url(model, "history", obj.pk))
    assert response.status_code == 200
    if model in TRACKED:
        record = obj.history.latest()
        response = admin_client_logged.get(
            admin_url(model, "simple_history", obj.pk, record.history_id)
        )
        assert response.status_code == 200


@pytest.mark.parametrize("model", IMPORT_EXPORT, ids=label)
def test_import_and_export_pages_open(admin_client_logged, model):
    MAKERS[model]()
    assert admin_client_logged.get(admin_url(model, "import")).status_code == 200
    assert admin_client_logged.get(admin_url(model, "export")).status_code == 200


def test_institution_export_writes_csv(admin_client_logged):
    f.InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    response = admin_client_logged.post(
        admin_url(Institution, "export"),
        {
            "format": "0",
            "resource": "0",
            "institutionresource_name": "on",
            "institutionresource_country": "on",
            "institutionresource_city": "on",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Baku State University,AZ,Baku" in response.content.decode()


def import_institutions(client, csv: str):
    """Upload ``csv`` on the import page; confirm it when the preview has no errors."""
    upload = SimpleUploadedFile("institutions.csv", csv.encode())
    response = client.post(
        admin_url(Institution, "import"), {"format": "0", "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    confirm = response.context.get("confirm_form")
    if confirm is None:
        return response
    return client.post(admin_url(Institution, "process_import"), confirm.initial)


def test_importing_institutions_records_names_and_history(admin_client_logged, superuser):
    csv = "name,kind,country,city,status\nKhazar University,university,AZ,Baku,active\n"
    response = import_institutions(admin_client_logged, csv)
    assert response.status_code == 302
    khazar = Institution.objects.get()
    assert list(Institution.objects.search("khazar")) == [khazar]
    assert khazar.history.get().history_user == superuser


def test_importing_an_invalid_row_saves_nothing(admin_client_logged):
    csv = "name,kind,country,city,status,ror_id\nKhazar University,university,AZ,Baku,active,bad\n"
    response = import_institutions(admin_client_logged, csv)
    assert response.context.get("confirm_form") is None
    assert "A ROR id has 9 characters" in response.content.decode()
    assert not Institution.objects.exists()


# Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("model", IMPORT_EXPORT, ids=label)
def test_export_queries_do_not_grow_with_rows(admin_client_logged, model):
    url = admin_url(model, "export")
    form = admin_client_logged.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    # every column: one checkbox per resource field
    data |= {name: "on" for name, field in form.fields.items() if type(field) is BooleanField}

    def export() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client_logged.post(url, data)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        return len(queries)

    for _ in range(5):
        MAKERS[model]()
    few = export()
    for _ in range(45):
        MAKERS[model]()
    assert export() == few


@pytest.mark.parametrize(
    "model", [model for model in REGISTERED if model is not CooperationArea], ids=label
)
def test_changelist_queries_do_not_grow_with_rows(admin_client_logged, model):
    url = admin_url(model, "changelist")
    make = MAKERS[model]
    for _ in range(5):
        make()
    admin_client_logged.get(url)  # warm the session and content-type caches
    few, _ = count_queries(admin_client_logged, url)
    for _ in range(45):
        make()
    many, response = count_queries(admin_client_logged, url)
    assert len(response.context["cl"].result_list) == 50
    assert many == few, f"{few} queries for 5 rows, {many} for 50"
    assert many <= QUERY_CEILING


def test_agreement_changelist_of_50_stays_under_the_ceiling(
    admin_client_logged, django_assert_max_num_queries
):
    for _ in range(50):
        make_agreement()
    admin_client_logged.get(admin_url(Agreement, "changelist"))
    with django_assert_max_num_queries(QUERY_CEILING):
        response = admin_client_logged.get(admin_url(Agreement, "changelist"))
    rows = response.context["cl"].result_list
    assert len(rows) == 50
    assert all(len(row.parties.all()) == 2 for row in rows)
    assert "; " in response.content.decode()  # the parties column, both names


# Search in any script --------------------------------------------------------------------


@pytest.fixture
def atyrau():
    university = f.InstitutionFactory(
        name="Khalel Dosmukhamedov Atyrau University", city="Atyrau", ror_id="0abcdef12"
    )
    f.InstitutionNameFactory(
        institution=university,
        name="Атырауский университет имени Х. Досмухамедова",
        language="ru",
    )
    f.InstitutionFactory(name="Al-Farabi Kazakh National University")
    f.InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    return university


@pytest.mark.parametrize(
    "term", ["Атырау", "атырау", "Atyrau", "ATYRAU", "Атырауский", "Досмухамедова", "0ABCDEF12"]
)
def test_institution_search_finds_any_name_in_any_script(admin_client_logged, atyrau, term):
    response = admin_client_logged.get(admin_url(Institution, "changelist"), {"q": term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [atyrau]


def test_institution_autocomplete_uses_the_same_search(admin_client_logged, atyrau):
    response = admin_client_logged.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "agreements",
            "model_name": "party",
            "field_name": "institution",
            "term": "атырау",
        },
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(atyrau.pk)]


def test_agreement_search_finds_a_party_by_a_name_in_another_script(admin_client_logged, atyrau):
    baku = Institution.objects.get(name="Baku State University")
    agreement = f.agreement_between(atyrau, baku, title="Memorandum")
    f.agreement_between(baku, Institution.objects.get(name__startswith="Al-Farabi"))
    response = admin_client_logged.get(admin_url(Agreement, "changelist"), {"q": "Атырау"})
    assert list(response.context["cl"].result_list) == [agreement]


# The agreement form --------------------------------------------------------------------


def agreement_form(parties, conditions=(), **fields) -> dict:
    data = {
        "title": "Memorandum of academic cooperation",
        "reference_code": "",
        "kind": "memorandum",
        "level": "inter_institutional",
        "status": "signed",
        "signed_on": "2025-04-06",
        "signed_precision": "day",
        "valid_from": "2025-04-06",
        "valid_until": "2030-04-05",
        "terminated_on": "",
        "termination_reason": "",
        "event": "",
        "parent": "",
        "renews": "",
        "description": "",
        "parties-TOTAL_FORMS": str(len(parties)),
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "1000",
        "conditions-TOTAL_FORMS": str(len(conditions)),
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for i, institution in enumerate(parties):
        data[f"parties-{i}-institution"] = str(institution.pk)
        data[f"parties-{i}-signatory"] = ""
        data[f"parties-{i}-signed_on"] = ""
    for i, (sending, receiving) in enumerate(conditions):
        data.update(
            {
                f"conditions-{i}-sending_institution": str(sending.pk),
                f"conditions-{i}-receiving_institution": str(receiving.pk),
                f"conditions-{i}-mobility_type": "student_studies",
                f"conditions-{i}-levels": ["6", "7"],
                f"conditions-{i}-places_per_year": "2",
                f"conditions-{i}-first_academic_year": "2025/2026",
                f"conditions-{i}-last_academic_year": "2029/2030",
            }
        )
    return data


@pytest.fixture
def pair():
    return f.InstitutionFactory(), f.InstitutionFactory(country="AZ", city="Baku")


def test_adding_an_agreement_with_two_parties_saves_it(admin_client_logged, superuser, pair):
    home, partner = pair
    areas = list(CooperationArea.objects.order_by("code")[:2])
    data = agreement_form(
        pair, conditions=[(home, partner), (partner, home)], areas=[a.pk for a in areas]
    )
    response = admin_client_logged.post(admin_url(Agreement, "add"), data)
    assert response.status_code == 302, form_errors(response)
    agreement = Agreement.objects.get()
    assert {party.institution for party in agreement.parties.all()} == {home, partner}
    assert set(agreement.areas.all()) == set(areas)
    assert [c.levels for c in agreement.conditions.all()] == [["6", "7"], ["6", "7"]]
    assert agreement.history.latest().history_user == superuser


def test_valid_until_before_valid_from_is_refused(admin_client_logged, pair):
    data = agreement_form(pair, signed_on="", valid_from="2025-04-06", valid_until="2024-01-01")
    response = admin_client_logged.post(admin_url(Agreement, "add"), data)
    assert response.status_code == 200
    assert "“Valid until” cannot be before “valid from”." in response.content.decode()
    assert not Agreement.objects.exists()
    assert not Party.objects.exists()


def test_a_single_party_is_refused_on_a_new_agreement(admin_client_logged, pair):
    data = agreement_form(pair[:1])
    response = admin_client_logged.post(admin_url(Agreement, "add"), data)
    assert response.status_code == 200
    assert "two or more parties" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_condition_between_non_parties_is_refused(admin_client_logged, pair):
    outsider = f.InstitutionFactory(name="Outsider University")
    data = agreement_form(pair, conditions=[(pair[0], outsider)])
    response = admin_client_logged.post(admin_url(Agreement, "add"), data)
    assert response.status_code == 200
    assert "Outsider University is not a party to this agreement" in response.content.decode()
    assert not Agreement.objects.exists()
    assert not CooperationCondition.objects.exists()


def test_a_condition_may_name_a_party_added_in_the_same_form(admin_client_logged, pair):
    agreement = f.agreement_between(*pair)
    third = f.InstitutionFactory(name="Third University")
    url = admin_url(Agreement, "change", agreement.pk)
    data = post_data(admin_client_logged.get(url))
    data["parties-2-institution"] = str(third.pk)
    data.update(
        {
            "conditions-TOTAL_FORMS": "1",
            "conditions-0-sending_institution": str(third.pk),
            "conditions-0-receiving_institution": str(pair[1].pk),
            "conditions-0-mobility_type": "staff_teaching",
            "conditions-0-first_academic_year": "2025/2026",
            "conditions-0-last_academic_year": "2029/2030",
        }
    )
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert agreement.conditions.get().sending_institution == third
    assert agreement.conditions.get().levels == []


def test_dropping_below_two_parties_is_refused(admin_client_logged, pair):
    agreement = f.agreement_between(*pair)
    url = admin_url(Agreement, "change", agreement.pk)
    data = post_data(admin_client_logged.get(url))
    data["parties-1-DELETE"] = "on"
    response = admin_client_logged.post(url, data)
    assert response.status_code == 200
    assert "two or more parties" in response.content.decode()
    assert agreement.parties.count() == 2


def test_an_existing_agreement_with_one_known_party_stays_editable(admin_client_logged, pair):
    agreement = f.agreement_between(pair[0])
    url = admin_url(Agreement, "change", agreement.pk)
    data = post_data(admin_client_logged.get(url))
    data["title"] = "Memorandum (partner not yet identified)"
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, form_errors(response)
    agreement.refresh_from_db()
    assert agreement.title == "Memorandum (partner not yet identified)"


def test_standalone_condition_form_checks_the_parties(admin_client_logged, pair):
    agreement = f.agreement_between(*pair)
    outsider = f.InstitutionFactory(name="Outsider University")
    response = admin_client_logged.post(
        admin_url(CooperationCondition, "add"),
        {
            "agreement": str(agreement.pk),
            "sending_institution": str(outsider.pk),
            "receiving_institution": str(pair[1].pk),
            "mobility_type": "student_studies",
            "levels": ["7"],
            "first_academic_year": "2025/2026",
        },
    )
    assert response.status_code == 200
    assert "Outsider University is not a party to this agreement" in response.content.decode()
    assert not CooperationCondition.objects.exists()


def test_renaming_an_institution_name_inline_updates_its_search_key(admin_client_logged):
    institution = f.InstitutionFactory(name="Azerbaijan State Oil and Industry University")
    url = admin_url(Institution, "change", institution.pk)
    data = post_data(admin_client_logged.get(url))
    data.update({"names-0-name": "ADNSU", "names-0-language": "", "names-0-kind": "acronym"})
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert list(Institution.objects.search("adnsu")) == [institution]
