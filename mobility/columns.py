"""The columns of the mobility lists, declared once (cooperation.exports): the API's and the
explorer's CSV and XLSX, the CSV that PostgreSQL writes, the data package, the import
template and the pivot export derive from here."""

from django.utils.translation import gettext_lazy as _

from cooperation.choices import IscedLevel, Qualifier
from cooperation.csv_sql import CsvColumn
from cooperation.exports import (
    ARRAY,
    DATE,
    INTEGER,
    RECORD_COLUMNS,
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
        *RECORD_COLUMNS,
    ),
    description=_(
        "Counts of students and staff who moved between countries, each as its source "
        "stated it. Figures from different sources are kept apart and may overlap: do not "
        "add them up across sources."
    ),
)  # fmt: skip

# The explorer's pivot, one row per number it shows, in the order it shows them (row by row,
# column by column): what the number is, as shown and as data, and what it was made of.
PIVOT_CELLS = ColumnSet(
    "mobility-pivot",
    _("Mobility totals as the explorer's pivot shows them"),
    (
        C("year", _("Year"), INTEGER, _("The pivot's row: the year."), nullable=False),
        C("measure", _("measure"), STRING,
          _("stock or flow: never added together (the row's, or the column's when the "
            "columns are the measure)."), Measure, nullable=False),
        C("column", _("column"), STRING,
          _("The pivot's column as the explorer shows it (“KZ → AZ”, a level's name…)."),
          nullable=False),
        C("column_key", _("column key"), STRING,
          _("The column's codes: origin-destination (KZ-AZ) or the code of the level, sex, "
            "mobility type or measure."), nullable=False),
        C("text", _("as shown"), STRING,
          _("The number as the cell shows it, with its qualifier (“at least 1005”)."),
          nullable=False),
        C("value", _("value"), INTEGER,
          _("The total (empty when no figure could be counted).")),
        C("qualifier", _("qualifier"), STRING,
          _("How the total relates to the true number: a sum with a “more than” in it is "
            "“at least”."), Qualifier),
        C("as_of", _("as of"), DATE,
          _("Stocks: the date counted; earlier counts are left out.")),
        C("left_out", _("left out"), INTEGER,
          _("Figures left out of this number, as the cell shows (the three below)."),
          nullable=False),
        C("figures", _("figures used"), INTEGER, _("Number of figures counted."),
          nullable=False),
        C("sources", _("sources used"), INTEGER, _("Number of sources they came from."),
          nullable=False),
        C("figures_used", _("ids of the figures used"), ARRAY,
          _("Ids of the figures counted (the first ones), a JSON array.")),
        C("alternatives", _("alternatives left out"), INTEGER,
          _("Left out: the same number from another source."), nullable=False),
        C("earlier", _("earlier counts left out"), INTEGER,
          _("Left out: stocks counted on an earlier date."), nullable=False),
        C("breakdowns", _("breakdowns left out"), INTEGER,
          _("Left out: a level, sex, field or institution breakdown of a total."),
          nullable=False),
    ),
    primary_key=None,
)  # fmt: skip
