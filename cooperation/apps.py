from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation register")

    def ready(self):
        from .lookups import install
        from .register_cache import connect_signals

        connect_signals()
        install()
