"""The same numbers and dates in French as in German (openleg/locale_formats/de_CH): one rule for the country."""

from openleg.locale_formats.de_CH.formats import (  # noqa: F401 (re-exported for Django's format lookup)
    DATE_FORMAT,
    DATETIME_FORMAT,
    DECIMAL_SEPARATOR,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
)
