"""The signing-session page: paste the rows of a spreadsheet, check, choose, save all.

The page is a thin layer over ``services.agreements_bulk_create``: it turns pasted lines
into rows, applies the person's choices for names that were ambiguous or unknown (one
choice per name, applied to every row that names it), and shows the service's report.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from cooperation import name_searches
from cooperation.text import fold
from events.choices import EventKind, EventStatus
from events.models import Event

from .choices import AgreementKind, CooperationAreaCode
from .services import MAX_ROWS, agreements_bulk_create, written_names
from .visibility import may_enter_in_bulk

COLUMNS = gettext_lazy(
    "party A; party B [; more parties]; title; kind; valid from; valid until; signatories"
)
TRAILING = 5  # title, kind, valid_from, valid_until, signatories


class SessionForm(forms.Form):
    event = forms.ModelChoiceField(
        Event.objects.order_by("-start_date"),
        required=False,
        label=gettext_lazy("Event"),
        empty_label=gettext_lazy("— a new event (below) —"),
        # static/js/forms.js shows the new event's fields only while no event is chosen.
        widget=forms.Select(attrs={"data-new-event-switch": "new-event-fields"}),
    )
    new_event_title = forms.CharField(required=False, label=gettext_lazy("New event: title"))
    new_event_kind = forms.ChoiceField(
        choices=EventKind.choices, initial=EventKind.FORUM, label=gettext_lazy("kind")
    )
    new_event_date = forms.DateField(required=False, label=gettext_lazy("date"))
    new_event_city = forms.CharField(required=False, label=gettext_lazy("city"))
    new_event_country = LazyTypedChoiceField(
        choices=[("", "—"), *countries], required=False, label=gettext_lazy("country")
    )
    signed_on = forms.DateField(
        required=False,
        label=gettext_lazy("Signed on"),
        help_text=gettext_lazy("The event's date when empty."),
    )
    kind = forms.ChoiceField(
        choices=AgreementKind.choices,
        initial=AgreementKind.MEMORANDUM,
        label=gettext_lazy("Default kind"),
    )
    areas = forms.MultipleChoiceField(
        choices=CooperationAreaCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Default areas"),
    )
    rows = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        label=gettext_lazy("Rows"),
        help_text=COLUMNS,
    )

    def clean(self):
        data = super().clean()
        if not data.get("event") and not data.get("new_event_title"):
            self.add_error("event", _("Choose the event, or give the new event's title."))
        if not data.get("event") and data.get("new_event_title"):
            if not data.get("new_event_date"):
                self.add_error("new_event_date", _("Give the new event's date."))
            if not data.get("new_event_country"):
                self.add_error("new_event_country", _("Give the new event's country."))
        return data


def parse_rows(text: str) -> list[dict]:
    """Rows pasted from a spreadsheet: tab-separated (as Excel copies) or semicolon-separated.

    The last five cells are title, kind, valid from, valid until and signatories; every
    cell before them is a party. A shorter line is read left to right: two parties, then
    title, kind, dates. Empty lines and a header line are skipped.
    """
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t" if "\t" in line else ";")]
        # Empty trailing cells are kept: they hold the place of the optional columns.
        if fold(cells[0]) in {"party a", "storona a", "party"}:
            continue
        if len(cells) >= 2 + TRAILING:
            parties, rest = cells[:-TRAILING], cells[-TRAILING:]
        else:
            parties, rest = cells[:2], cells[2:]
        rest += [""] * (TRAILING - len(rest))
        title, kind, valid_from, valid_until, signatories = rest
        rows.append(
            {
                "parties": [p for p in parties if p],
                "title": title,
                "kind": kind,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "signatories": [s.strip() for s in signatories.split(",") if s.strip()],
                "line": line,
                "written": [p for p in parties if p],
            }
        )
    return rows


def choice_field(name: str) -> str:
    """The field of a choice made for a name wherever it is written."""
    return "choice:" + "_".join(fold(name).split())


def occurrence_field(name: str, line: str, position: int) -> str:
    """The field of a choice made for a name in one line: the same acronym may stand for
    two institutions in two rows ("ATU" in Almaty and in Baku). It is keyed by the line's
    text, not its number, so a choice never moves to another line when lines are added."""
    digest = hashlib.sha1(line.encode()).hexdigest()[:10]
    return f"{choice_field(name)}:{digest}:{position}"


def skip_field(line: str) -> str:
    """The checkbox that leaves one line out of the session, keyed by its text like the
    choices, so that it stays with its line when others are added or removed."""
    return "skip:" + hashlib.sha1(line.encode()).hexdigest()[:10]


def chosen(data, name: str, line: str, position: int) -> str:
    return data.get(occurrence_field(name, line, position)) or data.get(choice_field(name), "")


def apply_choices(rows: list[dict], data) -> None:
    """Replace a written name by the institution the person chose for it."""
    for row in rows:
        parties = []
        for position, written in enumerate(row["parties"]):
            # A party written as an institution id (the register's export) is an int.
            choice = chosen(data, str(written), row["line"], position)
            if choice.isdigit():
                parties.append(int(choice))
            elif choice.startswith("new:"):
                parties.append({"name": written, "create": True, "country": choice[4:]})
            else:
                parties.append(written)
        row["parties"] = parties


def summary_line(summary: dict, *, skipped: int = 0) -> str:
    line = _("%(rows)s: %(ready)s ready, %(ambiguous)s ambiguous, %(error)s with errors") % {
        "rows": ngettext("%(n)s row", "%(n)s rows", summary["rows"]) % {"n": summary["rows"]},
        "ready": summary["ready"],
        "ambiguous": summary["ambiguous"],
        "error": summary["error"],
    }
    if skipped:
        line += "; " + ngettext("%(n)s skipped", "%(n)s skipped", skipped) % {"n": skipped}
    return line


@login_required
@permission_required("agreements.add_agreement", raise_exception=True)
def signing_session(request):
    """Check and save a signing session; nothing is saved until every row is ready."""
    if not may_enter_in_bulk(request.user):
        raise PermissionDenied  # a university editor proposes drafts one by one
    initial = {}
    if request.GET.get("event", "").isdigit():
        initial["event"] = request.GET["event"]
    form = SessionForm(request.POST or None, initial=initial)
    context = {"form": form, "max_rows": MAX_ROWS, "columns": COLUMNS}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = parse_rows(data["rows"])
        for number, line in enumerate(lines, start=1):
            line["number"], line["skip_field"] = number, skip_field(line["line"])
        # Lines ticked "skip" stay in the text and are left out of the check and the save.
        skipped = [line for line in lines if request.POST.get(line["skip_field"])]
        rows = [line for line in lines if not request.POST.get(line["skip_field"])]
        apply_choices(rows, request.POST)
        # Many names not written as the register records them are compared in the
        # background; the page waits, then sends the form again (static/js/name-search.js).
        search = name_searches.searched(written_names(rows), user=request.user, retry=True)
        if search is not None:
            context["search"] = search
            return render(request, "agreements/signing_session.html", _crumbs(context))
        defaults = {"kind": data["kind"], "areas": data["areas"], "signed_on": data["signed_on"]}
        save = "save" in request.POST
        with transaction.atomic():
            try:
                event = data["event"] or _new_event(data, save=save)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(None, f"{field}: {' '.join(errors)}")
                return render(request, "agreements/signing_session.html", _crumbs(context))
            if not data["event"] and not data["signed_on"]:
                defaults["signed_on"] = data["new_event_date"]
            result = agreements_bulk_create(
                event=event,
                rows=rows,
                defaults=defaults,
                user=request.user,
                dry_run=not save,
                row_numbers=[row["number"] for row in rows],
            )
            if save and not result.saved:
                transaction.set_rollback(True)  # the new event goes too: nothing half-saved
        if result.saved:
            count = len(result.rows)
            message = ngettext(
                "%(count)s agreement saved.", "%(count)s agreements saved.", count
            ) % {"count": count}
            if skipped:
                message += " " + ngettext(
                    "%(count)s line skipped.", "%(count)s lines skipped.", len(skipped)
                ) % {"count": len(skipped)}
            messages.success(request, message)
            return redirect(event.get_absolute_url())
        for row, raw in zip(result.rows, rows, strict=False):
            row.line, row.number, row.skip_field = raw["line"], raw["number"], raw["skip_field"]
            for position, (party, written) in enumerate(
                zip(row.parties, raw["written"], strict=False)
            ):
                party.field = occurrence_field(written, raw["line"], position)
                party.name_field = choice_field(written)
                party.written = written
                party.chosen = chosen(request.POST, written, raw["line"], position)
        context.update(
            result=result,
            summary=summary_line(result.summary(), skipped=len(skipped)),
            skipped=skipped,
            countries=settings.UNIBRIDGE_FOCUS_PAIR,
            tried_save=save,
        )
    return render(request, "agreements/signing_session.html", _crumbs(context))


def _crumbs(context: dict) -> dict:
    context["breadcrumbs"] = [
        (reverse("agreements:agreement_list"), _("Agreements")),
        (None, _("Signing session")),
    ]
    return context


def _new_event(data: dict, *, save: bool) -> Event | None:
    if not save:
        return None
    event = Event(
        title=data["new_event_title"],
        kind=data["new_event_kind"],
        start_date=data["new_event_date"],
        city=data["new_event_city"],
        country=data["new_event_country"],
        status=EventStatus.HELD,
    )
    event.full_clean()
    event.save()
    return event
