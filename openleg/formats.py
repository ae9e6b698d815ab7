"""How numbers, amounts and times look where people read them: every screen, document, e-mail and console text.

Swiss style: a point before the decimals, an apostrophe between thousands (1'234.50); CHF always to the Rappen,
energy in kWh to three decimals, power in kW and prices in Rp./kWh to the precision the value carries (prices at
least two decimals), percentages with one decimal; dates dd.mm.yyyy and times in Europe/Zurich. Rounding is
commercial (half away from zero) and a value that rounds to zero never shows a minus sign.

Machines get plain exact values instead (``str(Decimal)``, ISO dates, ISO UTC times): nothing here belongs in
JSON, CSV meant for programs, or files for banks. Django's own display in the admin follows the same rule through
``openleg/locale_formats`` (see settings).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from openleg.energy import wh_to_kwh
from openleg.money import round_chf
from openleg.periods import ZURICH, as_utc


def swiss_number(value: Decimal | int, places: int) -> str:
    """``value`` with exactly ``places`` decimals, rounded half away from zero: swiss_number(Decimal("1234.5"), 2) ==
    "1'234.50"."""
    quantized = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0  # + 0: no "-0.00"
    return f"{quantized:,}".replace(",", "'")


def places_carried(value: Decimal | int, at_least: int) -> int:
    """How many decimals ``value`` carries, at least ``at_least``: 18.5000 → 2, 22.125 → 3 (with at_least 2)."""
    return max(at_least, -Decimal(value).normalize().as_tuple().exponent)


def swiss_number_at_least(value: Decimal | int, places: int) -> str:
    """At least ``places`` decimals, more where ``value`` has them (22.125, a key of 0.333333)."""
    return swiss_number(value, places_carried(value, places))


def format_chf(amount: Decimal) -> str:
    """An amount in CHF, rounded to the Rappen, without the currency (a column or sentence says CHF): 1'234.50."""
    return swiss_number(round_chf(amount), 2)


def format_chf_text(amount: Decimal) -> str:
    """An amount with its currency: CHF 1'234.50, CHF -0.35."""
    return f"CHF {format_chf(amount)}"


def format_price(value: Decimal) -> str:
    """A unit price (Rp./kWh, or CHF per unit): two decimals, more where the price has them (18.50, 22.125)."""
    return swiss_number_at_least(value, 2)


def format_rp_per_kwh(value: Decimal) -> str:
    """A price per kWh with its unit: 18.50 Rp./kWh."""
    return f"{format_price(value)} Rp./kWh"


def format_kwh_value(value: Decimal) -> str:
    """Energy given in kWh: three decimals (3'613.200)."""
    return swiss_number(value, 3)


def format_kwh_of_mwh(mwh: int) -> str:
    """Energy given as integer mWh (meter data), shown in kWh: 1'023.114."""
    return swiss_number(Decimal(int(mwh)) / 1_000_000, 3)  # int(): numpy integers too


def format_kwh(wh: int) -> str:
    """Energy given as integer Wh (how it is kept inside), shown in kWh: 12'345.678."""
    return swiss_number(wh_to_kwh(wh), 3)


def format_quantity_number(value: Decimal, unit: str) -> str:
    """The quantity of an invoice or statement line where a column names the unit: kWh to three decimals (3'613.200),
    other units as the value carries (1, 0.5)."""
    return format_kwh_value(value) if unit == "kWh" else swiss_number_at_least(value, 0)


def format_quantity(value: Decimal, unit: str) -> str:
    """The quantity of an invoice or statement line with its unit: 3'613.200 kWh, 1 Monat."""
    return f"{format_quantity_number(value, unit)} {unit}".strip()


def format_unit_price(value: Decimal, unit: str) -> str:
    """The unit price of a line: per kWh in Rp. (18.50 Rp./kWh), per other unit in CHF (CHF 2.50)."""
    return format_rp_per_kwh(value) if unit == "kWh" else f"CHF {format_price(value)}"


def format_kw(value: Decimal) -> str:
    """A power or capacity in kW or kWp as the value carries it: 25, 12.5, 1'500, 9.81."""
    return swiss_number_at_least(value, 0)


def format_percent(value: Decimal) -> str:
    """A percentage given in percent (40 means 40 %), with one decimal and the sign: 40.0 %."""
    return f"{swiss_number(value, 1)} %"


def format_key_weight(value: Decimal) -> str:
    """An allocation key as recorded: two decimals at least (0.25, 0.333333)."""
    return swiss_number_at_least(value, 2)


def format_day(value: date | datetime) -> str:
    """A calendar day as dd.mm.yyyy; a moment is first taken to its day in Europe/Zurich."""
    if isinstance(value, datetime):
        value = _zurich(value)
    return f"{value:%d.%m.%Y}"


def format_moment(value: datetime | str) -> str:
    """A point in time in Europe/Zurich: 07.12.2026 14:05; also from the ISO text machines get
    ("2026-12-07T13:05:00Z")."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{_zurich(value):%d.%m.%Y %H:%M}"


def format_span(start: datetime | str, end: datetime | str) -> str:
    """A stretch of time in Europe/Zurich, such as the local hours a UTC day of meter data covers:
    01.03.2026 01:00 – 02.03.2026 01:00."""
    return f"{format_moment(start)} – {format_moment(end)}"


def _zurich(value: datetime) -> datetime:
    return as_utc(value).astimezone(ZURICH)  # as_utc refuses a naive datetime
