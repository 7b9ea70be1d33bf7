"""The columns of the institution directory, declared once (cooperation.exports): the API's
and the directory page's CSV and XLSX and the data package derive from here; the keys are
the API's JSON keys (a test holds them equal), and each column's ``sql`` is the cell
PostgreSQL writes for the CSV (cooperation.csv_sql), byte for byte the serializer's
(tests/api/test_csv_sql.py)."""

from django.utils.translation import gettext_lazy as _

from cooperation.csv_sql import (
    Correlated,
    CsvColumn,
    column,
    json_array,
    json_object,
    related_ids,
    table,
)
from cooperation.exports import (
    ARRAY,
    INTEGER,
    NUMBER,
    OBJECT,
    RECORD_COLUMNS,
    STRING,
    ColumnSet,
    ExportColumn,
    country_codes,
)
from cooperation.translations import TRANSLATIONS_HELP, localized_expression

from .choices import InstitutionKind, InstitutionStatus
from .models import Institution, InstitutionName, ReadCount

C = ExportColumn

# The names as universities.serializers.InstitutionNameSerializer writes them, in
# InstitutionName's order (by kind, language, name; the id for ties). A JSON array starts
# with "[", never like a formula: no guard (it would compute the subquery twice).
_NAMES = json_array(
    json_object(
        (
            ("id", "n.id", "number"),
            ("name", "n.name", "string"),
            ("language", "n.language", "string"),
            ("kind", "n.kind", "string"),
        )
    ),
    f"{table(InstitutionName)} n WHERE n.{column(InstitutionName, 'institution')} = {{outer}}.id",
    "n.kind, n.language, n.name, n.id",
)

INSTITUTIONS = ColumnSet(
    "institutions",
    _("Institutions"),
    (
        C("id", _("id"), INTEGER, sql=CsvColumn("id", "plain"), nullable=False),
        C("name", _("display name"), STRING, sql=CsvColumn("name"), nullable=False),
        C("kind", _("kind"), STRING, "", InstitutionKind,
          sql=CsvColumn("kind", "plain"), nullable=False),
        C("country", _("country"), STRING, "", country_codes,
          sql=CsvColumn("country", "plain"), nullable=False),
        C("city", _("city"), STRING, sql=CsvColumn("city")),
        C("city_translations", _("city in other languages"), OBJECT, TRANSLATIONS_HELP,
          sql=CsvColumn("city_translations", "object")),
        C("localized_city", _("city shown"), STRING,
          _("The city in the reader's language (Accept-Language), or in the one it falls "
            "back to (Kazakh: Russian, then English)."),
          sql=CsvColumn(lambda: localized_expression("city"))),
        C("latitude", _("latitude"), NUMBER, sql=CsvColumn("latitude", "plain")),
        C("longitude", _("longitude"), NUMBER, sql=CsvColumn("longitude", "plain")),
        C("website", _("website"), STRING, sql=CsvColumn("website")),
        C("founded_year", _("founded"), INTEGER, sql=CsvColumn("founded_year", "plain")),
        C("status", _("status"), STRING, "", InstitutionStatus,
          sql=CsvColumn("status", "plain"), nullable=False),
        C("merged_into", _("merged into"), INTEGER, sql=CsvColumn("merged_into_id", "plain")),
        C("parent", _("parent institution"), INTEGER,
          _("For a branch campus: its home university, which may be abroad."),
          sql=CsvColumn("parent_id", "plain")),
        C("ror_id", _("ROR id"), STRING, sql=CsvColumn("ror_id")),
        C("wikidata_id", _("Wikidata id"), STRING, sql=CsvColumn("wikidata_id")),
        C("description", _("description"), STRING, sql=CsvColumn("description")),
        C("names", _("institution names"), ARRAY,
          _("Every name it is known by, a JSON array of objects: id, name, language, kind "
            "(label, alias, acronym, former)."),
          sql=CsvColumn(Correlated(_NAMES), guard=False)),
        C("sources", _("sources"), ARRAY, _("Ids of the sources that state it, a JSON array."),
          sql=CsvColumn(related_ids(Institution, "sources"), guard=False)),
        C("agreement_count", _("agreements"), INTEGER,
          _("The agreements it is a party to (of those the reader may see)."),
          sql=CsvColumn(ReadCount("agreement_count"), "plain"), nullable=False),
        C("partner_count", _("partners"), INTEGER,
          _("The other institutions it has an agreement with (of those the reader may see)."),
          sql=CsvColumn(ReadCount("partner_count"), "plain"), nullable=False),
        *RECORD_COLUMNS,
    ),
)  # fmt: skip
