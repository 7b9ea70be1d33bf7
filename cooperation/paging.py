"""How many rows a page of a list may hold: one rule for the list pages (``?per_page=``)
and the API (``?page_size=``).

A page size is a whole number from 1 to ``MAX_PAGE_SIZE``; anything else is refused with the
message below (a 400), never served at another size nor left to the paginator (``per_page=0``
divided by zero, ``per_page=-1`` was a 500). Exports are not pages: they carry every
filtered row whatever the size.

This module imports nothing of DRF's: ``api_defaults`` (which DRF imports while it loads)
uses it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The most rows one page of a list page or an API list may hold.
MAX_PAGE_SIZE = 1000


def page_size(raw: str | None, *, default: int) -> int:
    """The page size asked for by the query parameter's value ``raw`` (``default`` when it
    is absent or empty); raises ``ValidationError`` when it is not a whole number from 1 to
    ``MAX_PAGE_SIZE``."""
    if raw is None or raw == "":
        return default
    try:
        size = int(raw)
    except (TypeError, ValueError):
        size = None
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError(
            _("Give a whole number of rows per page from 1 to %(max)d."),
            code="page_size",
            params={"max": MAX_PAGE_SIZE},
        )
    return size
