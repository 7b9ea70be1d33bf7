import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cooperation.tables import secondary
from cooperation.translations import in_its_language, localized_order

from .models import Event


class EventTable(tables.Table):
    title = tables.Column(verbose_name=_("Event"), linkify=True)
    # On a phone: the event, its date, country and status (cooperation.tables).
    kind = tables.Column(verbose_name=_("Kind"), attrs=secondary())
    start_date = tables.Column(verbose_name=_("Date"))
    city = tables.Column(verbose_name=_("City"), attrs=secondary())
    country = tables.Column(verbose_name=_("Country"))
    host_institution = tables.Column(verbose_name=_("Host"), linkify=True, attrs=secondary())
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = Event
        fields = ("title", "kind", "start_date", "city", "country", "host_institution", "status")
        empty_text = _("No events match.")

    def order_title(self, queryset, is_descending):
        """By the title shown (``cooperation.translations``), in the reader's alphabet."""
        order = localized_order("title")
        return queryset.order_by(order.desc() if is_descending else order.asc(), "pk"), True

    def render_title(self, record):
        return in_its_language(record.localized_title())

    def order_city(self, queryset, is_descending):
        order = localized_order("city")
        return queryset.order_by(order.desc() if is_descending else order.asc(), "pk"), True

    def render_city(self, record):
        return in_its_language(record.localized_city())

    def render_host_institution(self, record):
        return in_its_language(record.host_institution.localized_name())

    def render_start_date(self, record):
        return record.date_display

    def render_country(self, record):
        return record.country.name

    def value_country(self, record):
        return record.country.code

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>', record.status, record.get_status_display()
        )

    def value_status(self, record):
        return record.status
