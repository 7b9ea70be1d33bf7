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

from cooperation.import_views import ERROR, OK, UNCHANGED, Importer, Report, ReportRows
from cooperation.imports import Column, Table, cell_text
from cooperation.models import Source

from .columns import MOBILITY_FIGURES
from .services import (
    FIELDS,
    MAX_ROWS,
    FigureImport,
    mobility_figures_check,
    mobility_figures_import,
    written_names,
)

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
        return written_names(self.file_columns(table))

    def check(self, table: Table, *, options: dict, choices: dict) -> Report:
        columns = self.file_columns(table)
        result = mobility_figures_check(columns=columns, row_numbers=table.numbers())
        return self.report(table, result, columns)

    def save(self, table: Table, *, options: dict, choices: dict, user, filename: str) -> Report:
        columns = self.file_columns(table)
        result = mobility_figures_import(
            columns=columns,
            row_numbers=table.numbers(),
            user=user,
            change_reason=_("Spreadsheet import: %(file)s") % {"file": filename},
        )
        # Once saved, the page shows the counts and the API the rows' statuses: the cells
        # are drawn only for a preview (50,000 rows: a second of a confirmation).
        report = self.report(table, result, columns, cells=not result.saved)
        report.saved, report.created = result.saved, result.created
        report.links = [(reverse("mobility:mobility_explorer"), str(_("Mobility explorer")))]
        return report

    def file_columns(self, table: Table) -> dict[str, list[Any]]:
        """The file's cells by column, as the service reads them."""
        return {key: table.column(key) for key in FIELDS}

    def report(
        self,
        table: Table,
        result: FigureImport,
        columns: dict[str, list[Any]],
        *,
        cells: bool = True,
    ) -> Report:
        """Every row's status and errors; its cells drawn only when the page shows the row
        (``ReportRows``), so that a report of 50,000 ready rows builds nothing per row."""
        headers: dict[str, str] = {}

        def header(field: str) -> str:
            if field not in headers:
                headers[field] = table.header_of(field, self.columns)
            return headers[field]

        errors = {
            index: [(header(field), message) for field, messages in fields.items()
                    for message in messages]
            for index, fields in result.row_errors.items()
        }  # fmt: skip
        statuses = {"ok": OK, "unchanged": UNCHANGED, "error": ERROR}
        return Report(
            rows=ReportRows(
                table.numbers()[: result.size],
                list(map(statuses.__getitem__, result.statuses())),
                errors,
                self._cells(result, columns) if cells else lambda index: [],
            ),
            headers=[header(key) for key in PREVIEW],
            notes=table.notes(),
            errors=list(result.errors),
        )

    def _cells(self, result: FigureImport, columns: dict[str, list[Any]]):
        """A row's cells as the preview shows them: the source a ready row resolved to
        (not the id or URL written), each distinct value drawn once."""
        source_ids = result.columns["source_id"]
        titles = {
            pk: Truncator(title).chars(60)
            for pk, title in Source.objects.filter(
                pk__in={pk for pk in source_ids if pk is not None}
            ).values_list("pk", "title")
        }
        shown: dict[tuple, tuple[str, str]] = {}  # a cell as shown, once per distinct value

        def cell(value: Any, css: str = "") -> tuple[str, str]:
            key = (value.__class__, value, css)
            if key not in shown:
                shown[key] = (cell_text(value), css)
            return shown[key]

        def draw(index: int) -> list[tuple[str, str]]:
            row = [cell(columns[key][index], "num" if key == "value" else "") for key in PREVIEW]
            if index not in result.row_errors:
                row[-1] = (titles.get(source_ids[index], ""), "")
            return row

        return draw


IMPORTER = MobilityFigureImporter()
