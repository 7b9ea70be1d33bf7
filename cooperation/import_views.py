"""The pages of a spreadsheet import: upload, preview, confirm, done; and the template.

One ``Importer`` per kind of record (agreements, mobility figures) says which columns it
reads, how rows are checked and saved (through that app's service) and who may import;
the pages and their flow are the same for every kind:

1. upload: the file is read at once; a file that cannot be read at all (type, encoding,
   columns, size, rows) is refused on the upload form, and nothing is kept; otherwise its
   rows are kept, privately, until the confirmation (``imports.store_upload``);
2. preview: every row with its status and, for errors, the column and the message;
   for agreements the institutions each name matched, with scores, and the names that
   need a choice;
3. confirm: the kept rows are checked again (the register may have changed) and, if every
   row is ready, all are saved in one transaction with history naming the user; otherwise
   nothing is saved.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import name_searches
from .imports import (
    SESSION_KEY,
    Column,
    ImportRefused,
    Table,
    book_response,
    discard_upload,
    max_import_bytes,
    notes_rows,
    pending_upload,
    read_table,
    read_upload,
    store_upload,
    table_from_json,
    table_to_json,
)

OK, UNCHANGED, AMBIGUOUS, ERROR = "ok", "unchanged", "ambiguous", "error"
STATUS_LABELS = {
    OK: gettext_lazy("ready"),
    UNCHANGED: gettext_lazy("already in the register"),
    AMBIGUOUS: gettext_lazy("choose"),
    ERROR: gettext_lazy("error"),
}
PREVIEW_PAGE_SIZE = 100
DONE_KEY = "unibridge_imports_done"


def _row_dict(
    number: int, status: str, errors: Sequence[tuple[str, str]], parties: Sequence[Any] = ()
) -> dict[str, Any]:
    """A row of the report as the API gives it."""
    data: dict[str, Any] = {
        "row": number,
        "status": status,
        "errors": [{"column": column, "message": message} for column, message in errors],
    }
    if parties:
        data["parties"] = [party.as_dict() for party in parties]
    return data


@dataclasses.dataclass
class ReportRow:
    """One row of the file as the preview shows it."""

    number: int
    status: str
    cells: list[tuple[Any, str]]  # (text, CSS class) of each column after the parties
    errors: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    parties: list[Any] = dataclasses.field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def as_dict(self) -> dict[str, Any]:
        return _row_dict(self.number, self.status, self.errors, self.parties)


class ReportRows(Sequence[ReportRow]):
    """A report's rows kept as their numbers, statuses and errors; each ``ReportRow`` (with
    its cells, from ``draw(index)``) is drawn only when read. The page reads 100 rows and
    the API none: 50,000 ready rows need no object each (issue 18)."""

    def __init__(
        self,
        numbers: Sequence[int],
        statuses: Sequence[str],
        errors: Mapping[int, list[tuple[str, str]]],
        draw: Callable[[int], list[tuple[Any, str]]],
        indices: Sequence[int] | None = None,
    ) -> None:
        self._numbers, self._statuses, self._errors, self._draw = numbers, statuses, errors, draw
        self._indices = range(len(numbers)) if indices is None else indices

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._row(i) for i in self._indices[index]]
        return self._row(self._indices[index])

    def __iter__(self) -> Iterator[ReportRow]:
        return map(self._row, self._indices)

    def _row(self, i: int) -> ReportRow:
        errors = list(self._errors.get(i, ()))
        return ReportRow(self._numbers[i], self._statuses[i], self._draw(i), errors)

    def statuses(self) -> list[str]:
        if isinstance(self._indices, range) and len(self._indices) == len(self._statuses):
            return list(self._statuses)
        return [self._statuses[i] for i in self._indices]

    def having(self, statuses: Collection[str]) -> ReportRows:
        """The rows of these statuses only (the page's "only rows with problems")."""
        indices = [i for i in self._indices if self._statuses[i] in statuses]
        return ReportRows(self._numbers, self._statuses, self._errors, self._draw, indices)

    def as_dicts(self) -> list[dict[str, Any]]:
        numbers, statuses, errors = self._numbers, self._statuses, self._errors
        return [
            _row_dict(numbers[i], statuses[i], errors[i])
            if i in errors
            else {"row": numbers[i], "status": statuses[i], "errors": []}  # as _row_dict
            for i in self._indices
        ]


@dataclasses.dataclass
class Report:
    """Every row checked; ``saved`` when they were all saved."""

    rows: list[ReportRow] | ReportRows
    headers: list[str]
    notes: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    to_settle: list[Any] = dataclasses.field(default_factory=list)  # names needing a choice
    saved: bool = False
    created: int = 0
    links: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def statuses(self) -> list[str]:
        if isinstance(self.rows, ReportRows):
            return self.rows.statuses()
        return [row.status for row in self.rows]

    @property
    def valid(self) -> bool:
        return not self.errors and set(self.statuses()) <= {OK, UNCHANGED}

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(self.statuses())
        return {status: counts.get(status, 0) for status in (OK, UNCHANGED, AMBIGUOUS, ERROR)}

    @property
    def to_save(self) -> int:
        return self.counts[OK]

    def rows_with(self, *statuses: str) -> list[ReportRow] | ReportRows:
        if isinstance(self.rows, ReportRows):
            return self.rows.having(statuses)
        return [row for row in self.rows if row.status in statuses]

    def as_dict(self) -> dict[str, Any]:
        rows = self.rows
        return {
            "saved": self.saved,
            "valid": self.valid,
            "created": self.created,
            "summary": {"rows": len(rows), **self.counts},
            "notes": self.notes,
            "errors": self.errors,
            "rows": rows.as_dicts()
            if isinstance(rows, ReportRows)
            else [row.as_dict() for row in rows],
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or Windows-1251) or Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


class Importer:
    """What a kind of record needs for the import pages; subclasses fill it in."""

    kind: ClassVar[str]  # the app label, also the URL namespace
    title: ClassVar[Any]
    intro: ClassVar[Any]
    columns: ClassVar[list[Column]]
    sheet_names: ClassVar[tuple[Any, ...]] = ()
    max_rows: ClassVar[int]
    form_class: ClassVar[type[forms.Form]] = UploadForm
    list_url_name: ClassVar[str]
    list_label: ClassVar[Any]
    template_name = "cooperation/import.html"
    done_template_name = "cooperation/import_done.html"

    # -- rules, in subclasses
    def allowed(self, user) -> bool:
        raise NotImplementedError

    def check(self, table: Table, *, options: dict, choices: dict) -> Report:
        raise NotImplementedError

    def save(self, table: Table, *, options: dict, choices: dict, user, filename: str) -> Report:
        raise NotImplementedError

    def template_rows(self) -> list[list[Any]]:
        return [[column.example for column in self.template_columns()]]

    def template_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.pattern and not c.ignored]

    def options_from_form(self, form: forms.Form) -> dict:
        return {}

    def names(self, table: Table, choices: dict) -> list[str]:
        """The institutions the file writes as names (not ids), which its check matches
        with the register (``cooperation.name_searches`` decides where)."""
        return []

    def options_from_data(self, data) -> dict:
        """The same options from an API request's fields."""
        return {}

    def option_descriptions(self, options: dict) -> list[str]:
        return []

    def export_links(self) -> list[tuple[str, str]]:
        """Links to an export this import reads back unchanged."""
        return []

    # -- the pages
    def read(self, data: bytes) -> Table:
        return read_table(
            data,
            columns=self.columns,
            max_rows=self.max_rows,
            sheet_names=[str(name) for name in self.sheet_names],
        )

    def urls(self) -> list:
        return [
            path("import/", self.upload_view, name="import"),
            path("import/template.<str:fmt>", self.template_view, name="import_template"),
            path("import/<str:token>/", self.preview_view, name="import_preview"),
            path("import/<str:token>/done/", self.done_view, name="import_done"),
        ]

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.kind}:{name}", args=args)

    def guard(self, request) -> Any | None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not self.allowed(request.user):
            raise PermissionDenied
        return None

    def context(self, request, **extra) -> dict:
        return {
            "importer": self,
            "title": self.title,
            "columns": self.columns,
            "max_rows": self.max_rows,
            "max_bytes": max_import_bytes(),
            "template_links": [
                ("CSV", self.url("import_template", "csv")),
                ("XLSX", self.url("import_template", "xlsx")),
            ],
            "export_links": self.export_links(),
            "breadcrumbs": [
                (reverse(self.list_url_name), self.list_label),
                (None, self.title),
            ],
            **extra,
        }

    def upload_view(self, request):
        if refusal := self.guard(request):
            return refusal
        form = self.form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > max_import_bytes():
                # Refused before reading it into memory.
                form.add_error("file", _too_large(upload.size))
            else:
                data = upload.read()
                try:
                    table = self.read(data)
                except ImportRefused as refused:
                    form.add_error("file", refused.message)
                else:
                    token = store_upload(
                        request,
                        kind=self.kind,
                        name=upload.name,
                        data=table_to_json(table),
                        file_format="json",
                    )
                    request.session[SESSION_KEY][token]["options"] = self.options_from_form(form)
                    request.session.modified = True
                    return redirect(self.url("import_preview", token))
        return render(request, self.template_name, self.context(request, form=form))

    def preview_view(self, request, token: str):
        if refusal := self.guard(request):
            return refusal
        entry = pending_upload(request, kind=self.kind, token=token)
        data = read_upload(entry) if entry else None
        if data is None:
            messages.error(
                request,
                _("This upload is no longer waiting for confirmation; upload the file again."),
            )
            return redirect(self.url("import"))
        options = entry.get("options", {})
        choices = dict(entry.get("choices", {}))
        action = request.POST.get("action", "") if request.method == "POST" else ""
        if action == "cancel":
            discard_upload(request, token)
            messages.info(request, _("The import was cancelled; nothing was saved."))
            return redirect(self.url("import"))
        if action in ("choose", "confirm"):
            choices.update({k: v for k, v in request.POST.items() if k.startswith("choice:") and v})
            entry["choices"] = choices
            request.session.modified = True
        if action == "choose":
            return redirect(request.get_full_path())
        try:
            table = table_from_json(data)
        except (ValueError, TypeError, KeyError):  # not what store_upload wrote
            discard_upload(request, token)
            messages.error(request, _("This upload cannot be read back; upload the file again."))
            return redirect(self.url("import"))
        try:
            search = name_searches.searched(
                self.names(table, choices), user=request.user, retry=action == "retry"
            )
        except name_searches.NameSearchesBusy as busy:
            if request.method == "POST":
                return redirect(request.get_full_path())
            return self.searching_view(request, None, entry=entry, token=token, busy=busy)
        if action == "retry" or (search is not None and request.method == "POST"):
            # The page that waits is a GET: name-search.js reloads it once the comparison
            # is done, which would send a confirmation again (a new preview comes first).
            return redirect(request.get_full_path())
        if search is not None:
            return self.searching_view(request, search, entry=entry, token=token)
        if action == "confirm":
            report = self.save(
                table, options=options, choices=choices, user=request.user, filename=entry["name"]
            )
            if report.saved:
                discard_upload(request, token)
                done = request.session.setdefault(DONE_KEY, {})
                done.clear()  # only the latest import's summary is kept
                done[token] = {
                    "kind": self.kind,
                    "name": entry["name"],
                    "created": report.created,
                    "unchanged": report.counts[UNCHANGED],
                    "links": report.links,
                }
                request.session.modified = True
                return redirect(self.url("import_done", token))
        else:
            report = self.check(table, options=options, choices=choices)
        show = request.GET.get("show", "")
        rows = report.rows_with(ERROR, AMBIGUOUS) if show == "problems" else report.rows
        page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        context = self.context(
            request,
            report=report,
            page=page,
            show=show,
            entry=entry,
            token=token,
            tried_save=action == "confirm",
            option_descriptions=self.option_descriptions(options),
            summary=summary_line(report),
        )
        context["breadcrumbs"] = [
            *context["breadcrumbs"][:-1],
            (self.url("import"), self.title),
            (None, _("Preview")),
        ]
        return render(request, self.template_name, context)

    def searching_view(self, request, search, *, entry: dict, token: str, busy=None):
        """The file's names being compared with the register in the background: how far,
        until the preview can be shown (static/js/name-search.js reloads the page then);
        or, when the person has too many comparisons under way (``busy``), why none starts."""
        context = self.context(
            request,
            search=search,
            busy=busy.message if busy else "",
            entry=entry,
            token=token,
        )
        context["breadcrumbs"] = [
            *context["breadcrumbs"][:-1],
            (self.url("import"), self.title),
            (None, _("Preview")),
        ]
        return render(request, "cooperation/import_names.html", context)

    def done_view(self, request, token: str):
        if refusal := self.guard(request):
            return refusal
        done = request.session.get(DONE_KEY, {}).get(token)
        if not done or done["kind"] != self.kind:
            raise Http404(_("No import with this reference was saved in this session."))
        context = self.context(request, done=done)
        context["breadcrumbs"] = [*context["breadcrumbs"][:-1], (None, _("Imported"))]
        return render(request, self.done_template_name, context)

    def template_view(self, request, fmt: str):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        columns = self.template_columns()
        return book_response(
            sheet_title=str(self.sheet_names[0]) if self.sheet_names else self.kind,
            headers=[c.header for c in columns],
            rows=self.template_rows(),
            export_format=fmt,
            filename=f"unibridge-{self.kind}-template",
            notes=notes_rows([c for c in self.columns if not c.ignored]),
            notes_headers=[_("column"), _("required"), _("meaning"), _("example")],
        )


