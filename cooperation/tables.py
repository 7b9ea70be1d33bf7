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
    metric = tables.Column(verbose_name=_("Metric"))
    qualifier = tables.Column(verbose_name=_("Qualifier"))
    value = tables.Column(verbose_name=_("Value"), attrs={"td": {"class": "num"}})
    country = tables.Column(verbose_name=_("Country"))
    partner_country = tables.Column(verbose_name=_("Partner"))
    stated_on = tables.Column(verbose_name=_("Stated on"))
    statement = tables.Column(verbose_name=_("Statement"))

    class Meta:
        model = StatedFigure
        fields = (
            "metric", "qualifier", "value", "country", "partner_country", "stated_on", "statement",
        )  # fmt: skip

    def value_country(self, record):
        return record.country.code

    def value_partner_country(self, record):
        return record.partner_country.code
