"""Every admin URL, for every role, enumerated from the admin site itself (not a hand list).

- A write the reader may not make (POST to a change, add, delete, history/revert, renew,
  terminate, import page, or a list action) is refused and changes nothing in the database.
- A university editor never sees an agreement hidden from them on any admin page: its title,
  reference code and description appear nowhere, history and old versions included, and
  rows that name it (a figure, a scholarship, an alert) do not name it.

A model or URL added later is covered without touching this file. The hand-written matrix
(``test_role_matrix.py``) checks that the allowed writes succeed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_permission_codename, get_user_model
from django.db import connection, transaction
from django.forms import BaseForm
from django.test import Client
from django.urls import NoReverseMatch, reverse

from agreements.choices import AgreementStatus
from agreements.models import Agreement, ExpiryNotice
from cooperation.roles import (
    ADMINISTRATOR,
    ANALYST,
    MINISTRY_EDITOR,
    UNIVERSITY_EDITOR,
    object_in_scope,
)
from tests import factories as f
from universities.models import Institution, InstitutionEditor

from .helpers import admin_form_data, make_user

pytestmark = pytest.mark.django_db

ANON, NO_ROLE = "anonymous", None
ROLES = [ANON, NO_ROLE, ANALYST, UNIVERSITY_EDITOR, MINISTRY_EDITOR, ADMINISTRATOR]
SECRETS = ("SECRET-HIDDEN-TITLE", "SECRET-REF-0042", "SECRET-DESCRIPTION", "SECRET-DELETED")
# Tables a refused request may still touch: logins and sessions, not the register.
UNWATCHED_APPS = {"sessions", "axes", "contenttypes"}


@dataclass
class World:
    superuser: object
    objects: dict = field(default_factory=dict)  # model -> the instance its URLs are tried on
    deleted_pk: int = 0


@pytest.fixture
def world(django_user_model) -> World:
    own = f.InstitutionFactory(name="Own University")
    other = f.InstitutionFactory(name="Other University")
    partner = f.InstitutionFactory(name="Partner University", country="AZ", city="Baku")
    f.InstitutionNameFactory(institution=other, name="Other Uni Acronym")
    source = f.SourceFactory(title="Press release")
    event = f.EventFactory(title="Forum of rectors")
    person = f.PersonFactory(name="A Rector")
    participation = f.ParticipationFactory(event=event, person=person)
    f.agreement_between(own, partner, status=AgreementStatus.DRAFT, signed_on=None)
    hidden = f.agreement_between(
        other,
        partner,
        title="SECRET-HIDDEN-TITLE",
        reference_code="SECRET-REF-0042",
        description="SECRET-DESCRIPTION",
        is_public=False,
        event=event,
    )
    hidden.sources.add(source)
    hidden.title = "SECRET-HIDDEN-TITLE"  # a second version in its history
    hidden.valid_until = hidden.valid_until.replace(year=2031)
    hidden.save()
    condition = f.CooperationConditionFactory(
        agreement=hidden, sending_institution=other, receiving_institution=partner
    )
    programme = f.ScholarshipProgrammeFactory(agreement=hidden, host_institution=other)
    allocation = f.ScholarshipAllocationFactory(programme=programme)
    figure = f.MobilityFigureFactory(agreement=hidden, source=source, notes="figure note")
    stated = f.StatedFigureFactory()
    stated.sources.add(source)
    notice = ExpiryNotice.objects.create(
        agreement=hidden, threshold_days=90, valid_until=hidden.valid_until
    )
    gone = f.agreement_between(other, partner, title="SECRET-DELETED", is_public=False)
    deleted_pk = gone.pk
    gone.delete()
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    editor_link = InstitutionEditor.objects.create(user=superuser, institution=other)
    world = World(superuser=superuser, deleted_pk=deleted_pk)
    chosen = {
        Agreement: hidden,
        hidden.parties.model: hidden.parties.first(),
        type(condition): condition,
        type(programme): programme,
        type(allocation): allocation,
        type(figure): figure,
        type(stated): stated,
        ExpiryNotice: notice,
        type(participation): participation,
        InstitutionEditor: editor_link,
    }
    for model in admin.site._registry:
        instance = chosen.get(model) or model._default_manager.order_by("pk").first()
        if instance is not None:
            world.objects[model] = instance
    return world


def own_institution():
    """The university editor's institution: party to a draft, not to the hidden agreement."""
    return Institution.objects.get(name="Own University")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def snapshot() -> tuple:
    """What a write could change, in two queries: for every table its row count and the
    latest ``updated_at`` / highest ``version`` where it has them (every register model has
    a history table, so any save adds a row somewhere), and the users in full."""
    qn = connection.ops.quote_name
    parts = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in UNWATCHED_APPS or meta.proxy:
            continue
        names = {column.attname for column in meta.concrete_fields}
        marks = [
            f"CAST(MAX({qn(name)}) AS TEXT)" for name in ("updated_at", "version") if name in names
        ] or ["NULL"]
        parts.append(
            f"SELECT '{meta.label}', COUNT(*), {', '.join((marks + ['NULL'])[:2])} "
            f"FROM {qn(meta.db_table)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        tables = sorted(cursor.fetchall())
    user_model = get_user_model()
    columns = [c.attname for c in user_model._meta.concrete_fields if c.attname != "last_login"]
    return tables, sorted(user_model.objects.values_list(*columns))


def older_version_id(instance) -> int | None:
    history = getattr(type(instance), "history", None)
    if history is None:
        return None
    return (
        history.filter(**{type(instance)._meta.pk.attname: instance.pk})
        .order_by("history_date")
        .values_list("history_id", flat=True)
        .first()
    )


@dataclass
class AdminUrl:
    label: str
    url: str
    model: type
    instance: object | None
    needs: str  # the permission a POST needs: add, change, delete, or "never"
    data: dict = field(default_factory=dict)


def form_data(response) -> dict:
    context = response.context or {}
    if "adminform" in context and "inline_admin_formsets" in context:
        return admin_form_data(response)
    form = context["adminform"].form if "adminform" in context else context.get("form")
    data: dict = {}
    if isinstance(form, BaseForm):
        for name in form.fields:
            value = form[name].value()
            if value is None or value == "" or value is False:
                continue
            if value is True:
                data[form[name].html_name] = "on"
            elif isinstance(value, list | tuple):
                data[form[name].html_name] = [str(item) for item in value]
            else:
                data[form[name].html_name] = str(value)
    return data


def admin_urls(world: World) -> list[AdminUrl]:
    """Every URL of every registered model admin, filled in with the world's objects, and
    what a POST to it asks for; the POST data is the form the superuser is shown."""
    root = client_for(world.superuser)
    found = []
    for model, model_admin in admin.site._registry.items():
        instance = world.objects.get(model)
        opts = model._meta
        for pattern in model_admin.get_urls():
            if not pattern.name:
                continue  # the bare <id>/ redirect to the change page
            groups = pattern.pattern.regex.groups
            args: list = []
            if groups >= 1:
                if instance is None:
                    continue
                args.append(instance.pk)
            if groups == 2:
                version = older_version_id(instance)
                if version is None:
                    continue
                args.append(version)
            try:
                url = reverse(f"admin:{pattern.name}", args=args)
            except NoReverseMatch:
                continue
            suffix = pattern.name.removeprefix(f"{opts.app_label}_{opts.model_name}_")
            needs = {"add": "add", "delete": "delete", "changelist": "actions"}.get(
                suffix, "change"
            )
            if suffix in {"history", "export"}:
                needs = "never"  # a POST there writes nothing for anyone
            page = root.get(url)
            data = form_data(page) if page.status_code == 200 else {}
            if suffix == "delete":
                data = {"post": "yes"}
            if needs == "actions":
                for name in model_admin.get_actions(_request_for(world.superuser)):
                    found.append(
                        AdminUrl(
                            f"{pattern.name} action {name}",
                            url,
                            model,
                            instance,
                            f"action:{name}",
                            {"action": name, "_selected_action": [instance.pk], "index": 0}
                            if instance
                            else {"action": name, "index": 0},
                        )
                    )
                continue
            found.append(AdminUrl(pattern.name, url, model, instance, needs, data))
    return found


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def may_write(user, item: AdminUrl) -> bool:
    """What the permission matrix, the editor's scope and the reader's visibility allow."""
    if user is None or not user.is_active or not user.is_staff:
        return False
    if item.needs == "never":
        return False
    model_admin = admin.site._registry[item.model]
    request = _request_for(user)
    instance = item.instance
    if instance is not None and not (
        model_admin.get_queryset(request).filter(pk=instance.pk).exists()
    ):
        return False  # hidden from this reader
    action = item.needs
    if action.startswith("action:"):
        func = model_admin.get_actions(request).get(action.removeprefix("action:"))
        if func is None:
            return False
        action = "delete" if "delete" in action else "change"
    codename = get_permission_codename(action, item.model._meta)
    if not user.has_perm(f"{item.model._meta.app_label}.{codename}"):
        return False
    return instance is None or object_in_scope(instance, user)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no role")
def test_every_refused_admin_write_changes_nothing(world, role):
    items = admin_urls(world)
    assert len(items) > 80, "the admin's URLs were not enumerated"
    user = make_user("someone", role, institutions=[own_institution()])
    client = client_for(user)
    before = snapshot()
    problems = []
    for item in items:
        allowed = may_write(user, item)
        with transaction.atomic():
            response = client.post(item.url, item.data)
            if user is None or not user.is_staff:
                # The admin sends them to its login page before any view code runs.
                if not (response.status_code == 302 and "/login/" in response.headers["Location"]):
                    problems.append(f"{item.label}: {response.status_code}, not the login page")
            elif response.status_code >= 500:
                problems.append(f"{item.label}: {response.status_code}")
            elif not allowed and snapshot() != before:
                problems.append(f"{item.label}: a refused write changed the database")
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [UNIVERSITY_EDITOR, NO_ROLE])
def test_hidden_agreements_appear_on_no_admin_page(world, role):
    user = make_user("uni", role, institutions=[own_institution()] if role else [])
    if role is None:
        user.is_staff = True  # staff without a role: the admin lets them in, shows nothing
        user.save()
    client = client_for(user)
    urls = [item.url for item in admin_urls(world) if not item.needs.startswith("action:")]
    urls += [
        reverse("admin:index"),
        reverse("admin:agreements_agreement_history", args=[world.deleted_pk]),
        reverse("admin:agreements_agreement_changelist") + "?q=SECRET",
    ]
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            urls.append(
                reverse("admin:autocomplete")
                + f"?app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                + f"&field_name={name}&term=SECRET"
            )
    problems = []
    for url in sorted(set(urls)):
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
            continue
        body = response.content.decode()
        leaked = [secret for secret in SECRETS if secret in body]
        if leaked:
            problems.append(f"{url}: shows {leaked}")
    assert not problems, "\n".join(problems)


