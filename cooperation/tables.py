import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Source, StatedFigure
from .text import vague_date


class SourceTable(tables.Table):
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    publisher = tables.Column(verbose_name=_("Publisher"))
    published_on = tables.Column(verbose_name=_("Published"))
    language = tables.Column(verbose_name=_("Language"))
    url = tables.Column(verbose_name=_("URL"), visible=False)

    class Meta:
        model = Source
        fields = ("title", "publisher", "published_on", "language", "url")
        empty_text = _("No sources match.")

    def render_published_on(self, record):
        return vague_date(record.published_on, record.published_precision)


class StatedFigureTable(tables.Table):
    """Stated figures as the sources state them: ``label`` (qualifier, status, whose figure,
    no arrow) first, then its parts for sorting and exporting."""

    label = tables.Column(verbose_name=_("Stated figure"), accessor="label", orderable=False)
    metric = tables.Column(verbose_name=_("Metric"))
    qualifier = tables.Column(verbose_name=_("Qualifier"))
    value = tables.Column(verbose_name=_("Value"), attrs={"td": {"class": "num"}})
    status = tables.Column(verbose_name=_("Status"))
    countries = tables.Column(
        verbose_name=_("Whose figure"), accessor="countries_label", orderable=False
    )
    stated_on = tables.Column(verbose_name=_("Stated on"))
    statement = tables.Column(verbose_name=_("Statement"))

    class Meta:
        model = StatedFigure
        fields = (
            "label", "metric", "qualifier", "value", "status", "countries", "stated_on",
            "statement",
        )  # fmt: skip
