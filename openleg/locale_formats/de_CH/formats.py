"""Django's own display of numbers and dates (admin cells and read-only fields, the date filter's defaults) in the
rule of openleg.formats: 1'234.50, 07.12.2026, 07.12.2026 14:05. Entry formats stay Django's (DATE_INPUT_FORMATS)."""

DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = "'"
NUMBER_GROUPING = 3
