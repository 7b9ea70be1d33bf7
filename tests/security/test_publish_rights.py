"""Publishing and withdrawing agreements (``is_public``) is the ministry's step.

Ministry editors and administrators (``agreements.visibility.may_publish``) set and change the
flag in the admin (field and list actions) and the API. A university editor, who may
change their own drafts, sees the flag but cannot change it: read-only in the admin, no
publish/withdraw actions, a 400 naming ``is_public`` in the API; a new agreement of theirs
gets the model's default. Bulk entry and imports are the ministry's altogether (refused to
university editors, tested in test_role_matrix) and take no ``is_public`` column.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from agreements.visibility import may_publish
from cooperation.roles import ADMINISTRATOR, ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from tests import factories as f
from tests.base import field_errors

from .helpers import admin_form_data, api_client, make_user

pytestmark = pytest.mark.django_db

DEFAULT = Agreement._meta.get_field("is_public").get_default()


@pytest.fixture
def world():
    own = f.InstitutionFactory(name="Own University")
    partner = f.InstitutionFactory(name="Partner University", country="AZ")
    draft = f.agreement_between(own, partner, status=AgreementStatus.DRAFT, signed_on=None)
    editor = make_user("uni", UNIVERSITY_EDITOR, institutions=[own])
    ministry = make_user("ministry", MINISTRY_EDITOR)
    return {"own": own, "partner": partner, "draft": draft, "editor": editor, "ministry": ministry}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_publishing_right():
    assert DEFAULT is True  # README: "public" on by default; drafts are never shown anyway
    assert may_publish(make_user("m", MINISTRY_EDITOR))
    assert may_publish(make_user("a", ADMINISTRATOR))
    assert not may_publish(make_user("u", UNIVERSITY_EDITOR, [f.InstitutionFactory()]))
    assert not may_publish(make_user("an", ANALYST))
    assert not may_publish(make_user("none"))
    assert not may_publish(None)


# --------------------------------------------------------------------------- admin


@pytest.mark.parametrize("stored", [True, False])
def test_admin_change_form_keeps_the_flag_of_a_university_editor(world, stored):
    draft = world["draft"]
    Agreement.objects.filter(pk=draft.pk).update(is_public=stored)
    client = logged_in(world["editor"])
    url = reverse("admin:agreements_agreement_change", args=[draft.pk])
    page = client.get(url)
    assert "is_public" not in page.context["adminform"].form.fields
    assert "is_public" in page.context["adminform"].readonly_fields
    data = {**admin_form_data(page), "title": "Renamed"}
    data["is_public"] = "on" if not stored else ""  # tries to flip it
    if not data["is_public"]:
        del data["is_public"]  # an unticked box is not sent at all
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:800]
    draft.refresh_from_db()
    assert (draft.title, draft.is_public) == ("Renamed", stored)


def test_admin_new_draft_of_a_university_editor_gets_the_default(world):
    client = logged_in(world["editor"])
    url = reverse("admin:agreements_agreement_add")
    superuser = make_user("root")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    data = admin_form_data(logged_in(superuser).get(url))
    data.pop("is_public", None)  # unticked: without the rule this would save "not public"
    data.update(
        {
            "title": "Proposed memorandum",
            "kind": "memorandum",
            "status": "draft",
            "signed_precision": "day",
            "level": "inter_institutional",
            "parties-TOTAL_FORMS": "2",
            "parties-0-institution": str(world["own"].pk),
            "parties-1-institution": str(world["partner"].pk),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    created = Agreement.objects.get(title="Proposed memorandum")
    assert created.is_public is DEFAULT


def action_names(response) -> set[str]:
    form = response.context["action_form"]  # None when the user has no action at all
    return {name for name, _label in form.fields["action"].choices} if form else set()


def test_admin_publish_actions_are_the_ministrys(world):
    draft = world["draft"]
    url = reverse("admin:agreements_agreement_changelist")
    editor = logged_in(world["editor"])
    assert not {"publish", "withdraw"} & action_names(editor.get(url))
    editor.post(url, {"action": "withdraw", ACTION_CHECKBOX_NAME: [str(draft.pk)]})
    draft.refresh_from_db()
    assert draft.is_public is True

    ministry = logged_in(world["ministry"])
    assert {"publish", "withdraw"} <= action_names(ministry.get(url))
    ministry.post(url, {"action": "withdraw", ACTION_CHECKBOX_NAME: [str(draft.pk)]})
    draft.refresh_from_db()
    assert draft.is_public is False


def test_admin_change_form_lets_the_ministry_change_the_flag(world):
    draft = world["draft"]
    client = logged_in(world["ministry"])
    url = reverse("admin:agreements_agreement_change", args=[draft.pk])
    data = admin_form_data(client.get(url))
    data.pop("is_public")
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_public is False


# --------------------------------------------------------------------------- API


def test_api_refuses_a_flag_change_by_a_university_editor(world):
    draft = world["draft"]
    client = api_client(world["editor"])
    url = f"/api/agreements/{draft.pk}/"
    response = client.patch(url, {"is_public": False, "title": "Renamed"}, format="json")
    assert response.status_code == 400
    assert "publish" in field_errors(response)["/is_public"][0]
    draft.refresh_from_db()
    assert (draft.title, draft.is_public) == (draft.title, True)
    assert draft.title != "Renamed"  # nothing half-saved
    # Sending the flag as it stands is no change: accepted.
    same = client.patch(url, {"is_public": True, "title": "Renamed"}, format="json")
    assert same.status_code == 200, same.content
    # A full write as read back (PUT) is accepted too.
    read = client.get(url).json()
    read["title"] = "Renamed again"
    assert client.put(url, read, format="json").status_code == 200


def test_api_new_agreement_of_a_university_editor(world):
    client = api_client(world["editor"])
    payload = {
        "title": "Proposed memorandum",
        "kind": "memorandum",
        "status": "draft",
        "parties": [{"institution": world["own"].pk}, {"institution": world["partner"].pk}],
    }
    refused = client.post("/api/agreements/", {**payload, "is_public": False}, format="json")
    assert refused.status_code == 400
    assert "/is_public" in field_errors(refused)
    assert not Agreement.objects.filter(title="Proposed memorandum").exists()
    created = client.post("/api/agreements/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["is_public"] is DEFAULT


@pytest.mark.parametrize("role", [MINISTRY_EDITOR, ADMINISTRATOR])
def test_api_publishers_change_the_flag(world, role):
    draft = world["draft"]
    client = api_client(make_user("publisher", role))
    url = f"/api/agreements/{draft.pk}/"
    assert client.patch(url, {"is_public": False}, format="json").status_code == 200
    draft.refresh_from_db()
    assert draft.is_public is False
    created = client.post(
        "/api/agreements/",
        {
            "title": "Withheld protocol",
            "kind": "memorandum",
            "is_public": False,
            "parties": [{"institution": world["own"].pk}, {"institution": world["partner"].pk}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["is_public"] is False
