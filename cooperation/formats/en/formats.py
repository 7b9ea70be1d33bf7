# English: Django's own formats, but short dates in ISO 8601 (not the US month/day/year).
DATE_FORMAT = "N j, Y"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-04-06
    "%d.%m.%Y",  # 06.04.2026
    "%d/%m/%Y",  # 06/04/2026
    "%d %b %Y",  # 6 Apr 2026
    "%d %B %Y",  # 6 April 2026
    "%b %d, %Y",  # Apr 6, 2026
    "%B %d, %Y",  # April 6, 2026
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
