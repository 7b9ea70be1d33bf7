"""Public and non-public data: what each kind of reader sees of the agreements.

The register holds, for a KZ-AZ pair, one public signed agreement and two hidden ones: a
signed agreement marked not public, and a draft. Anonymous visitors and signed-in users
without a reading role see only the public one, everywhere (lists, exports, details,
profiles, counts, the API); analysts see all three; a university editor sees the public
one plus those of their own institution.
"""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from agreements.visibility import PUBLIC_STATUSES
from cooperation.choices import StatedFigureMetric
from cooperation.roles import ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from events.models import Person
from tests import factories as f

from .helpers import make_user, tiny_pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def register(settings, tmp_path):
    settings.UNIBRIDGE_PUBLIC_READ = True
    settings.MEDIA_ROOT = tmp_path
    kz, az = f.InstitutionFactory(name="Open University"), f.InstitutionFactory(country="AZ")
    secret_partner = f.InstitutionFactory(name="Quiet Partner Academy", country="AZ")
    own = f.InstitutionFactory(name="Own University")
    event = f.EventFactory(title="Forum of Rectors")
    source = f.SourceFactory(title="Ministry news")
    valid_until = TODAY + datetime.timedelta(days=30)  # expiring within 90 days
    public = f.agreement_between(
        kz, az, title="Public memorandum", event=event, valid_until=valid_until
    )
    hidden = f.agreement_between(
        kz,
        secret_partner,
        title="Confidential memorandum",
        event=event,
        is_public=False,
        valid_until=valid_until,
    )
    hidden.document.save("scan.pdf", ContentFile(tiny_pdf()))
    draft = f.agreement_between(
        own, az, title="Draft memorandum", status=AgreementStatus.DRAFT, signed_on=None
    )
    for agreement in (public, hidden, draft):
        agreement.sources.add(source)
    f.StatedFigureFactory(
        metric=StatedFigureMetric.INSTITUTIONS_WITH_AGREEMENTS, country="KZ", partner_country="AZ"
    )
    f.StatedFigureFactory(
        metric=StatedFigureMetric.AGREEMENTS_SIGNED,
        value=3,
        qualifier="exact",
        country="KZ",
        partner_country="AZ",
    )
    return {
        "kz": kz,
        "az": az,
        "secret_partner": secret_partner,
        "own": own,
        "event": event,
        "source": source,
        "public": public,
        "hidden": hidden,
        "draft": draft,
    }


def client_for(kind: str, register) -> Client:
    client = Client()
    if kind == "anonymous":
        return client
    if kind == "no role":
        client.force_login(make_user("reader"))
    elif kind == "analyst":
        client.force_login(make_user("analyst", ANALYST))
    elif kind == "ministry editor":
        client.force_login(make_user("ministry", MINISTRY_EDITOR))
    elif kind == "university editor":
        client.force_login(make_user("uni", UNIVERSITY_EDITOR, institutions=[register["own"]]))
    return client


# What each kind of reader sees of (public, hidden, draft).
SEES = {
    "anonymous": {"public"},
    "no role": {"public"},
    "university editor": {"public", "draft"},  # the draft is their own institution's
    "analyst": {"public", "hidden", "draft"},
    "ministry editor": {"public", "hidden", "draft"},
}
READERS = list(SEES)
TITLES = {
    "public": "Public memorandum",
    "hidden": "Confidential memorandum",
    "draft": "Draft memorandum",
}


def shown(page: str) -> set[str]:
    return {key for key, title in TITLES.items() if title in page}


def test_public_statuses_are_every_status_but_draft():
    assert set(PUBLIC_STATUSES) == set(AgreementStatus.values) - {AgreementStatus.DRAFT}


def test_queryset_public_and_visible_to(register):
    assert list(Agreement.objects.public()) == [register["public"]]
    analyst = make_user("a", ANALYST)
    assert Agreement.objects.visible_to(analyst).count() == 3


