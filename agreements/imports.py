"""Import of agreements from CSV or XLSX, and the export it reads back unchanged.

Each row is one agreement: its parties (one "parties" cell separated by semicolons, or
columns "party 1", "party 2", ...), title, kind, dates, signatories and areas. The rows are
checked and saved by the signing-session service (``services.agreements_bulk_create``):
the same name matching (any language and script, scores, ambiguous names asked once), the
same duplicate rules, one transaction with history. This module only reads the cells,
applies the person's choices for names (``session.apply_choices``) and maps the service's
messages back to the file's columns.

The register page's own export is made for reading (localised kinds, "6 April 2026"), so
``export_view`` writes the register in this file's format instead: export, import into an
empty register, export again, and the files are equal.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from cooperation.import_views import (
    AMBIGUOUS,
    ERROR,
    OK,
    Importer,
    Report,
    ReportRow,
    UploadForm,
)
from cooperation.imports import Column, Table, book_response, cell_text
from cooperation.roles import scoped_to
from events.models import Event
from universities.matching import SURE

from .choices import AgreementKind, CooperationAreaCode
from .filtersets import AgreementFilterSet
from .models import Agreement
from .serializers import AgreementSerializer
from .services import MAX_ROWS, agreements_bulk_check, agreements_bulk_create, written_names
from .session import apply_choices, choice_field

COLUMNS = [
    Column("parties", "parties", gettext_lazy("Parties"), gettext_lazy(
        "The institutions that signed, separated by semicolons, as the register or a signing "
        "list names them, in any language; “Name (KZ)” restricts nothing but is checked. "
        "Or one column per party: “party 1”, “party 2”, …"),
        "Al-Farabi Kazakh National University; Baku State University", required=True,
        aliases=("sides", "institutions")),
    Column("party", "party 1", gettext_lazy("party"), gettext_lazy("One party per column."),
           pattern=r"(party|storona|сторона)\s*(\d+|[a-z]|[а-я])", stands_for="parties"),
    Column("title", "title", gettext_lazy("Title"), gettext_lazy(
        "Optional; “<kind> between <parties>” when empty."), "Memorandum of understanding"),
    Column("kind", "kind", gettext_lazy("Kind"), gettext_lazy(
        "One of: %(kinds)s (or the kind's name).") % {"kinds": ", ".join(AgreementKind.values)},
        "memorandum", required=True),
    Column("signed_on", "signed on", gettext_lazy("Signed on"), gettext_lazy(
        "Date signed: YYYY-MM-DD, DD.MM.YYYY or an Excel date."), "2026-04-06",
        aliases=("signed", "date signed")),
    Column("valid_from", "valid from", gettext_lazy("Valid from"), gettext_lazy(
        "Optional; the signing date when empty."), "2026-04-06"),
    Column("valid_until", "valid until", gettext_lazy("Valid until"), gettext_lazy(
        "Optional; empty for an open-ended agreement."), "2031-04-05"),
    Column("signatories", "signatories", gettext_lazy("Signatories"), gettext_lazy(
        "Optional; one per party, in the parties' order, separated by semicolons."),
        "Zhanseit Tuymebayev; Elchin Babayev"),
    Column("areas", "areas", gettext_lazy("Areas"), gettext_lazy(
        "Optional; codes separated by semicolons: %(codes)s.")
        % {"codes": ", ".join(CooperationAreaCode.values)}, "student_exchange; joint_research"),
]  # fmt: skip
HEADERS = [c.header for c in COLUMNS if not c.pattern]
# The register's own export (the list page's and the API's: the JSON keys, parties and
# areas as JSON arrays) imports too: its parties by institution id, their signatories, its
# areas; its other columns are read and left alone (ids, status, time stamps…).
COLUMNS += [
    Column(key, key, key, "", ignored=True)
    for key in AgreementSerializer.Meta.fields
    if key not in {c.key for c in COLUMNS}
]
COUNTRY_SUFFIX = re.compile(r"^(?P<name>.+?)\s*\((?P<code>[A-Za-z]{2})\)$")


class AgreementUploadForm(UploadForm):
    event = forms.ModelChoiceField(
        Event.objects.order_by("-start_date"),
        required=False,
        label=gettext_lazy("Signed at event"),
        empty_label=gettext_lazy("— none —"),
        help_text=gettext_lazy("Optional: links every agreement of the file to this event."),
    )


def _split(value: Any, *, keep_empty: bool = False) -> list[str]:
    text = cell_text(value)
    if not text:
        return []
    parts = [part.strip() for part in text.split(";" if ";" in text else ",")]
    return parts if keep_empty else [part for part in parts if part]


def _date(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date) or value is None:
        return value
    return cell_text(value)  # the service reads it, or names the column and the format


def _json_list(value: Any) -> list | None:
    """A cell of the register's export holding a JSON array, else None."""
    text = cell_text(value).strip()
    if not text.startswith("["):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


