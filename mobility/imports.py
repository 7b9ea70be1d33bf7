"""Import of mobility figures from CSV or XLSX, in the tidy format of the explorer's export.

The columns are the explorer's export columns, so its CSV and XLSX (first sheet) import
back unchanged; headers are accepted in English and in every interface language, in any
case, with spaces or underscores. Rows are checked and saved by
``services.mobility_figures_import``.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperation.import_views import ERROR, OK, UNCHANGED, Importer, Report, ReportRow
from cooperation.imports import Column, Table, cell_text
from cooperation.models import Source

from .columns import MOBILITY_FIGURES
from .services import MAX_ROWS, mobility_figures_check, mobility_figures_import, written_names

# The import reads the explorer's and the API's export (mobility.columns): each column by
# its key, its label in any interface language or an older header; the export's other
# columns (ids, names, version, time stamps) are read and left alone.
IMPORTED = {
    "year": (2024, True, (), gettext_lazy("2024 or 2024/2025 for a flow.")),
    "origin_country": ("KZ", True, ("origin", "origin country", "from"), ""),
    "destination_country": ("AZ", True, ("destination", "destination country", "to"), ""),
    "mobility_type": ("degree_students", True, ("type", "mobility type"), ""),
    "level": ("all", False, (), gettext_lazy("all is the default.")),
    "field": ("", False, ("isced field", "isced f"), gettext_lazy(
        "E.g. 0511: keep the leading zero (format the column as text).")),
    "sex": ("total", False, (), gettext_lazy("total is the default.")),
    "measure": ("stock", True, (), ""),
    "as_of": ("2024-10-01", False, ("as of", "date"), gettext_lazy("YYYY-MM-DD.")),
    "qualifier": ("about", False, (), gettext_lazy("exact is the default.")),
    "value": (333, True, (), ""),
    "host_institution_count": (58, False, ("host institutions", "number of host institutions"),
                               ""),
    "home_institution": ("", False, (), gettext_lazy("By id or name.")),
    "host_institution": ("", False, (), gettext_lazy("By id or name.")),
    "source": ("https://example.org/news/kz-az-students", True, (), gettext_lazy(
        "Its id, URL or exact title; it must be in the register.")),
    "notes": ("", False, (), ""),
}  # fmt: skip


def _help(column, extra) -> str:
    return f"{column.definition} {extra}".strip()


COLUMNS = [
    Column(
        column.key,
        column.key,
        column.label,
        lazy(_help, str)(column, IMPORTED[column.key][3]),
        IMPORTED[column.key][0],
        required=IMPORTED[column.key][1],
        aliases=IMPORTED[column.key][2],
    )
    if column.key in IMPORTED
    else Column(column.key, column.key, column.label, column.definition, ignored=True)
    for column in MOBILITY_FIGURES.columns
]

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
    sheet_names = (MOBILITY_FIGURES.name, "figures", gettext_lazy("figures"))
    max_rows = MAX_ROWS
    list_url_name = "mobility:mobility_explorer"
    list_label = gettext_lazy("Mobility explorer")

    def allowed(self, user) -> bool:
        return user.has_perm("mobility.add_mobilityfigure")

    def export_links(self) -> list[tuple[str, str]]:
        url = reverse("mobility:mobility_explorer")
        return [("CSV", f"{url}?_export=csv"), ("XLSX", f"{url}?_export=xlsx")]

    def names(self, table: Table, choices: dict) -> list[str]:
        return written_names([row.values for row in table.rows])

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
        # Once saved, the page shows the counts and the API the rows' statuses: the cells
        # are drawn only for a preview (50,000 rows: a second of a confirmation).
        report = self.report(table, result, cells=not result.saved)
        report.saved, report.created = result.saved, result.created
        report.links = [(reverse("mobility:mobility_explorer"), str(_("Mobility explorer")))]
        return report

    def report(self, table: Table, result, *, cells: bool = True) -> Report:
        # The preview names the source each row resolved to, not the id or URL written.
        found = {row.values["source_id"] for row in result.rows if row.values is not None}
        titles = {
            pk: Truncator(title).chars(60)
            for pk, title in Source.objects.filter(pk__in=found).values_list("pk", "title")
        }
        statuses = {"ok": OK, "unchanged": UNCHANGED}
        shown: dict[tuple, tuple[str, str]] = {}  # a cell as shown, once per distinct value

        def cell(value: Any, css: str = "") -> tuple[str, str]:
            key = (value.__class__, value, css)
            if key not in shown:
                shown[key] = (cell_text(value), css)
            return shown[key]

        rows = []
        for sheet_row, checked in zip(table.rows, result.rows, strict=False):
            errors = [
                (table.header_of(field, self.columns), message)
                for field, messages in checked.errors.items()
                for message in messages
            ]
            shown_cells = []
            if cells:
                values = sheet_row.values
                shown_cells = [
                    cell(values.get(key), "num" if key == "value" else "") for key in PREVIEW
                ]
                if checked.values is not None:
                    shown_cells[-1] = (titles.get(checked.values["source_id"], ""), "")
            status = statuses.get(checked.status, ERROR)
            rows.append(ReportRow(sheet_row.number, status, shown_cells, errors))
        return Report(
            rows=rows,
            headers=[table.header_of(key, self.columns) for key in PREVIEW],
            notes=table.notes(),
            errors=list(result.errors),
        )


IMPORTER = MobilityFigureImporter()