def _too_large(size: int) -> str:
    from django.template.defaultfilters import filesizeformat

    return _("The file is %(size)s; an import may be at most %(limit)s. Split it.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(max_import_bytes()),
    }


def summary_line(report: Report) -> str:
    counts = report.counts
    parts = [ngettext("%(n)s row", "%(n)s rows", len(report.rows)) % {"n": len(report.rows)}]
    parts.append(_("%(n)s ready") % {"n": counts[OK]})
    if counts[UNCHANGED]:
        parts.append(_("%(n)s already in the register") % {"n": counts[UNCHANGED]})
    if counts[AMBIGUOUS]:
        parts.append(_("%(n)s to choose") % {"n": counts[AMBIGUOUS]})
    parts.append(_("%(n)s with errors") % {"n": counts[ERROR]})
    return ", ".join(parts)


def name_search_status(request, pk):
    """How far the comparison of an import's names has got, for the page that waits for it
    (JSON; only the person who imported the file may follow it)."""
    if not request.user.is_authenticated:
        raise Http404
    search = name_searches.progress_of(pk, request.user)
    if search is None:
        raise Http404
    return JsonResponse(
        {
            "status": search.status,
            "done": search.done,
            "total": search.total,
            "percent": search.percent,
            "stalled": search.stalled,
        }
    )