@pytest.mark.parametrize("kind", READERS)
def test_register_page_and_its_exports(register, kind):
    client = client_for(kind, register)
    url = reverse("agreements:agreement_list")
    response = client.get(url)
    assert response.status_code == 200
    assert shown(response.content.decode()) == SEES[kind]
    assert response.context["table"].paginator.count == len(SEES[kind])
    # "not public" badge only on the hidden row, for those who see it.
    assert ("not-public" in response.content.decode()) == ("hidden" in SEES[kind])
    csv_text = b"".join(client.get(url, {"_export": "csv"}).streaming_content).decode()
    assert shown(csv_text) == SEES[kind]
    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {"_export": "xlsx"}).content))
    cells = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row)
    assert shown(cells) == SEES[kind]
    # The Status filter offers "Draft" only to readers who may see a draft.
    statuses = [value for value, _label in response.context["filter"].form.fields["status"].choices]
    assert ("draft" in statuses) == ("draft" in SEES[kind])
    assert "signed" in statuses


@pytest.mark.parametrize("kind", READERS)
def test_agreement_detail_is_404_when_hidden(register, kind):
    client = client_for(kind, register)
    for key in TITLES:
        response = client.get(register[key].get_absolute_url())
        assert response.status_code == (200 if key in SEES[kind] else 404), key


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("anonymous", 302),  # to the login page
        ("no role", 403),
        ("university editor", 404),  # not their institution's, not public: as if absent
        ("analyst", 200),
    ],
)
def test_document_download(register, kind, expected):
    url = reverse("agreements:agreement_document", args=[register["hidden"].pk])
    assert client_for(kind, register).get(url).status_code == expected


@pytest.mark.parametrize("kind", READERS)
def test_institution_profile_and_directory(register, kind):
    client = client_for(kind, register)
    profile = client.get(register["kz"].get_absolute_url())
    page = profile.content.decode()
    sees_hidden = "hidden" in SEES[kind]
    assert ("Confidential memorandum" in page) == sees_hidden
    # The partner known only through the hidden agreement is no partner to the public.
    assert ("Quiet Partner Academy" in page) == sees_hidden
    assert profile.context["partner_count"] == (2 if sees_hidden else 1)
    assert profile.context["agreement_count"] == (2 if sees_hidden else 1)
    directory = client.get(reverse("universities:institution_list"), {"q": "Open University"})
    row = directory.context["table"].rows[0].record
    assert (row.agreement_count, row.partner_count) == ((2, 2) if sees_hidden else (1, 1))
    partners = client.get(
        reverse("universities:institution_list"), {"partner_id": register["kz"].pk}
    )
    names = {row.record.name for row in partners.context["table"].rows}
    assert ("Quiet Partner Academy" in names) == sees_hidden


@pytest.mark.parametrize("kind", READERS)
def test_event_and_source_pages(register, kind):
    client = client_for(kind, register)
    event_page = client.get(register["event"].get_absolute_url()).content.decode()
    assert shown(event_page) == SEES[kind] - {"draft"}  # the draft was not signed there
    source_page = client.get(register["source"].get_absolute_url()).content.decode()
    assert shown(source_page) == SEES[kind]


@pytest.mark.parametrize("kind", READERS)
def test_dashboard_numbers_equal_the_lists_they_link_to(register, kind):
    """Every figure of the dashboard, for every kind of reader, is the count of the list
    its link opens for that same reader."""
    client = client_for(kind, register)
    response = client.get(reverse("dashboard") + "?pair=KZ-AZ")
    context = response.context
    agreements = reverse("agreements:agreement_list")
    institutions = reverse("universities:institution_list")

    def listed(url: str, **params) -> int:
        return client.get(url, params).context["table"].paginator.count

    assert context["agreement_count"] == len(SEES[kind])
    assert context["agreement_count"] == listed(agreements, country_pair="KZ,AZ")
    assert context["in_force_count"] == listed(agreements, country_pair="KZ,AZ", in_force="true")
    assert context["expiring_count"] == listed(agreements, country_pair="KZ,AZ", expiring_within=90)
    assert context["institutions_a"] == listed(institutions, country="KZ", partner_country="AZ")
    assert context["institutions_b"] == listed(institutions, country="AZ", partner_country="KZ")
    assert context["in_force_count"] == len(SEES[kind] - {"draft"})
    for row in context["stated"]:
        assert row.register_url
        assert (
            row.register_count == client.get(row.register_url).context["table"].paginator.count
        ), row.register_label


