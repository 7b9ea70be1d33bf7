"""The active filters of a list page, as chips: each names a filter and its value and links
to the same list without it (templates/includes/filter_chips.html).

Built from the bound FilterSet's form and the query string, so every list page (directory,
register, events, explorer, scholarships, sources, stated figures) shows the same: a value
the filter refuses is listed too, so that it can be taken off in one click.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.text import Truncator

from .filtersets import CountryPairField

# Parameters of a list that are not filters: the order, the page, the layout, the exports.
NOT_FILTERS = {"page", "sort", "per_page", "view", "pivot", "_export"}


@dataclass(frozen=True)
class Chip:
    label: str  # the filter's label, "Kind"
    value: str  # what it is set to, "Memorandum of understanding"
    remove_url: str  # the list without this value ("?status=signed")

    @property
    def short_label(self) -> str:
        """A label that is a whole definition (dormant) is cut on the chip; its title
        attribute and the filter form hold it whole."""
        return Truncator(self.label).chars(48)


def _choice_labels(field: forms.Field) -> dict[str, str]:
    choices = getattr(field, "choices", None)
    if not choices:
        return {}
    labels = {}
    for key, label in choices:
        if isinstance(label, list | tuple):  # a group of choices
            labels.update({str(k): str(v) for k, v in label})
        else:
            labels[str(key)] = str(label)
    return labels


def _value_label(field: forms.Field, labels: dict[str, str], raw: str) -> str:
    if isinstance(field, CountryPairField):
        codes = [code.strip().upper() for code in raw.split(",")]
        return " – ".join(labels.get(code, code) for code in codes)
    if isinstance(field, forms.MultipleChoiceField):
        return labels.get(raw.strip().upper(), labels.get(raw, raw))
    if isinstance(field, forms.DateField):
        # As the reader's language writes a date (06.04.2026), whichever form was typed
        # (2026-04-06 from a link, 6.4.2026); a date the field refuses, as typed.
        try:
            day = field.clean(raw)
        except forms.ValidationError:
            return raw
        return date_format(day, "SHORT_DATE_FORMAT") if day else raw
    return labels.get(raw, raw)


def _without(query: QueryDict, name: str, raw: str | None = None) -> str:
    """The query string without ``name`` (or only without its value ``raw``), from page 1."""
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        if key in ("page", "_export") or (key == name and raw is None):
            continue
        # The form sends its empty fields too; the link leaves them out.
        kept.setlist(key, [v for v in values if v.strip() and not (key == name and v == raw)])
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else "?"


def filter_chips(form: forms.Form, query: QueryDict) -> list[Chip]:
    """One chip per value of each filter set in ``query``, in the form's order."""
    chips = []
    for name, field in form.fields.items():
        if name in NOT_FILTERS:
            continue
        values = [value for value in query.getlist(name) if value.strip()]
        if not values:
            continue
        # A yes/no filter's choices are its menu's (FilteredListView.get_filterset).
        labels = _choice_labels(field) or _choice_labels(field.widget)
        label = str(field.label or name)
        if isinstance(field, forms.MultipleChoiceField) and not isinstance(field, CountryPairField):
            for raw in values:
                chips.append(
                    Chip(label, _value_label(field, labels, raw), _without(query, name, raw))
                )
        else:
            shown = ", ".join(_value_label(field, labels, raw) for raw in values)
            chips.append(Chip(label, shown, _without(query, name)))
    return chips


def clear_all_url(query: QueryDict) -> str:
    """The list without any filter: its order and layout kept."""
    kept = QueryDict(mutable=True)
    for name in ("sort", "per_page", "view", "pivot"):
        if name in query:
            kept.setlist(name, query.getlist(name))
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else "?"
