"""The dashboard, the directory, the register, ``/api/agreements/`` and
``/api/institutions/`` are served from the
cache to every reader, per visibility class (cooperation.register_cache, issue 14 finding 8):
no reader is shown what another class may see, no reader gets another's menu or CSRF
token, and every kind of write shows on the next request.

As in test_directory_cache.py, ``commit`` makes the generation go up at once, as the
commit of a write's transaction would.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from agreements.models import Agreement, CooperationArea, Party
from agreements.services import agreements_bulk_create
from cooperation import generations, register_cache
from cooperation.audit import bulk_create_with_history_sql
from cooperation.models import RegisterGeneration
from cooperation.roles import ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from mobility.models import MobilityFigure
from tests.factories import (
    CooperationConditionFactory,
    EventFactory,
    InstitutionFactory,
    MobilityFigureFactory,
    ParticipationFactory,
    ScholarshipAllocationFactory,
    SourceFactory,
    StatedFigureFactory,
    agreement_between,
)
from tests.security.helpers import make_user

pytestmark = pytest.mark.django_db

DASHBOARD, DIRECTORY, REGISTER, API = "/", "/institutions/", "/agreements/", "/api/agreements/"
DIRECTORY_API = "/api/institutions/"  # its counts differ per class (issue 18)
URLS = (DASHBOARD, DIRECTORY, REGISTER, API, DIRECTORY_API)
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def commit(monkeypatch):
    """Writes count as committed: the generation goes up at once."""
    monkeypatch.setattr(
        generations.transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture
def world():
    kaznu = InstitutionFactory(name="Al-Farabi Kazakh National University")
    ada = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    bsu = InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    public = agreement_between(kaznu, ada, title="Public memorandum")
    hidden = agreement_between(kaznu, bsu, title="Hidden protocol", is_public=False)
    draft = agreement_between(kaznu, ada, title="Draft exchange", status="draft")
    stated = StatedFigureFactory()
    stated.sources.add(SourceFactory(title="Trend interview"))
    return {
        "kaznu": kaznu,
        "ada": ada,
        "bsu": bsu,
        "public": public,
        "hidden": hidden,
        "draft": draft,
        "stated": stated,
        "analyst": make_user("analyst", ANALYST),
        "ministry": make_user("ministry", MINISTRY_EDITOR),
        "ada_editor": make_user("ada-editor", UNIVERSITY_EDITOR, [ada]),
        "bsu_editor": make_user("bsu-editor", UNIVERSITY_EDITOR, [bsu]),
        "no_role": make_user("no-role"),
    }


def client_for(world, reader: str, *, token: bool = False) -> Client:
    client = Client()
    if reader != "anonymous":
        user = world[reader]
        if token:
            key = Token.objects.get_or_create(user=user)[0].key
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
        else:
            client.force_login(user)
    return client


def page(client: Client, url: str, **headers) -> bytes:
    """The answer's body, CSRF tokens aside; never with a hole left in it."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    assert b"@@" not in response.content
    return _CSRF.sub(b"", response.content)


# ----------------------------------------------------------------------------- speed


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("reader", ["anonymous", "analyst", "ada_editor"])
def test_a_repeated_answer_is_served_from_the_cache(
    world, url, reader, django_assert_max_num_queries
):
    client = client_for(world, reader)
    first = page(client, url)
    # The generations: the session, the user, their permissions, roles and
    # institutions (their class and their menu) are kept (cooperation.readers), and none
    # of the page's own reads is made.
    with django_assert_max_num_queries(1):
        second = page(client, url)
    assert second == first


# ------------------------------------------------------------------ what each class sees


@pytest.mark.parametrize("url", URLS)
def test_no_class_is_shown_a_page_cached_for_another(world, url):
    """Whoever asks first, each reader sees their own agreements: the analyst everything,
    each university editor the public ones and their institution's, the public (signed in
    without a role or not) the public ones only."""
    titles = {
        "analyst": {"Public memorandum", "Hidden protocol", "Draft exchange"},
        "ada_editor": {"Public memorandum", "Draft exchange"},
        "bsu_editor": {"Public memorandum", "Hidden protocol"},
        "no_role": {"Public memorandum"},
        "anonymous": {"Public memorandum"},
    }
    expected = {}
    for reader in titles:  # each page drawn live, alone in the cache
        cache.clear()
        expected[reader] = page(client_for(world, reader), url)
    cache.clear()
    for order in (list(titles), list(reversed(titles))):
        for reader in order:
            body = page(client_for(world, reader), url)
            assert body == expected[reader], (reader, order)
            if url in (REGISTER, API):
                shown = {
                    t for t in ("Public memorandum", "Hidden protocol", "Draft exchange")
                    if t.encode() in body
                }  # fmt: skip
                assert shown == titles[reader], reader
        cache.clear()


