"""Import of mobility figures from CSV or XLSX, in the tidy format of the explorer's export.

The columns are the explorer's export columns, so its CSV and XLSX (first sheet) import
back unchanged; headers are accepted in English and in every interface language, in any
case, with spaces or underscores. Rows are checked and saved by
``services.mobility_figures_import``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperation.import_views import ERROR, OK, UNCHANGED, Importer, Report, ReportRow
from cooperation.imports import Column, Table, cell_text
from cooperation.models import Source

from .services import MAX_ROWS, mobility_figures_check, mobility_figures_import
from .tables import MobilityFigureTable


def _label(name: str):
    return MobilityFigureTable.base_columns[name].verbose_name


COLUMNS = [
    Column("year", "year", _label("year"), gettext_lazy(
        "For a stock, the year of its date; for a flow, the first year of the academic year "
        "(2024 or 2024/2025)."), 2024, required=True),
    Column("origin_country", "origin", _label("origin_country"), gettext_lazy(
        "Country the people come from (ISO 3166-1 alpha-2)."), "KZ", required=True,
        aliases=("origin country", "from")),
    Column("destination_country", "destination", _label("destination_country"), gettext_lazy(
        "Country where they study or work (ISO 3166-1 alpha-2)."), "AZ", required=True,
        aliases=("destination country", "to")),
    Column("mobility_type", "type", _label("mobility_type"), gettext_lazy(
        "degree_students, credit_students, students, staff_teaching, staff_training or "
        "researchers."), "degree_students", required=True, aliases=("mobility type",)),
    Column("level", "level", _label("level"), gettext_lazy(
        "ISCED level 5, 6, 7, 8, or all (the default)."), "all"),
    Column("field", "field", _label("field"), gettext_lazy(
        "ISCED-F 2013 field code, e.g. 0511 (keep the leading zero: format the column as "
        "text)."), "", aliases=("isced field", "isced f")),
    Column("sex", "sex", _label("sex"), gettext_lazy("total (the default), female or male."),
           "total"),
    Column("measure", "measure", _label("measure"), gettext_lazy(
        "stock (people present on a date) or flow (people who moved during an academic "
        "year)."), "stock", required=True),
    Column("as_of", "as of", _label("as_of"), gettext_lazy(
        "For a stock, the date it was counted (YYYY-MM-DD), when stated."), "2024-10-01",
        aliases=("date",)),
    Column("qualifier", "qualifier", _label("qualifier"), gettext_lazy(
        "exact (the default), more_than, at_least, about, less_than or up_to."), "about"),
    Column("value", "value", _label("value"), gettext_lazy(
        "The number of people, as the source stated it (a whole number)."), 333, required=True),
    Column("host_institution_count", "host institutions", _label("host_institution_count"),
           gettext_lazy("How many host institutions, when stated (“333 students at 58 "
                        "universities”)."), 58, aliases=("number of host institutions",)),
    Column("home_institution", "home institution", _label("home_institution"), gettext_lazy(
        "Optional: the institution they come from, by id or name."), ""),
    Column("host_institution", "host institution", _label("host_institution"), gettext_lazy(
        "Optional: the institution that hosts them, by id or name."), ""),
    Column("source", "source", _label("source"), gettext_lazy(
        "The source in the register that states the figure: its id, URL or exact title."),
        "https://example.org/news/kz-az-students", required=True),
    Column("notes", "notes", gettext_lazy("notes"), gettext_lazy("Optional remarks."), ""),
]  # fmt: skip

PREVIEW = ("year", "origin_country", "destination_country", "mobility_type", "level", "sex",
           "measure", "qualifier", "value", "source")  # fmt: skip


class MobilityFigureImporter(Importer):
    kind = "mobility"
    title = gettext_lazy("Import mobility figures")
    intro = gettext_lazy(
        "One figure per row, in the tidy format of the explorer's export: year, origin, "
        "destination, type, level, field, sex, measure, as of, qualifier, value, host "
        "institutions, home and host institution, source. The explorer's CSV and XLSX "
        "exports import back unchanged. The source must already be in the register."
    )
    columns = COLUMNS
    sheet_names = ("figures", gettext_lazy("figures"))
    max_rows = MAX_ROWS
    list_url_name = "mobility:mobility_explorer"
    list_label = gettext_lazy("Mobility explorer")

    def allowed(self, user) -> bool:
        return user.has_perm("mobility.add_mobilityfigure")

    def export_links(self) -> list[tuple[str, str]]:
        url = reverse("mobility:mobility_explorer")
        return [("CSV", f"{url}?_export=csv"), ("XLSX", f"{url}?_export=xlsx")]

    def check(self, table: Table, *, options: dict, choices: dict) -> Report:
        result = mobility_figures_check(
            rows=[row.values for row in table.rows],
            row_numbers=[row.number for row in table.rows],
        )
        return self.report(table, result)

    def save(self, table: Table, *, options: dict, choices: dict, user, filename: str) -> Report:
        result = mobility_figures_import(
            rows=[row.values for row in table.rows],
            row_numbers=[row.number for row in table.rows],
            user=user,
            change_reason=_("Spreadsheet import: %(file)s") % {"file": filename},
        )
        report = self.report(table, result)
        report.saved, report.created = result.saved, result.created
        report.links = [(reverse("mobility:mobility_explorer"), str(_("Mobility explorer")))]
        return report

    def report(self, table: Table, result) -> Report:
        # The preview names the source each row resolved to, not the id or URL written.
        found = {row.figure.source_id for row in result.rows if row.figure is not None}
        titles = dict(Source.objects.filter(pk__in=found).values_list("pk", "title"))
        rows = []
        for sheet_row, checked in zip(table.rows, result.rows, strict=False):
            status = {"ok": OK, "unchanged": UNCHANGED}.get(checked.status, ERROR)
            errors = [
                (table.header_of(field, self.columns), message)
                for field, messages in checked.errors.items()
                for message in messages
            ]
            cells = [(cell_text(sheet_row.values.get(key)), "") for key in PREVIEW]
            cells[PREVIEW.index("value")] = (cells[PREVIEW.index("value")][0], "num")
            if checked.figure is not None:
                title = Truncator(titles.get(checked.figure.source_id, "")).chars(60)
                cells[-1] = (title, "")
            rows.append(ReportRow(sheet_row.number, status, cells, errors))
        return Report(
            rows=rows,
            headers=[table.header_of(key, self.columns) for key in PREVIEW],
            notes=table.notes(),
            errors=list(result.errors),
        )


IMPORTER = MobilityFigureImporter()
