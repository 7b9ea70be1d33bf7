import django_tables2 as tables
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from cooperation.tables import secondary
from cooperation.translations import localized_order

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
        return record.localized_name()

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
    """The tidy format analysts use: one row per figure, one column per dimension."""

    year = tables.Column(verbose_name=_("year"))
    # The accessors end in the Country's code so that django-tables2 does not call
    # get_origin_country_display() for every row: django-countries flattens its 250 choices
    # on each call (3 ms), which made a 2-million-row export take hours (bench/RESULTS.md).
    origin_country = tables.Column(
        verbose_name=_("origin"), accessor="origin_country__code", order_by="origin_country"
    )
    destination_country = tables.Column(
        verbose_name=_("destination"),
        accessor="destination_country__code",
        order_by="destination_country",
    )
    # On a phone: year, origin, destination, type and value (cooperation.tables).
    mobility_type = tables.Column(verbose_name=_("type"))
    level = tables.Column(verbose_name=_("level"), attrs=secondary())
    field = tables.Column(
        verbose_name=_("field"), accessor="field__code", default="", attrs=secondary()
    )
    sex = tables.Column(verbose_name=_("sex"), attrs=secondary())
    measure = tables.Column(verbose_name=_("measure"), attrs=secondary())
    as_of = tables.Column(verbose_name=_("as of"), attrs=secondary())
    qualifier = tables.Column(verbose_name=_("qualifier"), attrs=secondary())
    value = tables.Column(verbose_name=_("value"), attrs=NUM)
    host_institution_count = tables.Column(
        verbose_name=_("host institutions"), attrs=secondary(NUM)
    )
    # Shown on the profile pages; kept in the exports, left out of the wide explorer table.
    home_institution = tables.Column(verbose_name=_("home institution"), visible=False)
    host_institution = tables.Column(verbose_name=_("host institution"), visible=False)
    # render_source draws its own link: linkify would nest two (an empty link, axe link-name).
    source = tables.Column(verbose_name=_("source"), attrs=secondary())

    class Meta:
        model = MobilityFigure
        fields = (
            "year", "origin_country", "destination_country", "mobility_type", "level", "field",
            "sex", "measure", "as_of", "qualifier", "value", "host_institution_count",
            "home_institution", "host_institution", "source",
        )  # fmt: skip
        # On the screen the value comes right after what it counts (the exports keep their
        # own declared order, mobility.columns): the details after it may scroll at 1400 px.
        sequence = (
            "year", "origin_country", "destination_country", "mobility_type", "qualifier",
            "value", "measure", "as_of", "...",
        )  # fmt: skip
        empty_text = _("No mobility figures match.")

    def render_origin_country(self, record):
        return record.origin_country.code

    def render_destination_country(self, record):
        return record.destination_country.code

    def value_origin_country(self, record):
        return record.origin_country.code

    def value_destination_country(self, record):
        return record.destination_country.code

    def value_mobility_type(self, record):
        return record.mobility_type

    def value_level(self, record):
        return record.level

    def value_sex(self, record):
        return record.sex

    def value_measure(self, record):
        return record.measure

    def value_qualifier(self, record):
        return record.qualifier

    def render_source(self, record):
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            record.source.get_absolute_url(),
            record.source.title,
            Truncator(record.source.title).chars(48),
        )

    def value_source(self, record):
        return record.source.title
