"""The columns of the agreement register, declared once (cooperation.exports): the API's
and the register page's CSV and XLSX and the data package derive from here; the keys are
the API's JSON keys (a test holds them equal)."""

from django.utils.translation import gettext_lazy as _

from cooperation.choices import DatePrecision
from cooperation.csv_sql import (
    Correlated,
    CsvColumn,
    json_array,
    json_object,
    related_ids,
)
from cooperation.csv_sql import column as _column
from cooperation.csv_sql import m2m as _m2m
from cooperation.csv_sql import table as _table
from cooperation.exports import (
    ARRAY,
    BOOLEAN,
    DATE,
    INTEGER,
    OBJECT,
    RECORD_COLUMNS,
    STRING,
    ColumnSet,
    ExportColumn,
)
from cooperation.translations import localized_expression

from .choices import AgreementKind, AgreementLevel, AgreementStatus, CooperationAreaCode
from .models import Agreement, CooperationCondition, Party

C = ExportColumn


def _codes_of(model, name: str, code: str, owner: str) -> str:
    """The JSON array of the codes of ``owner``'s ``model.name`` (areas, subject areas):
    ordered by code, as their models are."""
    through, own, other = _m2m(model, name)
    target = model._meta.get_field(name).related_model
    return json_array(
        f"to_json(t.{code})::text",
        f"{through} m JOIN {_table(target)} t ON t.id = m.{other} WHERE m.{own} = {owner}",
        f"t.{code}",
    )


# The list-valued cells as PostgreSQL writes them for the CSV (cooperation.csv_sql): the
# JSON of agreements.serializers, key for key (tests/api/test_csv_sql.py holds both paths
# to the same bytes). Parties and conditions in their models' order (by id). A JSON array
# starts with "[", never like a formula: no guard, which would compute the cell twice.
_PARTIES = json_array(
    json_object(
        (
            ("id", "p.id", "number"),
            ("institution", f"p.{_column(Party, 'institution')}", "number"),
            ("institution_name", "i.name", "string"),
            ("country", "i.country", "string"),
            ("signatory", f"p.{_column(Party, 'signatory')}", "number"),
            ("signatory_name", "s.name", "string"),
            ("signed_on", "p.signed_on", "string"),
        )
    ),
    f"{_table(Party)} p"
    f" JOIN {_table(Party.institution.field.related_model)} i"
    f" ON i.id = p.{_column(Party, 'institution')}"
    f" LEFT JOIN {_table(Party.signatory.field.related_model)} s"
    f" ON s.id = p.{_column(Party, 'signatory')}"
    f" WHERE p.{_column(Party, 'agreement')} = {{outer}}.id",
    "p.id",
)
_CONDITIONS = json_array(
    json_object(
        (
            ("id", "c.id", "number"),
            (
                "sending_institution",
                f"c.{_column(CooperationCondition, 'sending_institution')}",
                "number",
            ),
            (
                "receiving_institution",
                f"c.{_column(CooperationCondition, 'receiving_institution')}",
                "number",
            ),
            ("mobility_type", "c.mobility_type", "string"),
            ("levels", "c.levels", "strings"),
            (
                "subject_areas",
                _codes_of(CooperationCondition, "subject_areas", "code", "c.id"),
                "json",
            ),
            ("places_per_year", "c.places_per_year", "number"),
            ("months_per_year", "c.months_per_year", "number"),
            ("days_per_year", "c.days_per_year", "number"),
            ("first_academic_year", "c.first_academic_year", "string"),
            ("last_academic_year", "c.last_academic_year", "string"),
        )
    ),
    f"{_table(CooperationCondition)} c"
    f" WHERE c.{_column(CooperationCondition, 'agreement')} = {{outer}}.id",
    "c.id",
)
_AREAS = _codes_of(Agreement, "areas", "code", "{outer}.id")