def test_a_reader_sees_old_versions_but_cannot_revert(world):
    """An analyst reads the history form of an agreement; the form has no inputs and a
    POST of the old version is refused."""
    analyst = make_user("analyst", ANALYST)
    hidden = world.objects[Agreement]
    version = older_version_id(hidden)
    url = reverse("admin:agreements_agreement_simple_history", args=[hidden.pk, version])
    page = client_for(analyst).get(url)
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    before = Agreement.objects.values_list("title", "is_public", "version").get(pk=hidden.pk)
    response = client_for(analyst).post(url, {"title": "Reverted", "is_public": "on"})
    assert response.status_code == 403
    after = Agreement.objects.values_list("title", "is_public", "version").get(pk=hidden.pk)
    assert after == before


def test_an_editor_may_still_revert(world):
    """Ministry editors keep the revert: the old version's values come back."""
    editor = make_user("ministry", MINISTRY_EDITOR)
    hidden = world.objects[Agreement]
    hidden.title = "Renamed"
    hidden.save()
    version = (
        Agreement.history.filter(id=hidden.pk, title="SECRET-HIDDEN-TITLE")
        .values_list("history_id", flat=True)
        .first()
    )
    url = reverse("admin:agreements_agreement_simple_history", args=[hidden.pk, version])
    client = client_for(editor)
    data = form_data(client.get(url))
    response = client.post(url, data)
    assert response.status_code == 302, (data, response.context and response.context.get("errors"))
    hidden.refresh_from_db()
    assert hidden.title == "SECRET-HIDDEN-TITLE"


def test_deleted_records_are_not_recreated_by_a_scoped_editor(world):
    user = make_user("uni", UNIVERSITY_EDITOR, institutions=[own_institution()])
    version = (
        Agreement.history.filter(id=world.deleted_pk).values_list("history_id", flat=True).first()
    )
    url = reverse("admin:agreements_agreement_simple_history", args=[world.deleted_pk, version])
    response = client_for(user).post(url, {"title": "Back", "kind": "memorandum"})
    assert response.status_code == 404
    assert not Agreement.objects.filter(pk=world.deleted_pk).exists()
