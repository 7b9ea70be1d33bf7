"""The article intake page: paste or upload, review the proposals, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries import countries

from . import extraction as ex
from .forms import ArticleForm
from .readers import MAX_TEXT_CHARS, too_long_message
from .services import (
    EDITABLE,
    MODELS,
    apply_decisions,
    default_accept,
    intake_save,
    may_take_in,
)


def _kind_labels() -> dict:
    # Built per request, so the labels are in the reader's language.
    return {
        ex.SOURCE: _("Source"),
        ex.INSTITUTION: _("Institutions"),
        ex.PERSON: _("People"),
        ex.EVENT: _("Events"),
        ex.AGREEMENT: _("Agreements"),
        ex.STATED_FIGURE: _("Stated figures"),
        ex.MOBILITY_FIGURE: _("Mobility figures"),
    }


def _label(kind: str, name: str) -> str:
    """The field's name as the model gives it; an agreement's year is its signing year."""
    if kind == ex.AGREEMENT:
        from agreements.models import Agreement

        return _("year") if name == "year" else Agreement._meta.get_field(name).verbose_name
    return MODELS[kind]._meta.get_field(name).verbose_name


def _rows(extraction: ex.Extraction, data=None) -> list[dict]:
    """The review table: one group per kind, one row per proposal, with its editable
    fields and whether it is ticked."""
    groups = []
    labels = _kind_labels()
    country_choices = [("", "—"), *countries]
    for kind in ex.KINDS:
        proposals = extraction.of_kind(kind)
        if not proposals:
            continue
        rows = []
        for proposal in proposals:
            if data is not None and "confirm" in data:
                accepted = bool(data.get(f"{proposal.key}-accept"))
            else:
                accepted = default_accept(proposal)
            inputs = []
            for name, widget, choices in EDITABLE.get(kind, []):
                value = proposal.fields.get(name)
                inputs.append(
                    {
                        "name": f"{proposal.key}-{name}",
                        "field": _label(kind, name),
                        "widget": widget,
                        "value": "" if value is None else str(value),
                        "choices": country_choices if widget == "country" else choices,
                    }
                )
            rows.append({"proposal": proposal, "accepted": accepted, "inputs": inputs})
        groups.append({"kind": kind, "label": labels[kind], "rows": rows})
    return groups


def _highlighted(extraction: ex.Extraction) -> list[tuple[str, str]]:
    """The text cut into (piece, key of the proposal whose sentence it is, or "")."""
    spans = sorted(
        {(p.start, p.end, p.key) for p in extraction.proposals if p.kind != ex.SOURCE},
        key=lambda span: span[0],
    )
    pieces, at = [], 0
    for start, end, key in spans:
        if start < at:
            continue
        pieces.append((extraction.text[at:start], ""))
        pieces.append((extraction.text[start:end], key))
        at = end
    pieces.append((extraction.text[at:], ""))
    return pieces


@login_required
def article_intake(request):
    """Step 1 (paste or upload) and step 2 (review and confirm) of an article's intake."""
    if not may_take_in(request.user):
        raise PermissionDenied
    breadcrumbs = [
        (reverse("cooperation:source_list"), _("Sources")),
        (None, _("Article intake")),
    ]
    context = {"breadcrumbs": breadcrumbs, "max_chars": MAX_TEXT_CHARS}
    if request.method != "POST":
        context["form"] = ArticleForm()
        return render(request, "intake/article.html", context)
    try:
        data = request.POST
    except RequestDataTooBig:
        context["form"] = ArticleForm()
        context["refused"] = too_long_message()
        return render(request, "intake/article.html", context, status=400)
    form = ArticleForm(data, request.FILES)
    if not form.is_valid() or form.extraction is None:
        context["form"] = form
        return render(request, "intake/article.html", context, status=400)
    extraction = form.extraction
    errors: dict = {}
    if "confirm" in data:
        decisions = apply_decisions(extraction, data)
        result = intake_save(extraction=extraction, decisions=decisions, user=request.user)
        if result.saved:
            created = sum(n for k, n in result.created.items())
            cited = sum(n for k, n in result.cited.items() if k != "duplicate")
            messages.success(
                request,
                _(
                    "Saved: %(created)s new records, %(cited)s records already in the "
                    "register now cite this source."
                )
                % {"created": created, "cited": cited},
            )
            return redirect(result.source.get_absolute_url())
        errors = result.errors
    groups = _rows(extraction, data if "confirm" in data else None)
    for group in groups:
        for row in group["rows"]:
            row["errors"] = errors.get(row["proposal"].key, [])
    context.update(
        form=form,
        extraction=extraction,
        groups=groups,
        pieces=_highlighted(extraction),
        errors=errors,
        text=form.cleaned_data["text"],
    )
    return render(request, "intake/review.html", context, status=400 if errors else 200)