AGREEMENTS = ColumnSet(
    "agreements",
    _("Agreements"),
    (
        C("id", _("id"), INTEGER, _("The agreement's id in the register."),
          sql=CsvColumn("id", "plain"), nullable=False),
        C("reference_code", _("reference code"), STRING,
          _("The number the parties gave the agreement, when known."),
          sql=CsvColumn("reference_code")),
        C("title", _("title"), STRING, _("The agreement's title (in English)."),
          sql=CsvColumn("title"), nullable=False),
        C("title_translations", _("title in other languages"), OBJECT,
          _("The title in other languages, a JSON object by language code: "
            "{\"ru\": …, \"kk\": …, \"az\": …}."),
          sql=CsvColumn("title_translations", "object")),
        C("localized_title", _("title shown"), STRING,
          _("The title in the reader's language, or in the one it falls back to (Kazakh: "
            "Russian, then English)."),
          sql=CsvColumn(lambda: localized_expression("title")), nullable=False),
        C("kind", _("kind"), STRING, _("Memorandum, exchange, dual degree, framework…"),
          AgreementKind,
          sql=CsvColumn("kind", "plain"), nullable=False),
        C("level", _("level"), STRING,
          _("Between governments, ministries or institutions."), AgreementLevel,
          nullable=False,
          sql=CsvColumn("level", "plain")),
        C("status", _("status"), STRING,
          _("Draft, signed, in effect, expired or terminated."), AgreementStatus,
          nullable=False,
          sql=CsvColumn("status", "plain")),
        C("event", _("event"), INTEGER, _("Id of the event where it was signed."),
          sql=CsvColumn("event_id", "plain")),
        C("event_title", _("event title"), STRING,
          _("That event's title, in the reader's language as localized_title is."),
          sql=CsvColumn(lambda: localized_expression("title", prefix="event__"))),
        C("signed_on", _("signed on"), DATE,
          _("Date signed (ISO); see signed_precision for how much of it is known."),
          sql=CsvColumn("signed_on", "date")),
        C("signed_precision", _("precision of the signing date"), STRING,
          _("day, month or year: “2024” is stored as 2024-01-01 with precision year."),
          DatePrecision,
          sql=CsvColumn("signed_precision", "plain"), nullable=False),
        C("valid_from", _("valid from"), DATE, _("When it takes effect."),
          sql=CsvColumn("valid_from", "date")),
        C("valid_until", _("valid until"), DATE, _("When it ends; empty: open-ended."),
          sql=CsvColumn("valid_until", "date")),
        C("areas", _("areas of cooperation"), ARRAY,
          _("Codes of the areas of cooperation, a JSON array."), CooperationAreaCode,
          sql=CsvColumn(Correlated(_AREAS), guard=False)),
        C("parties", _("parties"), ARRAY,
          _("The institutions that signed, a JSON array of objects: id (of the party), "
            "institution (its id), institution_name, country, signatory (a person's id), "
            "signatory_name, signed_on."),
          sql=CsvColumn(Correlated(_PARTIES), guard=False)),
        C("conditions", _("mobility conditions"), ARRAY,
          _("The mobility it provides for, a JSON array of objects (after the EWP IIA "
            "model): sending and receiving institution ids, mobility_type, levels, "
            "subject_areas (ISCED-F codes), places, months and days per year, first and "
            "last academic year."),
          sql=CsvColumn(Correlated(_CONDITIONS), guard=False)),
        C("parent", _("framework"), INTEGER,
          _("Id of the framework agreement it sits under (empty to a reader who may not "
            "see it)."),
          sql=CsvColumn("parent_shown", "plain")),
        C("renews", _("renews"), INTEGER,
          _("Id of the agreement it renews (empty to a reader who may not see it)."),
          sql=CsvColumn("renews_shown", "plain")),
        C("terminated_on", _("terminated on"), DATE, _("When it was ended early."),
          sql=CsvColumn("terminated_on", "date")),
        C("termination_reason", _("termination reason"), STRING, _("Why it was ended."),
          sql=CsvColumn("termination_reason")),
        C("document", _("document"), STRING,
          _("Where to download the signed document (PDF), for readers with a role."),
          sql=CsvColumn("document_url")),
        C("description", _("description"), STRING, _("What the agreement is about."),
          sql=CsvColumn("description")),
        C("is_public", _("public"), BOOLEAN,
          _("true: shown to everyone once signed."),
          sql=CsvColumn("is_public", "bool"), nullable=False),
        C("sources", _("sources"), ARRAY, _("Ids of the sources that state it, a JSON array."),
          sql=CsvColumn(related_ids(Agreement, "sources"), guard=False)),
        *RECORD_COLUMNS,
    ),
    description=_(
        "Memoranda, exchange and dual-degree agreements, intergovernmental frameworks and "
        "protocols between the institutions of the register."
    ),
)  # fmt: skip
