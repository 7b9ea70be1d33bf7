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
        sort_countries_by_collation()


def sort_countries_by_collation() -> None:
    """django-countries sorts its names by pyuca when installed, else by their ASCII letters
    only, which leaves Cyrillic names unsorted: sort them in the reader's alphabet
    (cooperation.collation) instead."""
    import django_countries

    from .collation import sort_key

    django_countries.sort_key = lambda item: sort_key(item[1])
