"""The country pairs derived for each agreement (agreements.CountryPair) stay right on every
write path, so that "agreements between two countries" (the dashboard, ``?country_pair=``)
finds what the parties say."""

import datetime
import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from agreements.lifecycle import agreement_renew
from agreements.models import Agreement, CountryPair, Party
from agreements.pairs import rebuild_country_pairs
from agreements.services import agreements_bulk_create
from cooperation.selectors import dashboard
from tests import factories as f

pytestmark = pytest.mark.django_db


def pairs_of(agreement) -> set[tuple[str, str]]:
    return set(
        CountryPair.objects.filter(agreement=agreement).values_list("country", "partner_country")
    )


def all_pairs() -> set[tuple[int, str, str]]:
    return set(CountryPair.objects.values_list("agreement_id", "country", "partner_country"))


@pytest.fixture
def kz():
    return f.InstitutionFactory(name="Al-Farabi Kazakh National University", country="KZ")


@pytest.fixture
def az():
    return f.InstitutionFactory(name="Baku State University", country="AZ")


@pytest.fixture
def tr():
    return f.InstitutionFactory(name="Ankara University", country="TR", city="Ankara")


def test_parties_give_each_pair_of_different_countries_once(kz, az, tr):
    other_kz = f.InstitutionFactory(country="KZ")
    trilateral = f.agreement_between(kz, az, tr, other_kz)
    domestic = f.agreement_between(kz, other_kz)
    assert pairs_of(trilateral) == {("AZ", "KZ"), ("AZ", "TR"), ("KZ", "TR")}
    assert pairs_of(domestic) == set()


def test_removing_a_party_or_the_agreement_removes_its_pairs(kz, az, tr):
    agreement = f.agreement_between(kz, az, tr)
    Party.objects.get(agreement=agreement, institution=tr).delete()
    assert pairs_of(agreement) == {("AZ", "KZ")}
    agreement.parties.filter(institution=az).delete()  # a queryset delete sends signals too
    assert pairs_of(agreement) == set()
    again = f.agreement_between(kz, az)
    again.delete()
    assert not CountryPair.objects.filter(agreement_id=again.pk).exists()


def test_an_institution_moving_country_moves_its_pairs(kz, az):
    agreement = f.agreement_between(kz, az)
    az.name = "Renamed"  # a save that does not move it changes nothing
    az.save()
    assert pairs_of(agreement) == {("AZ", "KZ")}
    az.country = "GE"
    az.save()
    assert pairs_of(agreement) == {("GE", "KZ")}
    az.country = "KZ"
    az.save()
    assert pairs_of(agreement) == set()


def test_a_rolled_back_write_leaves_no_pair(kz, az):
    agreement = f.AgreementFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        Party.objects.create(agreement=agreement, institution=kz)
        Party.objects.create(agreement=agreement, institution=az)
        raise RuntimeError
    assert pairs_of(agreement) == set()


def test_signing_session_and_renewal_write_pairs(kz, az, tr, superuser):
    result = agreements_bulk_create(
        event=f.EventFactory(),
        rows=[{"parties": [kz.pk, az.pk]}, {"parties": [kz.pk, tr.pk, az.pk]}],
        defaults={"kind": "memorandum", "signed_on": "2026-04-06"},
        user=superuser,
    )
    assert result.saved, result.as_dict()
    first, second = (Agreement.objects.get(pk=row.agreement_id) for row in result.rows)
    assert pairs_of(first) == {("AZ", "KZ")}
    assert pairs_of(second) == {("AZ", "KZ"), ("AZ", "TR"), ("KZ", "TR")}
    successor = agreement_renew(
        first, user=superuser, valid_from=datetime.date(2031, 1, 1), valid_until=None
    )
    assert pairs_of(successor) == {("AZ", "KZ")}


def test_rebuild_gives_what_the_write_paths_kept(kz, az, tr):
    f.agreement_between(kz, az)
    f.agreement_between(az, tr, kz)
    f.agreement_between(tr)
    kept = all_pairs()
    assert len(kept) == 4
    CountryPair.objects.all().delete()
    assert rebuild_country_pairs() == 4
    assert all_pairs() == kept


def test_dashboard_and_list_count_an_agreement_by_its_parties(client, kz, az, tr):
    between = f.agreement_between(kz, az, is_public=True)
    f.agreement_between(kz, tr, is_public=True)
    trilateral = f.agreement_between(tr, az, kz, is_public=True)
    assert dashboard("AZ", "KZ")["agreement_count"] == 2
    response = client.get(reverse("agreements:agreement_list"), {"country_pair": "KZ,AZ"})
    assert {a.pk for a in response.context["table"].data} == {between.pk, trilateral.pk}
    Party.objects.get(agreement=trilateral, institution=az).delete()
    assert dashboard("KZ", "AZ")["agreement_count"] == 1


def test_a_party_moved_to_another_agreement_moves_its_pairs(kz, az):
    first = f.agreement_between(kz, az)
    second = f.agreement_between(kz)
    party = Party.objects.get(agreement=first, institution=az)
    party.agreement = second  # the party admin allows it
    party.save()
    assert pairs_of(first) == set()
    assert pairs_of(second) == {("AZ", "KZ")}


def test_loaddata_gives_the_loaded_parties_their_pairs(
    kz, az, tmp_path, django_capture_on_commit_callbacks
):
    agreement = f.agreement_between(kz, az)
    dump = tmp_path / "parties.json"
    call_command("dumpdata", "agreements.party", output=str(dump), stdout=io.StringIO())
    Party.objects.all().delete()
    assert pairs_of(agreement) == set()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", str(dump), stdout=io.StringIO())
    assert pairs_of(agreement) == {("AZ", "KZ")}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes one at a time")
@pytest.mark.django_db(transaction=True)
def test_two_writers_adding_parties_at_once_keep_every_pair():
    kz = f.InstitutionFactory(country="KZ")
    az = f.InstitutionFactory(country="AZ")
    tr = f.InstitutionFactory(country="TR", city="Ankara")
    agreement = f.agreement_between(az)
    first_written, errors = threading.Event(), []

    def add(institution, *, first: bool) -> None:
        try:
            if not first:
                first_written.wait(5)
            with transaction.atomic():
                Party.objects.create(agreement=agreement, institution=institution)
                if first:
                    first_written.set()
                    time.sleep(0.5)  # the second writer saves meanwhile, then waits
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    writers = [
        threading.Thread(target=add, args=(kz,), kwargs={"first": True}),
        threading.Thread(target=add, args=(tr,), kwargs={"first": False}),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert not errors
    assert pairs_of(agreement) == {("AZ", "KZ"), ("AZ", "TR"), ("KZ", "TR")}
