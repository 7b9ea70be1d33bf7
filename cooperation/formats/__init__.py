"""Number and date formats per interface language (settings.FORMAT_MODULE_PATH).

Dates show as the reader writes them (ru, kk, az: 06.04.2026; en: 2026-04-06 in short
form), numbers with the reader's thousand separator where a template asks for grouping
(``|intcomma``), and every date input takes the local form as well as ISO 8601, which
Django always accepts."""
