"""The permission matrix: every role x every write path. Allowed ones succeed; the others
are refused (401/403, or the admin's redirect to its login page) and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from cooperation.models import Source
from cooperation.roles import ADMINISTRATOR, ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from tests import factories as f
from universities.models import Institution

from .helpers import admin_form_data, api_client, make_user, tiny_pdf

pytestmark = pytest.mark.django_db

ANON, NO_ROLE = "anonymous", None
ROLES = [ANON, NO_ROLE, ANALYST, UNIVERSITY_EDITOR, MINISTRY_EDITOR, ADMINISTRATOR]
EDITORS = {MINISTRY_EDITOR, ADMINISTRATOR}
WITH_ROLE = {ANALYST, UNIVERSITY_EDITOR, MINISTRY_EDITOR, ADMINISTRATOR}


@dataclass
class World:
    own: Institution  # the university editor's institution
    other: Institution
    partner: Institution
    own_draft: Agreement  # a draft the editor's institution is party to
    other_agreement: Agreement  # signed, between two other institutions
    superuser: object


@pytest.fixture
def world(django_user_model) -> World:
    own = f.InstitutionFactory(name="Own University")
    other = f.InstitutionFactory(name="Other University")
    partner = f.InstitutionFactory(name="Partner University", country="AZ", city="Baku")
    own_draft = f.agreement_between(own, partner, status=AgreementStatus.DRAFT, signed_on=None)
    other_agreement = f.agreement_between(other, partner)
    other_agreement.document.save("scan.pdf", ContentFile(tiny_pdf()))
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    return World(own, other, partner, own_draft, other_agreement, superuser)


def snapshot() -> tuple:
    """Everything a write path could change."""
    return (
        Source.objects.count(),
        Agreement.objects.count(),
        sorted(Agreement.objects.values_list("pk", "title", "status", "version")),
        sorted(Institution.objects.values_list("pk", "city", "website")),
    )


def agreement_payload(world: World, *, with_own: bool) -> dict:
    first = world.own if with_own else world.other
    return {
        "title": "Proposed memorandum",
        "kind": "memorandum",
        "status": "draft",
        "parties": [{"institution": first.pk}, {"institution": world.partner.pk}],
    }


def admin_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def admin_change(world: World, model: str, obj, changes: dict) -> Callable:
    """POST the change form as the superuser sees it, with ``changes``, as ``user``."""
    url = reverse(f"admin:{model}_change", args=[obj.pk])
    page = admin_client(world.superuser).get(url)
    data = {**admin_form_data(page), **changes}
    return lambda user: admin_client(user).post(url, data)


def admin_add(world: World, model: str, changes: dict) -> Callable:
    url = reverse(f"admin:{model}_add")
    data = {**admin_form_data(admin_client(world.superuser).get(url)), **changes}
    return lambda user: admin_client(user).post(url, data)


def upload(kind: str, rows: str) -> Callable:
    """Upload a CSV to a spreadsheet import page (the preview saves nothing)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = SimpleUploadedFile("rows.csv", rows.encode(), content_type="text/csv")
    return lambda user: admin_client(user).post(reverse(f"{kind}:import"), {"file": data})


