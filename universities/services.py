"""Writes with rules for institutions: loading the reference register."""

import csv
import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db import transaction

from cooperation.choices import Language
from cooperation.models import IscedField, Source
from cooperation.translations import translation_languages

from .choices import InstitutionKind, InstitutionNameKind
from .models import Institution, InstitutionName

FIXTURES = Path(__file__).resolve().parent / "fixtures"
UNIVERSITIES_CSV = FIXTURES / "universities_kz_az.csv"
CITY_NAMES_CSV = FIXTURES / "city_names.csv"
ISCED_CSV = Path(__file__).resolve().parent.parent / "cooperation" / "fixtures" / "isced_f_2013.csv"

# ROR types every one of these as "education", but SOURCES.md names them as research or
# training bodies rather than degree-granting universities.
RESEARCH_BODIES = {"04b82qh04", "00j3ccw54", "034kc6w18", "019am8f18", "01ytcra85", "03g2he494"}

REFERENCE_SOURCES = {
    "ROR": {
        "title": "Research Organization Registry (ROR), ror-records release v2.9",
        "publisher": "ROR",
        "url": "https://ror.org/",
        "notes": "CC0 1.0. City names and coordinates from GeoNames (CC BY 3.0).",
    },
    "ROR-2021": {
        "title": "Research Organization Registry (ROR), data dump of 2021-09-23",
        "publisher": "ROR",
        "url": "https://ror.org/",
        "notes": "CC0 1.0.",
    },
    "Hipo": {
        "title": "university-domains-list",
        "publisher": "Hipo",
        "url": "https://github.com/Hipo/university-domains-list",
        "notes": "MIT licence, (c) 2014-2025 Hipo.",
    },
}


@dataclasses.dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, strict=True))


@cache
def city_names() -> dict[tuple[str, str], dict[str, str]]:
    """(country, city in English) -> the city's names in other languages (city_names.csv)."""
    return {
        (row["country"], row["city"]): {
            code: row[code].strip() for code in translation_languages() if row.get(code, "").strip()
        }
        for row in read_csv(CITY_NAMES_CSV)
    }


def city_translations(country: str, city: str, current: dict | None = None) -> dict[str, str]:
    """The translations of ``city`` in ``country``: those of city_names.csv over
    ``current`` (what the register has, kept for the languages the file leaves empty)."""
    return {**(current or {}), **city_names().get((str(country), city), {})}


def _decimal(value: str) -> Decimal | None:
    return Decimal(value).quantize(Decimal("0.00001")) if value else None


def _reference_sources() -> dict[str, Source]:
    sources = {}
    for key, fields in REFERENCE_SOURCES.items():
        source, created = Source.objects.get_or_create(
            reference=f"reference:{key}", defaults={**fields, "language": Language.EN}
        )
        if not created and _apply(source, fields):
            source.save()
        sources[key] = source
    return sources


def _apply(obj, values: dict) -> bool:
    changed = False
    for field, value in values.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    return changed


@transaction.atomic
def institutions_load_reference(rows: Iterable[dict[str, str]]) -> LoadReport:
    """Create or update institutions from reference rows (the columns of universities_kz_az.csv).

    A row is matched to an existing institution by its ROR id, or, for rows without one,
    by country and English name, so a second run changes nothing and an updated file
    updates rows in place instead of duplicating them. Names are added, never removed:
    staff may have recorded names the file does not know.
    """
    report = LoadReport()
    sources = _reference_sources()
    for row in rows:
        ror_id = row["ror_id"].rsplit("/", 1)[-1]
        country = row["country"].upper()
        values = {
            "name": row["name_en"].strip(),
            "country": country,
            "city": row["city"].strip(),
            "latitude": _decimal(row["latitude"]),
            "longitude": _decimal(row["longitude"]),
            "website": row["website"].strip(),
            "ror_id": ror_id,
            "wikidata_id": row["wikidata_id"].strip(),
            "kind": InstitutionKind.RESEARCH_INSTITUTE
            if ror_id in RESEARCH_BODIES
            else InstitutionKind.UNIVERSITY,
        }
        lookup = {"ror_id": ror_id} if ror_id else {"country": country, "name": values["name"]}
        institution = Institution.objects.filter(**lookup).first()
        same_city = institution is not None and institution.city == values["city"]
        values["city_translations"] = city_translations(
            country, values["city"], institution.city_translations if same_city else None
        )
        created = institution is None
        if created:
            institution = Institution(**values)
            institution._change_reason = "load_reference_data"
            institution.save()
            changed = True
        else:
            changed = _apply(institution, values)
            if changed:
                institution._change_reason = "load_reference_data"
                institution.save()
        local_language = Language.KK if country == "KZ" else Language.AZ
        wanted = [(row["name_ru"], Language.RU), (row["name_kk_or_az"], local_language)]
        existing = {
            (name.kind, name.language): name
            for name in institution.names.filter(kind=InstitutionNameKind.LABEL)
        }
        for text, language in wanted:
            text = text.strip()
            if not text:
                continue
            label = existing.get((InstitutionNameKind.LABEL, language))
            if label is None:
                InstitutionName.objects.create(
                    institution=institution, name=text, language=language
                )
                changed = True
            elif label.name != text:
                label.name = text
                label.save()
                changed = True
        acronyms = {a.strip() for a in row["acronym"].split(";") if a.strip()}
        known = set(
            institution.names.filter(kind=InstitutionNameKind.ACRONYM).values_list(
                "name", flat=True
            )
        )
        for acronym in sorted(acronyms - known):
            InstitutionName.objects.create(
                institution=institution, name=acronym, kind=InstitutionNameKind.ACRONYM
            )
            changed = True
        row_sources = [sources[key] for key in row["source"].split(";") if key in sources]
        missing_sources = set(row_sources) - set(institution.sources.all())
        if missing_sources:
            institution.sources.add(*missing_sources)
            changed = True
        if created:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


@transaction.atomic
def isced_fields_load(rows: Iterable[dict[str, str]]) -> LoadReport:
    """Create or update ISCED-F 2013 fields by code; parents come before their children."""
    report = LoadReport()
    level_order = {"broad": 0, "narrow": 1, "detailed": 2}
    by_code = {field.code: field for field in IscedField.objects.all()}
    for row in sorted(rows, key=lambda r: (level_order[r["level"]], r["code"])):
        parent = by_code[row["parent_code"]] if row["parent_code"] else None
        values = {"level": row["level"], "name_en": row["name_en"].strip(), "parent": parent}
        field = by_code.get(row["code"])
        if field is None:
            field = IscedField.objects.create(code=row["code"], **values)
            by_code[field.code] = field
            report.created += 1
        elif _apply(field, values):
            field.save()
            report.updated += 1
        else:
            report.unchanged += 1
    return report