def _areas(value: Any) -> list[str]:
    exported = _json_list(value)
    return [cell_text(area) for area in exported] if exported is not None else _split(value)


def file_rows(table: Table) -> tuple[list[dict], dict[int, list[tuple[str, str]]]]:
    """The service's rows from the file's, and errors found in the cells themselves."""
    rows: list[dict] = []
    errors: dict[int, list[tuple[str, str]]] = {}
    for index, sheet_row in enumerate(table.rows):
        values = sheet_row.values
        exported = _json_list(values.get("parties"))
        if exported is not None:  # the register's export: each party's institution id
            items = [item for item in exported if isinstance(item, dict)]
            written = [cell_text(item.get("institution")) for item in items]
            signatories = [cell_text(item.get("signatory_name")) for item in items]
        else:
            written = _split(values.get("parties"))
            written += [cell_text(v) for v in values.get("party", [])]
            signatories = _split(values.get("signatories"), keep_empty=True)
        parties: list[Any] = []
        hints: list[str] = []  # the country written after a name: "Name (AZ)"
        for name in written:
            suffix = COUNTRY_SUFFIX.match(name)
            if suffix:
                code = suffix["code"].upper()
                if code not in countries:
                    errors.setdefault(index, []).append(
                        (
                            "parties",
                            _("“%(code)s” is not a country code (ISO 3166-1 alpha-2, e.g. KZ).")
                            % {"code": suffix["code"]},
                        )
                    )
                name = suffix["name"]
            hints.append(suffix["code"].upper() if suffix else "")
            parties.append(int(name) if name.isdigit() else name)
        rows.append(
            {
                "parties": parties,
                "written": [str(p) for p in parties],
                "countries": hints,
                "title": cell_text(values.get("title")),
                "kind": cell_text(values.get("kind")),
                "signed_on": _date(values.get("signed_on")),
                "valid_from": _date(values.get("valid_from")),
                "valid_until": _date(values.get("valid_until")),
                "signatories": signatories if any(signatories) else [],
                "areas": _areas(values.get("areas")),
                # session.apply_choices keys a choice made for one row by the row's text.
                "line": "\t".join(cell_text(v) for v in values.values()),
            }
        )
    return rows, errors


