from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from . import counts, documents, keys, pairs

        pairs.connect_signals()
        counts.connect_signals()
        documents.connect_signals()
        keys.connect_signals()
