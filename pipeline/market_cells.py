"""Reading one cell of a market data file: each function returns the value or raises CellError with a German
message; the importer adds the line and the column."""

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from pipeline.cantons import Canton

MAX_POPULATION = 10_000_000
MAX_FIGURE = Decimal("99999999999.9")  # DecimalField(max_digits=12, decimal_places=1)


class CellError(Exception):
    pass


def text_cell(max_length: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise CellError(_("Der Text ist länger als %(limit)s Zeichen.") % {"limit": max_length})
        return raw

    return parse


def pattern_cell(regex: str, message: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if not re.fullmatch(regex, raw):
            raise CellError(message % {"value": raw})
        return raw

    return parse


def canton_cell(raw: str) -> str:
    code = raw.upper()
    if code not in Canton.values:
        raise CellError(_("«%(value)s» ist kein Kantonskürzel (z. B. ZH, BE, AG).") % {"value": raw})
    return code


def bfs_number_cell(raw: str) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise CellError(
            _("«%(value)s» ist keine BFS-Nummer (eine ganze Zahl von 1 bis 9999).") % {"value": raw}
        ) from None
    if not 1 <= number <= 9999:
        raise CellError(_("Die BFS-Nummer %(value)s liegt nicht zwischen 1 und 9999.") % {"value": raw})
    return number


def figure_cell(raw: str) -> Decimal:
    """A non-negative number; Swiss thousands separators (1'234) and a decimal comma are accepted."""
    text = re.sub(r"['’\s]", "", raw)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise CellError(_("«%(value)s» ist keine Zahl.") % {"value": raw})
    if value < 0:
        raise CellError(_("«%(value)s» ist negativ; erlaubt sind nur Werte ab 0.") % {"value": raw})
    return value


def bounded(value: Decimal, raw: str, maximum: Decimal | int) -> Decimal:
    if value > maximum:
        raise CellError(_("«%(value)s» ist grösser als %(maximum)s.") % {"value": raw, "maximum": maximum})
    return value


def count_cell(raw: str) -> int:
    value = bounded(figure_cell(raw), raw, MAX_POPULATION)
    if value != value.to_integral_value():
        raise CellError(_("«%(value)s» ist keine ganze Zahl.") % {"value": raw})
    return int(value)


def amount_cell(raw: str) -> Decimal:
    return bounded(figure_cell(raw), raw, MAX_FIGURE).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_cell(raw: str) -> Decimal:
    value = figure_cell(raw)
    if value > 1:
        raise CellError(_("Der Anteil «%(value)s» liegt nicht zwischen 0 und 1.") % {"value": raw})
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
