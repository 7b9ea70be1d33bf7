import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cooperation.tables import secondary
from cooperation.translations import in_its_language, localized_order

from .models import MobilityFigure, ScholarshipProgramme

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class ScholarshipProgrammeTable(tables.Table):
    name = tables.Column(verbose_name=_("Programme"), linkify=True)
    # On a phone: the programme, where it is hosted and its places (cooperation.tables).
    kind = tables.Column(verbose_name=_("Kind"), attrs=secondary())
    funder_country = tables.Column(verbose_name=_("Funded by"), attrs=secondary())
    host_country = tables.Column(verbose_name=_("Hosted in"))
    # Not the field's name: tables2 would call get_eligible_countries_display, which a
    # multiple CountryField does not support.
    eligible = tables.Column(
        verbose_name=_("For students of"),
        accessor="pk",
        orderable=False,
        empty_values=(),
        attrs=secondary(),
    )
    host_institution = tables.Column(
        verbose_name=_("Host institution"), linkify=True, attrs=secondary()
    )
    offered = tables.Column(verbose_name=_("Places offered"), attrs=NUM)
    awarded = tables.Column(verbose_name=_("Places awarded"), attrs=NUM)

    class Meta:
        model = ScholarshipProgramme
        fields = (
            "name", "kind", "funder_country", "host_country", "eligible",
            "host_institution", "offered", "awarded",
        )  # fmt: skip
        # The places beside the programme: the columns after them may scroll at 1400 px.
        sequence = ("name", "offered", "awarded", "...")
        order_by = ("name",)  # the name shown (order_name)
        empty_text = _("No scholarship programmes match.")

    def order_name(self, queryset, is_descending):
        """By the name shown (``cooperation.translations``), in the reader's alphabet."""
        order = localized_order("name")
        return queryset.order_by(order.desc() if is_descending else order.asc(), "pk"), True

    def render_name(self, record):
        return in_its_language(record.localized_name())

    def render_funder_country(self, record):
        return record.funder_country.name

    def value_funder_country(self, record):
        return record.funder_country.code

    def render_host_country(self, record):
        return record.host_country.name

    def value_host_country(self, record):
        return record.host_country.code

    def render_eligible(self, record):
        return ", ".join(c.code for c in record.eligible_countries) or _("any")

    def value_eligible(self, record):
        return ",".join(c.code for c in record.eligible_countries)


class MobilityFigureTable(tables.Table):
    """One row per figure, as the sources state it. On the screen a few dimensions share a
    column so that every column shows at 1400 px, in Russian too: the direction (origin →
    destination), the value with its qualifier ("more than 1000"), the measure with the date
    of a stock. The exports keep one column per dimension (mobility.columns)."""

    year = tables.Column(verbose_name=_("Year"))
    # The accessors end in the Country's code so that django-tables2 does not call
    # get_origin_country_display() for every row: django-countries flattens its 250 choices
    # on each call (3 ms), which made a 2-million-row export take hours (bench/RESULTS.md).
    direction = tables.Column(
        verbose_name=_("Direction"),
        accessor="origin_country__code",
        order_by=("origin_country", "destination_country"),
    )
    # On a phone: year, direction, type and value (cooperation.tables).
    mobility_type = tables.Column(verbose_name=_("Type"))
    value = tables.Column(verbose_name=_("Value"), attrs=NUM)
    measure = tables.Column(verbose_name=_("Measure"), attrs=secondary())
    level = tables.Column(verbose_name=_("Level"), attrs=secondary())
    field = tables.Column(
        verbose_name=_("Field"), accessor="field__code", default="", attrs=secondary()
    )
    sex = tables.Column(verbose_name=_("Sex"), attrs=secondary())
    host_institution_count = tables.Column(
        verbose_name=_("Host institutions"), attrs=secondary(NUM)
    )
    # render_source draws its own link: linkify would nest two (an empty link, axe link-name).
    source = tables.Column(verbose_name=_("Source"), attrs=secondary())

    class Meta:
        model = MobilityFigure
        fields = (
            "year", "direction", "mobility_type", "value", "measure", "level", "field", "sex",
            "host_institution_count", "source",
        )  # fmt: skip
        empty_text = _("No mobility figures match.")

    def render_direction(self, record):
        return f"{record.origin_country.code} → {record.destination_country.code}"

    def render_value(self, record):
        return record.value_label

    def render_measure(self, record):
        if not record.as_of:
            return record.get_measure_display()
        return format_html(
            '{}<span class="cell-note">{}</span>',
            record.get_measure_display(),
            date_format(record.as_of),
        )

    def render_source(self, record):
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            record.source.get_absolute_url(),
            record.source.title,
            Truncator(record.source.title).chars(48),
        )
