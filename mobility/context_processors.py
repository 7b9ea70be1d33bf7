"""The spreadsheet imports a signed-in user may run, for the menu.

It lives here because mobility is the top of the app order (universities <- events <-
agreements <- mobility): it may name both importers without importing upwards.
"""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


def _links(user) -> list[tuple[str, str, str]]:
    from agreements.imports import IMPORTER as AGREEMENTS
    from mobility.imports import IMPORTER as FIGURES

    links = []
    for importer, label in ((AGREEMENTS, _("Agreements")), (FIGURES, _("Mobility figures"))):
        if importer.allowed(user):
            links.append((importer.kind, importer.url("import"), label))
    return links


def imports(request: HttpRequest) -> dict:
    """``import_links``: (kind, url, label) of each import the user may run; evaluated only
    when a template reads it, and empty for visitors who are not signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"import_links": []}
    return {"import_links": SimpleLazyObject(lambda: _links(user))}
