"""What Russian, Kazakh and Azerbaijani write alike: dates as 06.04.2026 (and typed so),
weeks from Monday, a decimal comma. Each language's ``formats`` module takes these and
sets what differs (the month-and-year phrase, the thousands separator)."""

DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d.m.Y H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # 06.04.2026
    "%d.%m.%y",  # 06.04.26
    "%d/%m/%Y",  # 06/04/2026
    "%Y-%m-%d",  # 2026-04-06
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
NUMBER_GROUPING = 3
