"""The reference data and the demo data set load completely, and loading twice changes nothing."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Agreement
from cooperation.models import IscedField, Source, StatedFigure
from events.models import Event, Participation, Person
from mobility.models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme
from universities.models import Institution, InstitutionName
from universities.services import UNIVERSITIES_CSV

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Source,
    StatedFigure,
    IscedField,
    Institution,
    InstitutionName,
    Person,
    Event,
    Participation,
    Agreement,
    ScholarshipProgramme,
    ScholarshipAllocation,
    MobilityFigure,
]


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in ALL_MODELS}
    counts.update(
        {f"history:{model.__name__}": model.history.count() for model in ALL_MODELS[:2]},
    )
    counts["history:Institution"] = Institution.history.count()
    return counts


def test_reference_data_loads_every_row_once():
    output = run("load_reference_data")
    assert "142 created" in output
    assert Institution.objects.count() == 142
    assert Institution.objects.filter(country="KZ").count() == 95
    assert Institution.objects.filter(country="AZ").count() == 47
    assert IscedField.objects.count() == 220
    assert IscedField.objects.get(code="0511").parent.code == "051"
    atyrau = Institution.objects.get(ror_id="05nmhtv58")
    assert atyrau.name == "Khalel Dosmukhamedov Atyrau University"
    assert set(atyrau.names.values_list("language", flat=True)) >= {"ru", "kk"}

    before = snapshot()
    output = run("load_reference_data")
    assert "0 created, 0 updated, 142 unchanged" in output
    assert snapshot() == before


def test_updated_reference_file_updates_rows_in_place(tmp_path):
    run("load_reference_data")
    with UNIVERSITIES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    atyrau_row = next(row for row in rows if row["ror_id"].endswith("05nmhtv58"))
    atyrau_row["city"] = "Atyrau City"
    atyrau_row["name_ru"] = "Атырауский университет (новое имя)"
    # A row without a ROR id (from Hipo only) is matched by country and name.
    hipo_row = next(row for row in rows if not row["ror_id"])
    hipo_row["website"] = "https://changed.example.org/"
    hipo_only = hipo_row["name_en"]
    changed = tmp_path / "universities.csv"
    with changed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    output = run("load_reference_data", "--institutions", str(changed))

    assert "0 created, 2 updated, 140 unchanged" in output
    assert Institution.objects.count() == 142
    atyrau = Institution.objects.get(ror_id="05nmhtv58")
    assert atyrau.city == "Atyrau City"
    assert atyrau.names.get(language="ru", kind="label").name.endswith("(новое имя)")
    assert Institution.objects.get(name=hipo_only).website == "https://changed.example.org/"
    assert Institution.objects.search("новое имя").get() == atyrau


def test_missing_reference_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a file"):
        run("load_reference_data", "--institutions", str(tmp_path / "missing.csv"))


def test_demo_loads_the_facts_of_the_articles_and_is_idempotent():
    run("load_demo")
    assert Source.objects.filter(reference__startswith="shared/news/").count() == 5
    assert Agreement.objects.count() == 4
    assert Event.objects.count() == 7
    assert MobilityFigure.objects.count() == 4
    assert StatedFigure.objects.count() == 10
    assert ScholarshipProgramme.objects.count() == 4
    # 142 reference institutions, 11 added from the articles, 6 branch campuses in Kazakhstan.
    assert Institution.objects.count() == 142 + 11 + 6

    # The headline figure, with its source.
    figure = MobilityFigure.objects.get(origin_country="AZ", destination_country="KZ")
    assert (figure.value, figure.host_institution_count) == (333, 58)
    assert figure.source.reference.endswith("002_1d18687819e56875.txt")

    # Two articles disagree on who signed the 40 memoranda: both claims are kept.
    claims = StatedFigure.objects.filter(metric="institutions_signing", value__in=[17, 22])
    assert {tuple(f.sources.values_list("reference", flat=True)) for f in claims} == {
        ("shared/news/003_632b02a1b837dd5e.txt",),
        ("shared/news/004_22a40d5f0bbb96eb.txt",),
    }

    # A protocol amends the framework agreement.
    protocol = Agreement.objects.get(kind="protocol")
    assert protocol.parent.kind == "framework"
    assert protocol.signed_precision == "year"

    # Branch campuses belong to their home universities abroad.
    branch = Institution.objects.get(name__startswith="Queen's University Belfast (branch")
    assert (branch.kind, branch.country, branch.parent.country) == ("branch_campus", "KZ", "GB")

    before = snapshot()
    assert "nothing changed" in run("load_demo")
    assert snapshot() == before


def test_demo_names_find_institutions_in_any_script():
    run("load_demo")
    atyrau = Institution.objects.get(ror_id="05nmhtv58")
    # The old Russian name used by the 2016 article, the Kazakh label, and English.
    for query in ["Атырауский государственный университет", "атырау", "Atyrau", "Досмұхамедов"]:
        assert atyrau in Institution.objects.search(query), query


def test_demo_admin_prints_a_password_once(django_user_model):
    output = run("demo_admin")
    password = output.rsplit(":", 1)[1].strip()
    user = django_user_model.objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert "exists" in run("demo_admin")
