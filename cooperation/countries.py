"""Country names in every interface language.

django-countries translates its names into Russian but has no Kazakh or Azerbaijani
catalogue; for those languages the names come from the Unicode CLDR as Babel ships it
(``Қазақстан``, ``Azərbaycan``). settings.COUNTRIES_OVERRIDE hands django-countries these
lazy names, so every form, filter, page, export and API answer that names a country uses
them, in the language active when the name is read."""

from functools import cache

from babel import Locale
from django.utils.functional import lazy
from django.utils.translation import get_language
from django_countries.data import COUNTRIES

# Interface languages whose country names django-countries does not translate.
CLDR_LANGUAGES = frozenset({"kk", "az"})


@cache
def _cldr_territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def country_name(code: str) -> str:
    """The name of the country ``code`` in the active language."""
    language = (get_language() or "en").split("-")[0]
    if language in CLDR_LANGUAGES:
        name = _cldr_territories(language).get(code)
        if name:
            return name
    return str(COUNTRIES[code])


def localized_country_names() -> dict[str, str]:
    """Every country's name, each read lazily in the active language."""
    lazy_name = lazy(country_name, str)
    return {code: lazy_name(code) for code in COUNTRIES}
