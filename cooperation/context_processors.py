from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from agreements.visibility import may_enter_in_bulk

from .roles import role_labels

# Stated figures are reached from the dashboard and the sources they come from (one more
# entry wrapped the menu at 1400 px in Russian and Kazakh).
NAVIGATION = [
    ("dashboard", _("Dashboard")),
    ("universities:institution_list", _("Institutions")),
    ("agreements:agreement_list", _("Agreements")),
    ("events:event_list", _("Events")),
    ("mobility:mobility_explorer", _("Mobility")),
    ("mobility:scholarship_list", _("Scholarships")),
    ("cooperation:source_list", _("Sources")),
]


def navigation(request: HttpRequest) -> dict:
    """The main menu, with the section of the current page marked."""
    items = []
    for url_name, label in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "active": active})
    return {
        # The reader's number separators, for the charts (static/js/numbers.js).
        "number_format": {
            "thousands": get_format("THOUSAND_SEPARATOR"),
            "decimal": get_format("DECIMAL_SEPARATOR"),
        },
        "nav_items": items,
        "focus_pair": settings.UNIBRIDGE_FOCUS_PAIR,
        "may_enter_in_bulk": may_enter_in_bulk(getattr(request, "user", None)),
        # The signed-in user's roles beside their name in the header.
        "user_roles": role_labels(getattr(request, "user", None)),
    }
