# Russian: dates as 06.04.2026, a non-breaking space between thousands (1 000).
from cooperation.formats.day_month_year import *  # noqa: F403

YEAR_MONTH_FORMAT = "F Y г."
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
