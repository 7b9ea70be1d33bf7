from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SavedViewsConfig(AppConfig):
    """Named views: a list's or the explorer's filters saved by name, shared by link."""

    name = "savedviews"
    verbose_name = _("Saved views")
    default_auto_field = "django.db.models.BigAutoField"