class AgreementImporter(Importer):
    kind = "agreements"
    title = gettext_lazy("Import agreements")
    intro = gettext_lazy(
        "One agreement per row: parties, title, kind, signed on, valid from, valid until, "
        "signatories, areas. Names are matched to the register in any language and script; "
        "names that need a choice are asked once. Nothing is saved until every row is "
        "ready; then all rows are saved together, as signed agreements."
    )
    columns = COLUMNS
    sheet_names = ("agreements", gettext_lazy("agreements"))
    max_rows = MAX_ROWS
    form_class = AgreementUploadForm
    list_url_name = "agreements:agreement_list"
    list_label = gettext_lazy("Agreements")

    def allowed(self, user) -> bool:
        # A university editor may propose drafts of their own institutions only; a file
        # of signed agreements between any institutions is the ministry's job.
        return user.has_perm("agreements.add_agreement") and not scoped_to(user)

    def template_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.pattern]

    def export_links(self) -> list[tuple[str, str]]:
        url = reverse("agreements:import_export")
        return [("CSV", f"{url}?format=csv"), ("XLSX", f"{url}?format=xlsx")]

    def options_from_form(self, form: forms.Form) -> dict:
        event = form.cleaned_data.get("event")
        return {"event": event.pk if event else None}

    def options_from_data(self, data) -> dict:
        """The API's options; an event that is not in the register is an error, not
        silently dropped."""
        event = str(data.get("event") or "").strip()
        if not event:
            return {}
        if not event.isdigit() or not Event.objects.filter(pk=int(event)).exists():
            raise ValidationError(
                {"event": _("No event has the id “%(id)s”.") % {"id": event[:40]}}
            )
        return {"event": int(event)}

    def _event(self, options: dict) -> Event | None:
        return (
            Event.objects.filter(pk=options.get("event")).first() if options.get("event") else None
        )

    def option_descriptions(self, options: dict) -> list[str]:
        event = self._event(options)
        return [_("Signed at event: %(event)s") % {"event": event}] if event else []

    def _rows(self, table: Table, choices: dict):
        rows, cell_errors = file_rows(table)
        apply_choices(rows, choices)
        return rows, cell_errors

    def names(self, table: Table, choices: dict) -> list[str]:
        return written_names(self._rows(table, choices)[0])

    def check(self, table: Table, *, options: dict, choices: dict) -> Report:
        rows, cell_errors = self._rows(table, choices)
        result = agreements_bulk_check(
            event=self._event(options),
            rows=rows,
            defaults={},
            row_numbers=[row.number for row in table.rows],
        )
        return self.report(table, rows, result, cell_errors, choices)

    def save(self, table: Table, *, options: dict, choices: dict, user, filename: str) -> Report:
        rows, cell_errors = self._rows(table, choices)
        result = agreements_bulk_create(
            event=self._event(options),
            rows=rows,
            defaults={},
            user=user,
            dry_run=bool(cell_errors),
            row_numbers=[row.number for row in table.rows],
        )
        report = self.report(table, rows, result, cell_errors, choices)
        if result.saved:
            report.saved, report.created = True, len(result.rows)
            report.links = [(reverse("agreements:agreement_list"), str(_("Agreement register")))]
            event = self._event(options)
            if event:
                report.links.append((event.get_absolute_url(), str(event)))
        return report

    def report(self, table: Table, rows, result, cell_errors, choices) -> Report:
        header = {c.key: table.header_of(c.key, self.columns) for c in self.columns}
        header["parties"] = table.headers.get("parties") or table.headers.get("party", "parties")
        to_settle: dict[str, dict] = {}
        report_rows = []
        for index, (sheet_row, checked) in enumerate(zip(table.rows, result.rows, strict=False)):
            errors = list(cell_errors.get(index, []))
            for field, messages in checked.errors.items():
                column = header.get(field, header["parties"] if field == "duplicate" else field)
                errors += [(column, message) for message in messages]
            written_names = zip(
                checked.parties, rows[index]["written"], rows[index]["countries"], strict=False
            )
            for party, written, country in written_names:
                party.written = written
                party.field = choice_field(written)
                party.chosen = choices.get(party.field, "")
                if party.verdict != SURE and not party.chosen and party.field not in to_settle:
                    to_settle[party.field] = {
                        "field": party.field,
                        "written": written,
                        "verdict": party.verdict,
                        "candidates": party.match.candidates if party.match else (),
                        "rows": [],
                        "create_in": [country] if country in countries else [],
                    }
                if party.field in to_settle and sheet_row.number not in (
                    settle_rows := to_settle[party.field]["rows"]
                ):
                    settle_rows.append(sheet_row.number)
            status = ERROR if errors else AMBIGUOUS if checked.status == "ambiguous" else OK
            cells = [
                (checked.title, ""),
                (checked.kind_label, ""),
                (checked.signed_on.isoformat() if checked.signed_on else "", "nowrap"),
                (
                    " – ".join(
                        [
                            checked.valid_from.isoformat() if checked.valid_from else "…",
                            checked.valid_until.isoformat() if checked.valid_until else "…",
                        ]
                    ),
                    "nowrap",
                ),
            ]
            report_rows.append(
                ReportRow(sheet_row.number, status, cells, errors, parties=checked.parties)
            )
        for item in to_settle.values():
            item["create_in"] += [
                c for c in settings.UNIBRIDGE_FOCUS_PAIR if c not in item["create_in"]
            ]
        return Report(
            rows=report_rows,
            headers=[_("Title"), _("Kind"), _("Signed on"), _("Valid")],
            notes=table.notes(),
            errors=list(result.errors),
            to_settle=list(to_settle.values()),
        )


IMPORTER = AgreementImporter()


def export_rows(agreements) -> list[list[Any]]:
    """The agreements as rows of the import file (kinds and areas as codes, dates as
    dates), in a stable order."""
    rows = []
    for agreement in agreements:
        parties = list(agreement.parties.all())
        signatories = [party.signatory.name if party.signatory else "" for party in parties]
        rows.append(
            [
                "; ".join(party.institution.name for party in parties),
                agreement.title,
                agreement.kind,
                agreement.signed_on,
                agreement.valid_from,
                agreement.valid_until,
                "; ".join(signatories) if any(signatories) else "",
                "; ".join(sorted(area.code for area in agreement.areas.all())),
            ]
        )
    return rows


def export_view(request):
    """The register's filtered rows in the import's format (CSV or XLSX), to edit in a
    spreadsheet and import again, or to move agreements to another register."""
    if refusal := IMPORTER.guard(request):
        return refusal
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Choose format=csv or format=xlsx."))
    query = request.GET.copy()
    query.pop("format", None)
    queryset = Agreement.objects.visible_to(request.user).with_related().order_by("signed_on", "pk")
    filterset = AgreementFilterSet(query, queryset=queryset, request=request)
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        )
    return book_response(
        sheet_title="agreements",
        headers=HEADERS,
        rows=export_rows(filterset.qs),
        export_format=fmt,
        filename=f"unibridge-agreements-for-import-{datetime.date.today():%Y-%m-%d}",
    )
