"""The columns of the events list, declared once (cooperation.exports): the API's and the
events page's CSV and XLSX and the data package derive from here; the keys are the API's
JSON keys (a test holds them equal), and each column's ``sql`` is the cell PostgreSQL
writes for the CSV (cooperation.csv_sql), byte for byte the serializer's
(tests/api/test_csv_sql.py)."""

from django.utils.translation import gettext_lazy as _

from cooperation.choices import DatePrecision
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
    DATE,
    INTEGER,
    OBJECT,
    RECORD_COLUMNS,
    STRING,
    ColumnSet,
    ExportColumn,
    country_codes,
)
from cooperation.translations import TRANSLATIONS_HELP, localized_expression

from .choices import EventKind, EventStatus
from .models import Event, Participation, Person

C = ExportColumn

# The participants as events.serializers.ParticipationSerializer writes them, key for key,
# in Participation's order (by role, then the person's name; the id for ties).
_PARTICIPATIONS = json_array(
    json_object(
        (
            ("id", "p.id", "number"),
            ("person", f"p.{column(Participation, 'person')}", "number"),
            ("person_name", "pe.name", "string"),
            ("role", "p.role", "string"),
            ("position", "p.position", "string"),
            ("institution", f"p.{column(Participation, 'institution')}", "number"),
            ("institution_name", "i.name", "string"),
            ("country", "p.country", "string"),
        )
    ),
    f"{table(Participation)} p"
    f" JOIN {table(Person)} pe ON pe.id = p.{column(Participation, 'person')}"
    f" LEFT JOIN {table(Participation.institution.field.related_model)} i"
    f" ON i.id = p.{column(Participation, 'institution')}"
    f" WHERE p.{column(Participation, 'event')} = {{outer}}.id",
    f"p.role, pe.name, p.{Participation._meta.pk.column}",
)

# A JSON array starts with "[", never like a formula: no guard on the list-valued columns
# (it would compute their subqueries twice).
EVENTS = ColumnSet(
    "events",
    _("Events"),
    (
        C("id", _("id"), INTEGER, sql=CsvColumn("id", "plain"), nullable=False),
        C("title", _("title"), STRING, sql=CsvColumn("title"), nullable=False),
        C("title_translations", _("title in other languages"), OBJECT,
          _("The title in other languages, a JSON object by language code: "
            "{\"ru\": …, \"kk\": …, \"az\": …}."),
          sql=CsvColumn("title_translations", "object")),
        C("localized_title", _("title shown"), STRING,
          _("The title in the reader's language, or in the one it falls back to (Kazakh: "
            "Russian, then English)."),
          sql=CsvColumn(lambda: localized_expression("title")), nullable=False),
        C("kind", _("kind"), STRING, "", EventKind, sql=CsvColumn("kind", "plain"), nullable=False),
        C("start_date", _("start date"), DATE, sql=CsvColumn("start_date", "date")),
        C("end_date", _("end date"), DATE, sql=CsvColumn("end_date", "date")),
        C("date_precision", _("precision of the date"), STRING,
          _("When a source gives only a month or a year, the date is its first day."),
          DatePrecision, sql=CsvColumn("date_precision", "plain"), nullable=False),
        C("city", _("city"), STRING, sql=CsvColumn("city")),
        C("city_translations", _("city in other languages"), OBJECT, TRANSLATIONS_HELP,
          sql=CsvColumn("city_translations", "object")),
        C("localized_city", _("city shown"), STRING,
          _("The city in the reader's language, as localized_title."),
          sql=CsvColumn(lambda: localized_expression("city"))),
        C("country", _("country"), STRING, "", country_codes,
          sql=CsvColumn("country", "plain"), nullable=False),
        C("host_institution", _("host institution"), INTEGER,
          sql=CsvColumn("host_institution_id", "plain")),
        C("host_institution_name", _("host institution name"), STRING,
          _("Its name in the register."), sql=CsvColumn("host_institution__name")),
        C("organisers", _("organisers"), ARRAY,
          _("Ids of the institutions that organised it, a JSON array."),
          sql=CsvColumn(related_ids(Event, "organisers"), guard=False)),
        C("status", _("status"), STRING, "", EventStatus,
          sql=CsvColumn("status", "plain"), nullable=False),
        C("description", _("description"), STRING, sql=CsvColumn("description")),
        C("participations", _("participants"), ARRAY,
          _("The people who took part, a JSON array of objects: id (of the participation), "
            "person (their id), person_name, role, position (held then), institution (its "
            "id), institution_name, country (represented)."),
          sql=CsvColumn(Correlated(_PARTICIPATIONS), guard=False)),
        C("sources", _("sources"), ARRAY, _("Ids of the sources that state it, a JSON array."),
          sql=CsvColumn(related_ids(Event, "sources"), guard=False)),
        C("stated_figures", _("figures stated here"), ARRAY,
          _("Figures announced at this event, e.g. the memoranda signed or scheduled."),
          sql=CsvColumn(related_ids(Event, "stated_figures"), guard=False)),
        *RECORD_COLUMNS,
    ),
    description=_("Forums, round tables, signing ceremonies, visits and celebrations."),
)  # fmt: skip
