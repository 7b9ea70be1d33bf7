"""Audit and lost updates beyond the agreement: many-to-many changes in history, commands
that say who they are, the history page under CSP, and versioned institutions, events and
mobility figures in the admin and the API."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from agreements.models import Agreement, CooperationArea
from cooperation.audit import history_context
from cooperation.models import EditConflict
from cooperation.roles import MINISTRY_EDITOR, UNIVERSITY_EDITOR
from events.models import Event
from mobility.models import MobilityFigure
from tests import factories as f
from tests.base import problem
from universities.models import Institution

from .helpers import admin_form_data, api_client, make_user

pytestmark = pytest.mark.django_db


def area(code: str) -> CooperationArea:
    return CooperationArea.objects.get_or_create(code=code)[0]


# --------------------------------------------------------------------- many-to-many


def test_areas_and_sources_before_and_after_are_in_history():
    agreement = f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))
    agreement.areas.add(area("joint_research"))
    first_source = f.SourceFactory()
    agreement.sources.add(first_source)
    before = agreement.history.latest("history_date")
    agreement.areas.set([area("student_exchange")])
    agreement.sources.remove(first_source)
    after = agreement.history.latest("history_date")
    delta = after.diff_against(before)
    changed = {change.field: change for change in delta.changes}
    assert {"areas", "sources"} <= set(changed)
    old_areas = {row["cooperationarea"] for row in changed["areas"].old}
    new_areas = {row["cooperationarea"] for row in changed["areas"].new}
    assert old_areas == {area("joint_research").pk}
    assert new_areas == {area("student_exchange").pk}
    assert [row["source"] for row in changed["sources"].old] == [first_source.pk]
    assert changed["sources"].new == []


def test_a_change_from_the_far_side_is_a_version_of_the_record_that_cites():
    agreement = f.AgreementFactory()
    source = f.SourceFactory()
    versions = agreement.history.count()
    source.agreements.add(agreement)
    assert agreement.history.count() == versions + 1
    assert list(
        agreement.history.latest("history_date").sources.values_list("source", flat=True)
    ) == [source.pk]


def test_an_add_that_changes_nothing_saves_no_version():
    institution = f.InstitutionFactory()
    source = f.SourceFactory()
    institution.sources.add(source)
    versions = institution.history.count()
    institution.sources.add(source)
    assert institution.history.count() == versions


def test_admin_save_of_areas_is_in_the_history_with_the_user(admin_client_logged, superuser):
    agreement = f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = admin_form_data(admin_client_logged.get(url))
    data["areas"] = [str(area("joint_research").pk)]
    assert admin_client_logged.post(url, data).status_code == 302
    latest = agreement.history.latest("history_date")
    assert latest.history_user == superuser
    assert list(latest.areas.values_list("cooperationarea", flat=True)) == [
        area("joint_research").pk
    ]


def test_api_writes_record_the_user_and_the_areas():
    editor = make_user("editor", MINISTRY_EDITOR)
    client = api_client(editor)
    kz, az = f.InstitutionFactory(), f.InstitutionFactory(country="AZ")
    area("student_exchange")
    response = client.post(
        "/api/agreements/",
        {
            "title": "Exchange agreement",
            "kind": "exchange",
            "signed_on": "2025-04-06",
            "areas": ["student_exchange"],
            "parties": [{"institution": kz.pk}, {"institution": az.pk}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    agreement = Agreement.objects.get(pk=response.json()["id"])
    history = list(agreement.history.order_by("history_date", "history_id"))
    assert {record.history_user for record in history} == {editor}
    assert list(history[-1].areas.values_list("cooperationarea__code", flat=True)) == [
        "student_exchange"
    ]
    response = client.patch(f"/api/institutions/{kz.pk}/", {"city": "Astana"}, format="json")
    assert response.status_code == 200
    assert kz.history.latest("history_date").history_user == editor


def test_bulk_entry_records_the_user_and_the_areas():
    editor = make_user("editor", MINISTRY_EDITOR)
    kz, az = f.InstitutionFactory(), f.InstitutionFactory(country="AZ")
    area("joint_research")
    response = api_client(editor).post(
        "/api/agreements/bulk/",
        {
            "defaults": {
                "kind": "memorandum",
                "areas": ["joint_research"],
                "signed_on": "2025-04-06",
            },
            "rows": [{"parties": [kz.pk, az.pk], "title": "Memorandum"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    agreement = Agreement.objects.get(pk=response.json()["rows"][0]["agreement"])
    record = agreement.history.get()
    assert record.history_user == editor
    assert list(record.areas.values_list("cooperationarea__code", flat=True)) == ["joint_research"]
    party_history = agreement.parties.first().history.get()
    assert party_history.history_user == editor


# --------------------------------------------------------------------- commands


def test_commands_name_themselves_in_history():
    call_command("load_reference_data", stdout=io.StringIO())
    institution = Institution.objects.first()
    reasons = set(institution.history.values_list("history_change_reason", flat=True))
    assert reasons == {"load_reference_data"}
    call_command("load_demo", stdout=io.StringIO())
    agreement = Agreement.objects.first()
    reasons = set(agreement.history.values_list("history_change_reason", flat=True))
    assert reasons == {"load_demo"}
    assert agreement.history.first().history_user is None


def test_history_context_never_overrides_a_reason_given():
    with history_context(reason="script"):
        source = f.SourceFactory()
        source._change_reason = "corrected the title"
        source.title = "Other"
        source.save()
    assert list(
        source.history.order_by("history_id").values_list("history_change_reason", flat=True)
    ) == [
        "script",
        "corrected the title",
    ]


# --------------------------------------------------------------------- history page, changes


def test_history_page_has_no_inline_style(admin_client_logged):
    agreement = f.agreement_between(f.InstitutionFactory(), f.InstitutionFactory(country="AZ"))
    agreement.areas.add(area("joint_research"))
    for title in ("Second", "Third"):
        agreement.title = title
        agreement.save()
    response = admin_client_logged.get(
        reverse("admin:agreements_agreement_history", args=[agreement.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "history-paginator" in page
    assert "style=" not in page
    assert "admin-history.css" in page
    assert "unsafe-inline" not in response.headers.get("Content-Security-Policy", "")


def test_recent_changes_show_institutions_and_many_to_many_changes(admin_client_logged):
    institution = f.InstitutionFactory(name="Changed University")
    institution.sources.add(f.SourceFactory())
    figure = f.MobilityFigureFactory()
    response = admin_client_logged.get(reverse("accounts:recent_changes"))
    rows = response.context["rows"]
    labels = [(row["model"], row["label"], row["action"]) for row in rows]
    assert ("Institution", "Changed University", "changed") in [
        (model, label, str(action)) for model, label, action in labels
    ]
    assert any(row["label"] == str(figure) for row in rows)
    models_ = {choice for choice, _label in response.context["form"].fields["model"].choices}
    assert {"universities.institution", "mobility.mobilityfigure", "events.event"} <= models_


# --------------------------------------------------------------------- lost updates


def test_institution_refuses_a_stale_save():
    institution = f.InstitutionFactory()
    first, second = (Institution.objects.get(pk=institution.pk) for _ in range(2))
    first.city = "Astana"
    first.save()
    second.city = "Shymkent"
    with pytest.raises(EditConflict):
        second.save()
    institution.refresh_from_db()
    assert (institution.city, institution.version) == ("Astana", 2)


@pytest.mark.parametrize(
    ("make", "admin_name", "field", "values"),
    [
        (lambda: f.InstitutionFactory(), "universities_institution", "city", ("Astana", "Aktau")),
        (lambda: f.EventFactory(), "events_event", "city", ("Astana", "Aktau")),
        (lambda: f.MobilityFigureFactory(), "mobility_mobilityfigure", "notes", ("A", "B")),
    ],
    ids=["institution", "event", "mobility figure"],
)
def test_second_admin_save_is_refused(admin_client_logged, make, admin_name, field, values):
    obj = make()
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    alice = admin_form_data(admin_client_logged.get(url))
    bob = admin_form_data(admin_client_logged.get(url))
    assert admin_client_logged.post(url, {**alice, field: values[0]}).status_code == 302
    response = admin_client_logged.post(url, {**bob, field: values[1]})
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == values[0]


@pytest.mark.parametrize(
    ("make", "path", "field", "values"),
    [
        (lambda: f.InstitutionFactory(), "institutions", "city", ("Astana", "Aktau")),
        (lambda: f.EventFactory(), "events", "city", ("Astana", "Aktau")),
        (lambda: f.MobilityFigureFactory(), "mobility-figures", "notes", ("A", "B")),
    ],
    ids=["institution", "event", "mobility figure"],
)
def test_second_api_save_is_409_and_stale_if_match_is_412(make, path, field, values):
    obj = make()
    client = api_client(make_user("editor", MINISTRY_EDITOR))
    url = f"/api/{path}/{obj.pk}/"
    read = client.get(url)
    etag, version = read.headers["ETag"], read.json()["version"]
    first = client.patch(url, {field: values[0], "version": version}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["version"] == version + 1
    # The ETag of the saved representation, as the next read gives it.
    assert first.headers["ETag"] == client.get(url).headers["ETag"] != etag
    second = client.patch(url, {field: values[1], "version": version}, format="json")
    assert problem(second, 409)["code"] == "edit_conflict"
    assert "Someone else saved" in second.json()["detail"]
    third = client.patch(url, {field: values[1]}, format="json", HTTP_IF_MATCH=etag)
    assert problem(third, 412)["code"] == "precondition_failed"
    obj.refresh_from_db()
    assert getattr(obj, field) == values[0]


def test_university_editor_and_ministry_editor_editing_one_profile():
    institution = f.InstitutionFactory()
    uni = api_client(make_user("uni", UNIVERSITY_EDITOR, institutions=[institution]))
    ministry = api_client(make_user("ministry", MINISTRY_EDITOR))
    url = f"/api/institutions/{institution.pk}/"
    version = uni.get(url).json()["version"]
    assert (
        ministry.patch(
            url, {"website": "https://example.kz", "version": version}, format="json"
        ).status_code
        == 200
    )
    late = uni.patch(url, {"website": "https://other.kz", "version": version}, format="json")
    assert late.status_code == 409
    institution.refresh_from_db()
    assert institution.website == "https://example.kz"
    assert Event.objects.count() == 0 and MobilityFigure.objects.count() == 0
