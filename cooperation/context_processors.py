import contextlib

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
# The editing menu's items (templates/reader/site_header.html draws them for those who may
# use them), each with the pages it stands for: the imports of every kind are one item.
EDITING = {
    "signing_session": ("agreements:signing_session",),
    "intake": ("intake:article_intake",),
    "import": ("agreements:import", "mobility:import"),
    "changes": ("accounts:recent_changes",),
}


def current_menu_item(path: str, sections: dict[str, list[str]]) -> str | None:
    """The one menu item a page belongs to: the item with the longest address the page's
    path starts with (/mobility/scholarships/ is Scholarships, not Mobility as well); the
    dashboard's "/" only for itself. ``sections``: each item's key and its addresses."""
    best, best_length = None, 0
    for key, urls in sections.items():
        for url in urls:
            matches = path == url if url == "/" else path.startswith(url)
            if matches and len(url) > best_length:
                best, best_length = key, len(url)
    return best


def _reversed(url_names) -> list[str]:
    urls = []
    for url_name in url_names:
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse(url_name))
    return urls


def navigation(request: HttpRequest) -> dict:
    """The main menu, with the item of the current page marked (``current_menu_item``)."""
    main = {url_name: _reversed([url_name]) for url_name, _label in NAVIGATION}
    sections = {**main, **{key: _reversed(names) for key, names in EDITING.items()}}
    current = current_menu_item(request.path, sections)
    items = [
        {"url": main[url_name][0], "label": label, "active": url_name == current}
        for url_name, label in NAVIGATION
        if main[url_name]
    ]
    return {
        # The reader's number separators, for the charts (static/js/numbers.js).
        "number_format": {
            "thousands": get_format("THOUSAND_SEPARATOR"),
            "decimal": get_format("DECIMAL_SEPARATOR"),
        },
        "nav_items": items,
        # The editing menu's current item, if the page is one of them (EDITING).
        "menu_current": current if current in EDITING else None,
        "focus_pair": settings.UNIBRIDGE_FOCUS_PAIR,
        "may_enter_in_bulk": may_enter_in_bulk(getattr(request, "user", None)),
        # The signed-in user's roles beside their name in the header.
        "user_roles": role_labels(getattr(request, "user", None)),
    }
