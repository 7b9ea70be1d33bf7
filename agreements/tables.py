import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cooperation.tables import secondary
from cooperation.translations import in_its_language, localized_order

from .models import Agreement


class AgreementTable(tables.Table):
    # render_title draws the link (and the renewal's): linkify would nest a second one.
    title = tables.Column(verbose_name=_("Agreement"))
    parties = tables.Column(verbose_name=_("Parties"), empty_values=(), orderable=False)
    # On a phone: the agreement, its parties, status and end date (cooperation.tables).
    kind = tables.Column(verbose_name=_("Kind"), attrs=secondary())
    level = tables.Column(verbose_name=_("Level"), visible=False)
    status = tables.Column(verbose_name=_("Status"))
    signed_on = tables.Column(verbose_name=_("Signed"), attrs=secondary())
    # When it takes effect: a renewal signed now may start years later (not yet in force).
    valid_from = tables.Column(verbose_name=_("Valid from"), attrs=secondary())
    valid_until = tables.Column(verbose_name=_("Valid until"))
    event = tables.Column(verbose_name=_("Event"), linkify=True, attrs=secondary())
    reference_code = tables.Column(verbose_name=_("Reference"), visible=False)

    class Meta:
        model = Agreement
        fields = (
            "title", "parties", "kind", "level", "status", "signed_on", "valid_from", "valid_until",
            "event", "reference_code",
        )  # fmt: skip
        empty_text = _("No agreements match.")

    def order_title(self, queryset, is_descending):
        """By the title shown (``cooperation.translations``), in the reader's alphabet."""
        order = localized_order("title")
        return queryset.order_by(order.desc() if is_descending else order.asc(), "pk"), True

    def render_title(self, record, value):
        # A renewal says what it renews (Agreement.renewal_display), beside the parties column.
        title = in_its_language(record.localized_title())
        link = format_html('<a href="{}">{}</a>', record.get_absolute_url(), title)
        if not record.renews_id:
            return link
        return format_html(
            '{}<br><a class="agreement-renewal" href="{}">{}</a>',
            link,
            record.renews.get_absolute_url(),
            record.renewal_display,
        )

    def render_parties(self, record):
        return format_html_join(
            "; ",
            '<a href="{}">{}</a> <span class="muted">({})</span>',
            (
                (
                    party.institution.get_absolute_url(),
                    in_its_language(party.institution.localized_name()),
                    party.institution.country.code,
                )
                for party in record.parties.all()
            ),
        )

    def value_parties(self, record):
        return "; ".join(
            f"{party.institution.name} ({party.institution.country.code})"
            for party in record.parties.all()
        )

    def render_status(self, record):
        badge = format_html(
            '<span class="badge {}">{}</span>', record.status, record.get_status_display()
        )
        if record.is_public:
            return badge
        # Only readers who see non-public agreements ever get such a row.
        return format_html('{} <span class="badge not-public">{}</span>', badge, _("not public"))

    def value_status(self, record):
        return record.status

    def render_signed_on(self, record):
        return record.signed_on_display

    def render_valid_until(self, record, value):
        return value