def api_client_for(kind: str, register) -> APIClient:
    client = APIClient()
    user = {
        "anonymous": None,
        "no role": lambda: make_user("reader"),
        "analyst": lambda: make_user("analyst", ANALYST),
        "ministry editor": lambda: make_user("ministry", MINISTRY_EDITOR),
        "university editor": lambda: make_user(
            "uni", UNIVERSITY_EDITOR, institutions=[register["own"]]
        ),
    }[kind]
    if user is not None:
        client.force_authenticate(user())
    return client


@pytest.mark.parametrize("kind", READERS)
def test_api_list_detail_exports_and_stats(register, kind):
    client = api_client_for(kind, register)
    body = client.get("/api/agreements/").json()
    assert {row["title"] for row in body["results"]} == {TITLES[k] for k in SEES[kind]}
    assert body["count"] == len(SEES[kind])
    for key in TITLES:
        status = client.get(f"/api/agreements/{register[key].pk}/").status_code
        assert status == (200 if key in SEES[kind] else 404), key
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/api/agreements/?format=csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert {row["title"] for row in csv_rows} == {TITLES[k] for k in SEES[kind]}
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/agreements/?format=xlsx").content))
    assert (
        shown(" ".join(str(c) for r in book.worksheets[0].iter_rows(values_only=True) for c in r))
        == SEES[kind]
    )
    stats = client.get("/api/agreements/stats/").json()
    assert stats["total"] == len(SEES[kind])
    institution = client.get(f"/api/institutions/{register['kz'].pk}/").json()
    assert institution["agreement_count"] == (2 if "hidden" in SEES[kind] else 1)


def csv_column(content, name: str) -> list[str]:
    rows = csv.DictReader(io.StringIO(b"".join(content).decode("utf-8-sig")))
    return [row[name] for row in rows]


@pytest.mark.parametrize("kind", READERS)
def test_figures_and_scholarships_name_only_agreements_the_reader_sees(register, kind):
    # A figure and a programme under each agreement: the id of a hidden one is not shown
    # either (not in the JSON, the CSV by the database or by Python, the detail).
    for key in TITLES:
        f.MobilityFigureFactory(agreement=register[key], notes=key)
        f.ScholarshipProgrammeFactory(agreement=register[key], name=f"Programme {key}")
    client = api_client_for(kind, register)
    expected = {key: register[key].pk if key in SEES[kind] else None for key in TITLES}
    figures = client.get("/api/mobility-figures/", {"page_size": 50}).json()["results"]
    assert {row["notes"]: row["agreement"] for row in figures} == expected
    programmes = client.get("/api/scholarships/").json()["results"]
    assert {row["name"]: row["agreement"] for row in programmes} == {
        f"Programme {key}": pk for key, pk in expected.items()
    }
    hidden_figure = next(row for row in figures if row["notes"] == "hidden")
    detail = client.get(f"/api/mobility-figures/{hidden_figure['id']}/").json()
    assert detail["agreement"] == expected["hidden"]
    for fmt in ("csv", "xlsx"):
        response = client.get("/api/mobility-figures/", {"format": fmt, "ordering": "id"})
        if fmt == "csv":
            ids = csv_column(response.streaming_content, "agreement")
        else:
            rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
            ids = [row[rows[1].index("agreement")] for row in rows[2:]]  # labels, keys, rows
        assert {str(i or "") for i in ids} == {str(pk or "") for pk in expected.values()}


def test_api_write_cannot_reach_a_hidden_agreement(register):
    client = api_client_for("university editor", register)
    response = client.patch(
        f"/api/agreements/{register['hidden'].pk}/", {"title": "Mine now"}, format="json"
    )
    assert response.status_code == 404
    register["hidden"].refresh_from_db()
    assert register["hidden"].title == "Confidential memorandum"


