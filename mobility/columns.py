"""The columns of the mobility lists, declared once (cooperation.exports): the API's and the
explorer's CSV and XLSX, the CSV that PostgreSQL writes, the data package, the import
template and the pivot export derive from here."""

from django.utils.translation import gettext_lazy as _

from cooperation.choices import IscedLevel, Qualifier
from cooperation.csv_sql import CsvColumn
from cooperation.exports import (
    DATE,
    DATETIME,
    INTEGER,
    STRING,
    ColumnSet,
    ExportColumn,
    country_codes,
)

from .choices import Measure, MobilityType, Sex

C = ExportColumn

MOBILITY_FIGURES = ColumnSet(
    "mobility-figures",
    _("Mobility figures"),
    (
        C("id", _("id"), INTEGER, _("The figure's id in the register."),
          sql=CsvColumn("id", "plain"), nullable=False),
        C("origin_country", _("origin"), STRING,
          _("Country the people come from (ISO 3166-1 alpha-2)."), country_codes,
          sql=CsvColumn("origin_country", "plain"), nullable=False),
        C("destination_country", _("destination"), STRING,
          _("Country where they study or work (ISO 3166-1 alpha-2)."), country_codes,
          sql=CsvColumn("destination_country", "plain"), nullable=False),
        C("home_institution", _("home institution"), INTEGER,
          _("Id of the institution they come from, when stated."),
          sql=CsvColumn("home_institution_id", "plain")),
        C("home_institution_name", _("home institution name"), STRING,
          _("Its name in the register."), sql=CsvColumn("home_institution__name")),
        C("host_institution", _("host institution"), INTEGER,
          _("Id of the institution that hosts them, when stated."),
          sql=CsvColumn("host_institution_id", "plain")),
        C("host_institution_name", _("host institution name"), STRING,
          _("Its name in the register."), sql=CsvColumn("host_institution__name")),
        # get_queryset's annotation: empty to a reader who may not see the agreement.
        C("agreement", _("under agreement"), INTEGER,
          _("Id of the agreement the mobility took place under, when stated and visible."),
          sql=CsvColumn("agreement_shown", "plain")),
        C("mobility_type", _("type"), STRING,
          _("Mobility type (UNESCO UIS / OECD / Eurostat): degree mobility is a whole "
            "programme abroad, credit mobility a period abroad within a programme at home."),
          MobilityType, sql=CsvColumn("mobility_type", "plain"), nullable=False),
        C("level", _("level"), STRING, _("ISCED 2011 level; all: not broken down."),
          IscedLevel, sql=CsvColumn("level", "plain"), nullable=False),
        C("field", _("field"), STRING,
          _("ISCED-F 2013 field of education and training: a code of 2 to 4 digits, text "
            "with its leading zero (0613)."), sql=CsvColumn("field__code")),
        C("field_name", _("field name"), STRING, _("The ISCED-F field's English name."),
          sql=CsvColumn("field__name_en")),
        C("sex", _("sex"), STRING, _("total: not broken down by sex."), Sex,
          sql=CsvColumn("sex", "plain"), nullable=False),
        C("measure", _("measure"), STRING,
          _("stock (people present on a date) or flow (people who moved during an academic "
            "year): never added together."), Measure, sql=CsvColumn("measure", "plain"),
          nullable=False),
        C("year", _("year"), INTEGER,
          _("For a stock, the year of its date; for a flow, the first year of the academic "
            "year."), sql=CsvColumn("year", "plain"), nullable=False),
        C("as_of", _("as of"), DATE, _("The date a stock was counted, when stated."),
          sql=CsvColumn("as_of", "date")),
        C("value", _("value"), INTEGER, _("The number of people, as the source stated it."),
          sql=CsvColumn("value", "plain"), nullable=False),
        C("qualifier", _("qualifier"), STRING,
          _("How the value relates to the true number (exact, more_than, at_least, about…)."),
          Qualifier, sql=CsvColumn("qualifier", "plain")),
        C("host_institution_count", _("host institutions"), INTEGER,
          _("How many host institutions, when stated (“333 students at 58 universities”)."),
          sql=CsvColumn("host_institution_count", "plain")),
        C("source", _("source"), INTEGER, _("Id of the source that states the figure."),
          sql=CsvColumn("source_id", "plain"), nullable=False),
        C("source_title", _("source title"), STRING, _("The source's title."),
          sql=CsvColumn("source__title")),
        C("notes", _("notes"), STRING, _("Remarks."), sql=CsvColumn("notes")),
        C("version", _("version"), INTEGER,
          _("The row's version: send it back with a change (optimistic locking)."),
          sql=CsvColumn("version", "plain"), nullable=False),
        C("created_at", _("created at"), DATETIME, _("When the row was entered (ISO 8601)."),
          sql=CsvColumn("created_at", "datetime"), nullable=False),
        C("updated_at", _("updated at"), DATETIME, _("When the row last changed (ISO 8601)."),
          sql=CsvColumn("updated_at", "datetime"), nullable=False),
    ),
    description=_(
        "Counts of students and staff who moved between countries, each as its source "
        "stated it. Figures from different sources are kept apart and may overlap: do not "
        "add them up across sources."
    ),
)  # fmt: skip
