import django_tables2 as tables
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from cooperation.collation import InLanguageOrder
from cooperation.tables import secondary
from cooperation.translations import in_its_language, localized_order

from .models import Institution


class InstitutionTable(tables.Table):
    name = tables.Column(verbose_name=_("Institution"), linkify=True)
    # On a phone: the name, country and counts (cooperation.tables).
    kind = tables.Column(verbose_name=_("Kind"), attrs=secondary())
    country = tables.Column(verbose_name=_("Country"))
    city = tables.Column(verbose_name=_("City"), attrs=secondary())
    partner_count = tables.Column(
        verbose_name=_("Partners"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    agreement_count = tables.Column(
        verbose_name=_("Agreements"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    ror_id = tables.Column(verbose_name=_("ROR id"), visible=False)
    website = tables.Column(verbose_name=_("Website"), visible=False)

    class Meta:
        model = Institution
        fields = (
            "name",
            "kind",
            "country",
            "city",
            "partner_count",
            "agreement_count",
            "ror_id",
            "website",
        )
        order_by = ("name",)
        empty_text = _("No institutions match.")

    def order_name(self, queryset, is_descending):
        """By the name shown (InstitutionQuerySet.with_display_name), in the reader's
        alphabet."""
        if "display_name" not in queryset.query.annotations:
            queryset = queryset.with_display_name()
        order = InLanguageOrder(F("display_name"))
        return queryset.order_by(order.desc() if is_descending else order.asc(), "pk"), True

    def render_name(self, record, value):
        return in_its_language(record.localized_name())

    def order_city(self, queryset, is_descending):
        """By the city shown (``cooperation.translations``), in the reader's alphabet."""
        order = localized_order("city")
        return queryset.order_by(order.desc() if is_descending else order.asc(), "pk"), True

    def render_city(self, record):
        return in_its_language(record.localized_city())

    def render_country(self, record):
        return record.country.name

    def value_country(self, record):
        return record.country.code