# Each path: (name, who may, call(world, user) -> response)
PATHS: dict[str, tuple[set, Callable]] = {
    "api: create source": (
        EDITORS,
        lambda w, u: api_client(u).post("/api/sources/", {"title": "New source"}),
    ),
    "api: propose agreement with own institution": (
        EDITORS | {UNIVERSITY_EDITOR},
        lambda w, u: api_client(u).post("/api/agreements/", agreement_payload(w, with_own=True)),
    ),
    "api: create agreement between others": (
        EDITORS,
        lambda w, u: api_client(u).post("/api/agreements/", agreement_payload(w, with_own=False)),
    ),
    "api: edit own draft agreement": (
        EDITORS | {UNIVERSITY_EDITOR},
        lambda w, u: api_client(u).patch(f"/api/agreements/{w.own_draft.pk}/", {"title": "Edited"}),
    ),
    "api: sign own draft agreement": (
        EDITORS,
        lambda w, u: api_client(u).patch(
            f"/api/agreements/{w.own_draft.pk}/", {"status": "signed", "signed_on": "2025-05-01"}
        ),
    ),
    "api: edit another agreement": (
        EDITORS,
        lambda w, u: api_client(u).patch(
            f"/api/agreements/{w.other_agreement.pk}/", {"title": "Edited"}
        ),
    ),
    "api: delete agreement": (
        EDITORS,
        lambda w, u: api_client(u).delete(f"/api/agreements/{w.own_draft.pk}/"),
    ),
    "api: edit own institution": (
        EDITORS | {UNIVERSITY_EDITOR},
        lambda w, u: api_client(u).patch(f"/api/institutions/{w.own.pk}/", {"city": "Turkistan"}),
    ),
    "api: edit another institution": (
        EDITORS,
        lambda w, u: api_client(u).patch(f"/api/institutions/{w.other.pk}/", {"city": "Turkistan"}),
    ),
    "admin: add source": (
        EDITORS,
        lambda w, u: admin_add(w, "cooperation_source", {"title": "New source"})(u),
    ),
    "admin: edit own institution": (
        EDITORS | {UNIVERSITY_EDITOR},
        lambda w, u: admin_change(w, "universities_institution", w.own, {"city": "Turkistan"})(u),
    ),
    "admin: edit another institution": (
        EDITORS,
        lambda w, u: admin_change(w, "universities_institution", w.other, {"city": "Turkistan"})(u),
    ),
    "admin: edit own draft agreement": (
        EDITORS | {UNIVERSITY_EDITOR},
        lambda w, u: admin_change(w, "agreements_agreement", w.own_draft, {"title": "Edited"})(u),
    ),
    "admin: edit another agreement": (
        EDITORS,
        lambda w, u: admin_change(
            w, "agreements_agreement", w.other_agreement, {"title": "Edited"}
        )(u),
    ),
    "admin: delete agreement": (
        EDITORS,
        lambda w, u: admin_client(u).post(
            reverse("admin:agreements_agreement_delete", args=[w.own_draft.pk]), {"post": "yes"}
        ),
    ),
    "admin: import agreements (form)": (
        EDITORS,
        lambda w, u: admin_client(u).get(reverse("admin:agreements_agreement_import")),
    ),
    "api: renew another agreement": (
        EDITORS,
        lambda w, u: api_client(u).post(
            f"/api/agreements/{w.other_agreement.pk}/renew/", {"valid_from": "2030-04-06"}
        ),
    ),
    "api: terminate another agreement": (
        EDITORS,
        lambda w, u: api_client(u).post(
            f"/api/agreements/{w.other_agreement.pk}/terminate/",
            {"terminated_on": "2025-05-01", "reason": "Ended by notice"},
        ),
    ),
    "admin: renew another agreement": (
        EDITORS,
        lambda w, u: admin_client(u).post(
            reverse("admin:agreements_agreement_renew", args=[w.other_agreement.pk]),
            {
                "status": "signed",
                "valid_from": "2030-04-06",
                "opened_version": str(w.other_agreement.version),
            },
        ),
    ),
    "admin: terminate another agreement": (
        EDITORS,
        lambda w, u: admin_client(u).post(
            reverse("admin:agreements_agreement_terminate", args=[w.other_agreement.pk]),
            {
                "terminated_on": "2025-05-01",
                "reason": "Ended by notice",
                "opened_version": str(w.other_agreement.version),
            },
        ),
    ),
    "page: import agreements (upload)": (
        EDITORS,
        lambda w, u: upload(
            "agreements", "parties,kind\nOwn University; Partner University,memorandum\n"
        )(u),
    ),
    "page: import mobility figures (upload)": (
        EDITORS,
        lambda w, u: upload(
            "mobility",
            "year,origin,destination,type,measure,value,source\n2024,KZ,AZ,students,flow,5,1\n",
        )(u),
    ),
    # Bulk entry creates signed agreements between any institutions: the ministry's.
    "api: bulk entry (save)": (
        EDITORS,
        lambda w, u: api_client(u).post(
            "/api/agreements/bulk/",
            {
                "defaults": {"kind": "memorandum", "signed_on": "2025-05-01"},
                "rows": [{"parties": [w.own.pk, w.partner.pk], "title": "Bulk memorandum"}],
            },
            format="json",
        ),
    ),
    "page: signing session (save)": (
        EDITORS,
        lambda w, u: admin_client(u).post(
            reverse("agreements:signing_session"),
            {
                "new_event_title": "Signing ceremony",
                "new_event_kind": "signing_ceremony",
                "new_event_date": "2025-05-01",
                "new_event_city": "Astana",
                "new_event_country": "KZ",
                "kind": "memorandum",
                "rows": "Own University;Partner University;Session memorandum",
                "save": "1",
            },
        ),
    ),
    "page: download the signed document": (
        WITH_ROLE,
        lambda w, u: admin_client(u).get(
            reverse("agreements:agreement_document", args=[w.other_agreement.pk])
        ),
    ),
}


def refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    # The admin and the pages send a signed-out visitor to the login page.
    return response.status_code == 302 and "/login/" in response.headers.get("Location", "")


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no role")
@pytest.mark.parametrize("path", list(PATHS))
def test_role_matrix(world, role, path):
    allowed, call = PATHS[path]
    user = make_user("someone", role, institutions=[world.own])
    before = snapshot()
    response = call(world, user)
    if role in allowed:
        assert response.status_code in (200, 201, 204, 302), (
            response.status_code,
            getattr(response, "data", None) or response.content[:500],
        )
        if response.status_code == 302:
            assert "/login/" not in response.headers["Location"]
        if path.startswith(
            ("api: create", "api: propose", "api: edit", "api: sign", "admin: add")
            + ("api: renew", "api: terminate", "admin: renew", "admin: terminate")
            + ("api: bulk", "page: signing session")
        ):
            assert snapshot() != before, "an allowed write changed nothing"
        if path.startswith("admin: edit"):
            assert snapshot() != before, response.context and response.context.get("errors")
    else:
        assert refused(response), (response.status_code, response.content[:300])
        assert snapshot() == before


def test_download_is_an_attachment_with_a_safe_name(world):
    world.other_agreement.title = 'Evil "name"; ../../etc/passwd\r\nX-Header: 1'
    world.other_agreement.save()
    user = make_user("reader", ANALYST)
    response = admin_client(user).get(
        reverse("agreements:agreement_document", args=[world.other_agreement.pk])
    )
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert ".." not in disposition and "/" not in disposition and "\r" not in disposition
    assert response.headers["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_media_url_serves_nothing(world, settings):
    path = world.other_agreement.document.name
    response = Client().get(f"/{settings.MEDIA_URL}{path}")
    assert response.status_code == 404


def test_scoped_editor_sees_others_read_only_in_admin(world):
    user = make_user("uni", UNIVERSITY_EDITOR, institutions=[world.own])
    client = admin_client(user)
    own = client.get(reverse("admin:universities_institution_change", args=[world.own.pk]))
    other = client.get(reverse("admin:universities_institution_change", args=[world.other.pk]))
    assert own.context["has_change_permission"] is True
    assert other.status_code == 200 and other.context["has_change_permission"] is False


def test_university_editor_may_only_propose_drafts_in_admin(world):
    user = make_user("uni", UNIVERSITY_EDITOR, institutions=[world.own])
    page = admin_client(user).get(reverse("admin:agreements_agreement_add"))
    choices = [value for value, _label in page.context["adminform"].form.fields["status"].choices]
    assert choices == ["draft"]