def test_an_analysts_draft_never_reaches_the_public(world):
    analyst = client_for(world, "analyst")
    for url in URLS:
        assert b"Draft exchange" in page(analyst, url) or url in (
            DASHBOARD,
            DIRECTORY,
            DIRECTORY_API,
        )
    for url in URLS:
        for reader in ("anonymous", "no_role"):
            body = page(client_for(world, reader), url)
            assert b"Draft exchange" not in body
            assert b"Hidden protocol" not in body
    # The dashboard's and directory's numbers: 3 agreements for the analyst, 1 for the public.
    assert page(analyst, DASHBOARD) != page(Client(), DASHBOARD)
    assert page(analyst, DIRECTORY) != page(Client(), DIRECTORY)
    assert page(analyst, DIRECTORY_API) != page(Client(), DIRECTORY_API)


def test_an_editors_class_follows_their_institutions(world):
    editor = client_for(world, "ada_editor")
    assert b"Draft exchange" in page(editor, REGISTER)
    world["ada_editor"].institution_links.all().delete()  # no longer ADA's editor
    assert b"Draft exchange" not in page(editor, REGISTER)


@pytest.mark.parametrize("url", [DASHBOARD, DIRECTORY, REGISTER])
def test_each_reader_gets_their_own_menu_and_token_from_a_cached_page(world, url):
    """A ministry editor and an analyst read the same agreements (one class, one cached
    page) but may do different things: the signing session and the import are offered to
    the ministry editor only, whoever asked first; each gets a working CSRF token."""
    for first, second in (("ministry", "analyst"), ("analyst", "ministry")):
        cache.clear()
        page(client_for(world, first), url)
        for reader in (first, second):
            client = client_for(world, reader)
            client.handler.enforce_csrf_checks = True
            html = client.get(url).content.decode()
            offered = "Signing session" in html
            assert offered == (reader == "ministry"), (url, first, reader)
            if url == REGISTER:
                assert ("Import from a spreadsheet" in html) == (reader == "ministry")
            assert "Admin" in html  # both are staff
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            response = client.post(
                "/i18n/setlang/", {"language": "ru", "next": url, "csrfmiddlewaretoken": token}
            )
            assert response.status_code == 302


def test_a_visitor_is_offered_to_log_in_on_a_page_cached_for_a_signed_in_reader(world):
    page(client_for(world, "no_role"), DASHBOARD)  # the public class, signed in
    html = Client().get(DASHBOARD).content.decode()
    assert "Log in" in html and "Admin" not in html


def test_languages_are_other_pages(world):
    client = client_for(world, "analyst")
    assert 'lang="en"' in page(client, REGISTER).decode()
    assert 'lang="ru"' in page(client, REGISTER, accept_language="ru").decode()
    assert 'lang="en"' in page(client, REGISTER).decode()


def test_a_page_with_a_message_is_never_cached(world):
    client = client_for(world, "analyst")
    for _ in range(2):
        html = client.get(DASHBOARD, {"pair": "KZ-KZ"}).content.decode()
        assert "is not a pair of two different country codes" in html
    assert "is not a pair" not in client.get(DASHBOARD).content.decode()


# ------------------------------------------------------------------------------- API


def test_the_api_list_is_kept_per_reader_media_type_and_host(world):
    anonymous, analyst = Client(), client_for(world, "analyst", token=True)
    assert b"Hidden protocol" not in page(anonymous, API)
    assert b"Hidden protocol" in page(analyst, API)
    assert b"Hidden protocol" not in page(anonymous, API)
    indented = page(anonymous, API, accept="application/json; indent=4")
    assert b'\n    "count": 1' in indented
    assert b'\n    "count"' not in page(anonymous, API)
    paged = API + "?page_size=1"
    assert b"http://testserver/api/agreements/?page=2" in page(analyst, paged)
    other_host = page(analyst, paged, host="localhost")
    assert b"http://localhost/api/agreements/?page=2" in other_host


def test_api_exports_and_errors_are_not_cached(world):
    client = client_for(world, "analyst", token=True)
    for _ in range(2):
        csv = client.get(API, {"format": "csv"})
        assert csv.status_code == 200 and b"Hidden protocol" in b"".join(csv.streaming_content)
        assert client.get(API, {"status": "nonsense"}).status_code == 400


# ----------------------------------------------------------- every write, next request


def _new_agreement(w):
    agreement_between(w["kaznu"], w["bsu"], title="New memorandum")


