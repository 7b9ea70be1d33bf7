"""A saved view: a list page (or the explorer, or the directory's map) with its query
string, named by the user who saved it and, if they choose, open to anyone with its link."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

# The pages whose filters can be saved: URL names of the lists, the explorer and the map.
SAVABLE_PAGES = {
    "universities:institution_list": _("Institutions"),
    "universities:institution_map": _("Institutions on a map"),
    "agreements:agreement_list": _("Agreements"),
    "events:event_list": _("Events"),
    "mobility:mobility_explorer": _("Mobility explorer"),
    "mobility:scholarship_list": _("Scholarships"),
    "cooperation:source_list": _("Sources"),
    "stated_figure_list": _("Stated figures"),
}
# Query parameters that are not filters: never saved.
NOT_SAVED = ("page", "_export")


def page_of(path: str) -> str:
    """The URL name of ``path`` when it is a page whose filters can be saved, else ""."""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return match.view_name if match.view_name in SAVABLE_PAGES else ""


def new_token() -> str:
    return secrets.token_urlsafe(12)


class SavedView(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=120)
    page = models.CharField(_("page"), max_length=60, choices=list(SAVABLE_PAGES.items()))
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    public = models.BooleanField(
        _("anyone with the link"),
        default=False,
        help_text=_("Off: only you see it. On: anyone who has its link opens it."),
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Its link: opens the page with the filters, for its owner or, when public, anyone."""
        return reverse("savedviews:open", args=[self.token])

    def target_url(self) -> str:
        """The page with the saved filters."""
        url = reverse(self.page)
        return f"{url}?{self.query}" if self.query else url

    @property
    def page_label(self) -> str:
        return str(SAVABLE_PAGES.get(self.page, self.page))