def test_admin_changelist_hides_others_non_public_agreements_from_a_university_editor(register):
    uni = client_for("university editor", register)
    page = uni.get(reverse("admin:agreements_agreement_changelist")).content.decode()
    assert shown(page) == {"public", "draft"}
    analyst = client_for("analyst", register)
    response = analyst.get(
        reverse("admin:agreements_agreement_changelist"), {"is_public__exact": "0"}
    )
    assert shown(response.content.decode()) == {"hidden"}


def test_admin_publish_and_withdraw_actions_keep_history(register):
    client = client_for("ministry editor", register)
    url = reverse("admin:agreements_agreement_changelist")
    hidden = register["hidden"]
    version = hidden.version
    response = client.post(url, {"action": "publish", "_selected_action": [hidden.pk]}, follow=True)
    assert "1 agreement is now public." in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.is_public and hidden.version == version + 1
    last = hidden.history.latest("history_date")
    assert last.history_user.username == "ministry"
    assert last.history_change_reason == "Published"
    client.post(url, {"action": "withdraw", "_selected_action": [hidden.pk]})
    hidden.refresh_from_db()
    assert not hidden.is_public
    # Anonymous visitors lose it again at once.
    assert Client().get(hidden.get_absolute_url()).status_code == 404


def test_analyst_cannot_publish(register):
    client = client_for("analyst", register)
    client.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": "publish", "_selected_action": [register["hidden"].pk]},
    )
    register["hidden"].refresh_from_db()
    assert not register["hidden"].is_public


# --------------------------------------------------------------------- public read off


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/agreements/",
        "/institutions/",
        "/events/",
        "/mobility/",
        "/mobility/scholarships/",
        "/sources/",
    ],
)
def test_pages_need_a_login_when_public_read_is_off(register, settings, url):
    settings.UNIBRIDGE_PUBLIC_READ = False
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_for("no role", register).get(url).status_code == 200


def test_api_and_health_when_public_read_is_off(register, settings):
    settings.UNIBRIDGE_PUBLIC_READ = False
    assert APIClient().get("/api/agreements/").status_code == 401
    assert APIClient().get(f"/api/agreements/{register['public'].pk}/").status_code == 401
    assert Client().get("/health/").status_code == 200
    assert Client().get(reverse("admin:login")).status_code == 200


# --------------------------------------------------------------------- personal data


def test_people_carry_no_personal_contact_data():
    """Officials are recorded with the name and position the news gave; there is no e-mail,
    phone or address field to hide from the public. A new one must not appear unnoticed."""
    names = {field.name for field in Person._meta.get_fields()}
    for word in ("email", "phone", "address", "birth", "passport", "mobile"):
        assert not any(word in name for name in names), word


@pytest.mark.parametrize("kind", ["university editor", "analyst"])
def test_recent_changes_keep_hidden_agreements_from_a_university_editor(register, kind):
    page = client_for(kind, register).get(reverse("accounts:recent_changes")).content.decode()
    assert ("Confidential memorandum" in page) == ("hidden" in SEES[kind])
    assert "Draft memorandum" in page  # their own institution's draft


def test_public_agreement_page_names_no_staff_member(register):
    editor = make_user("jane.doe", MINISTRY_EDITOR)
    public = register["public"]
    public._history_user = editor
    public.description = "Corrected"
    public.save()
    assert "jane.doe" not in Client().get(public.get_absolute_url()).content.decode()
    analyst = client_for("analyst", register)
    assert "jane.doe" in analyst.get(public.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("kind", "shows"), [("anonymous", False), ("analyst", True)])
def test_pair_menu_names_a_pair_known_only_from_hidden_agreements_to_readers_of_all(
    register, kind, shows
):
    """The dashboard's pair menu lists the country pairs with data; a pair whose only
    agreement is hidden must not appear to those who may not read it."""
    french = f.InstitutionFactory(name="Discreet École", country="FR")
    f.agreement_between(register["kz"], french, title="Quiet agreement", is_public=False)
    response = client_for(kind, register).get(reverse("dashboard") + "?pair=KZ-AZ")
    offered = {value for value, _label in response.context["pair_choices"]}
    assert ("FR-KZ" in offered) is shows
    assert "AZ-KZ" in offered or "KZ-AZ" in offered
