import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Source, StatedFigure

SECONDARY = "col-secondary"


def secondary(attrs: dict | None = None) -> dict:
    """The ``attrs`` of a column that a phone's screen leaves out (``.col-secondary`` in
    static/css/unibridge.css), so that a list's key columns stay in view; ``attrs``' own
    classes are kept. Exports, print and wider screens show every column."""
    merged = {part: dict(values) for part, values in (attrs or {}).items()}
    for part in ("th", "td"):
        classes = merged.setdefault(part, {}).get("class", "")
        merged[part]["class"] = f"{classes} {SECONDARY}".strip()
    return merged


class SourceTable(tables.Table):
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    publisher = tables.Column(verbose_name=_("Publisher"), attrs=secondary())
    published_on = tables.Column(verbose_name=_("Published"))
    language = tables.Column(verbose_name=_("Language"), attrs=secondary())
    url = tables.Column(verbose_name=_("URL"), visible=False)

    class Meta:
        model = Source
        fields = ("title", "publisher", "published_on", "language", "url")
        empty_text = _("No sources match.")

    def render_published_on(self, record):
        return record.published_display


class StatedFigureTable(tables.Table):
    """Stated figures as the sources state them: ``label`` (qualifier, status, whose figure,
    no arrow) first, then its parts for sorting and exporting."""

    label = tables.Column(verbose_name=_("Stated figure"), accessor="label", orderable=False)
    metric = tables.Column(verbose_name=_("Metric"), attrs=secondary())
    qualifier = tables.Column(verbose_name=_("Qualifier"), attrs=secondary())
    value = tables.Column(verbose_name=_("Value"), attrs=secondary({"td": {"class": "num"}}))
    status = tables.Column(verbose_name=_("Status"), attrs=secondary())
    countries = tables.Column(
        verbose_name=_("Whose figure"),
        accessor="countries_label",
        orderable=False,
        attrs=secondary(),
    )
    stated_on = tables.Column(verbose_name=_("Stated on"))
    statement = tables.Column(verbose_name=_("Statement"), attrs=secondary())

    class Meta:
        model = StatedFigure
        fields = (
            "label", "metric", "qualifier", "value", "status", "countries", "stated_on",
            "statement",
        )  # fmt: skip