def _draft(w):
    w["public"].status = "draft"
    w["public"].save()


def _publish(w):
    w["hidden"].is_public = True
    w["hidden"].save()


def _remove_party(w):
    Party.objects.get(agreement=w["public"], institution=w["ada"]).delete()


def _delete_agreements(w):
    Agreement.objects.all().delete()


def _session(w):
    result = agreements_bulk_create(
        event=None,
        rows=[{"parties": [w["kaznu"].pk, w["bsu"].pk]}],
        defaults={"kind": "exchange", "signed_on": "2026-04-06"},
    )
    assert result.saved


def _rename(w):
    w["ada"].name = "ADA University (Renamed)"
    w["ada"].save()


def _condition(w):
    CooperationConditionFactory(
        agreement=w["public"], sending_institution=w["kaznu"], receiving_institution=w["ada"]
    )


def _areas(w):
    w["public"].areas.add(CooperationArea.objects.get_or_create(code="joint_research")[0])


def _event(w):
    # Held in KZ with an Azerbaijani guest: an event of the dashboard's pair (of_pair).
    event = EventFactory(
        title="Third Forum of Rectors",
        start_date=timezone.localdate() + datetime.timedelta(days=30),
        status="planned",
    )
    ParticipationFactory(event=event, country="AZ")


def _figure(w):
    MobilityFigureFactory(year=2024, value=1234)


def _imported_figures(w):
    # As the spreadsheet import saves them: bulk_create, no signals.
    figure = MobilityFigureFactory.build(year=2023, value=4321, source=SourceFactory())
    bulk_create_with_history_sql([figure], MobilityFigure)


def _scholarship(w):
    ScholarshipAllocationFactory(programme__name="Bolashak for Azerbaijan", places_offered=7)


def _stated_figure(w):
    StatedFigureFactory(value=99, statement="Ninety-nine universities")


def _stated_source(w):
    w["stated"].sources.add(SourceFactory(title="Anniversary article"))


def _source_renamed(w):
    source = w["stated"].sources.get()
    source.title = "Trend interview (corrected)"
    source.save()


# Which answers each write changes (for the readers of the test below).
WRITES = [
    (_new_agreement, URLS),
    (_draft, URLS),
    (_publish, URLS),
    (_remove_party, URLS),
    (_delete_agreements, URLS),
    (_session, URLS),
    (_rename, (DIRECTORY, REGISTER)),
    (_condition, (API,)),
    (_areas, (API,)),
    (_event, (DASHBOARD,)),
    (_figure, (DASHBOARD,)),
    (_imported_figures, (DASHBOARD,)),
    (_scholarship, (DASHBOARD,)),
    (_stated_figure, (DASHBOARD,)),
    (_stated_source, (DASHBOARD,)),
    (_source_renamed, (DASHBOARD,)),
]


@pytest.mark.parametrize(("write", "changed"), WRITES, ids=[w.__name__ for w, _ in WRITES])
@pytest.mark.parametrize("reader", ["anonymous", "ada_editor", "analyst"])
def test_every_write_shows_on_the_next_request(world, write, changed, reader):
    client = client_for(world, reader)
    if reader != "anonymous" and write is _draft:
        changed = (DASHBOARD, REGISTER, API)  # they count drafts: the directory stays
    if reader == "analyst" and write is _publish:
        changed = (API,)  # read already; now marked public
    before = {url: page(client, url) for url in URLS}  # now cached
    write(world)
    after = {url: page(client, url) for url in URLS}
    cache.clear()
    for url in URLS:
        assert after[url] == page(client, url), f"{url} is stale after {write.__name__}"
        if url in changed:
            assert after[url] != before[url], f"{url} did not change on {write.__name__}"


def test_every_register_model_raises_the_generation():
    """Whatever a cached view reads is watched: every model of the register's apps."""
    watched = {m._meta.label for m in register_cache.watched_models()}
    for label in (
        "universities.Institution",
        "universities.InstitutionName",
        "events.Event",
        "agreements.Agreement",
        "agreements.Party",
        "agreements.CooperationCondition",
        "mobility.MobilityFigure",
        "mobility.ScholarshipProgramme",
        "mobility.ScholarshipAllocation",
        "cooperation.StatedFigure",
        "cooperation.Source",
    ):
        assert label in watched
    assert "cooperation.RegisterGeneration" not in watched
    assert not any(label.split(".")[1].startswith("Historical") for label in watched)
    generation = RegisterGeneration.objects.filter(pk=1).values_list("number", flat=True)
    before = generation.first() or 0
    EventFactory()
    assert generation.first() == before + 1
