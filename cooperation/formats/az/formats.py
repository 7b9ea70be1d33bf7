# Azerbaijani: dates as 06.04.2026, thousands grouped with a dot (1.000) as the Unicode
# CLDR writes them, so the charts (Intl.NumberFormat("az")) and the pages agree.
from cooperation.formats.day_month_year import *  # noqa: F403

YEAR_MONTH_FORMAT = "F Y"
THOUSAND_SEPARATOR = "."
