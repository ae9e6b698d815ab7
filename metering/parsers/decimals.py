"""Exact decimal parsing of whole columns: kWh text to integer mWh without binary floating point.

A value is read digit by digit into an integer of millionths, so "0.065" kWh is 65,000 mWh exactly and a
value with more than six (non-zero) decimals is refused rather than rounded.
"""

import enum
from dataclasses import dataclass

import numpy as np

from metering.parsers.cells import Cells

MICRO = 1_000_000
_MAX_WIDTH = 40
_MAX_INTEGER_DIGITS = 9
_SPACE, _TAB, _MINUS, _ZERO = 32, 9, 45, 48


class NumberStatus(enum.IntEnum):
    OK = 0
    EMPTY = 1
    NOT_A_NUMBER = 2
    TOO_PRECISE = 3
    TOO_LARGE = 4


_OK = int(NumberStatus.OK)  # a plain int: member lookups on an enum class are slow, and blocks are many
REASONS = {
    NumberStatus.NOT_A_NUMBER: "is not a number",
    NumberStatus.TOO_PRECISE: "has more than 6 decimals",
    NumberStatus.TOO_LARGE: "is too large",
}


@dataclass(frozen=True, eq=False)
class Decimals:
    micro: np.ndarray  # int64: the value times 10**6 (kWh in, mWh out)
    status: np.ndarray  # uint8 NumberStatus

    @property
    def ok(self) -> np.ndarray:
        return self.status == _OK

    def take(self, index: np.ndarray | slice) -> "Decimals":
        return Decimals(self.micro[index], self.status[index])


def parse_decimals(cells: Cells, *, decimal_comma: bool = False) -> Decimals:
    """Parse every cell as a decimal number; blanks around a number are allowed, thousands separators not."""
    mark = ord(",") if decimal_comma else ord(".")
    plain = _parse_plain(cells, mark)
    return plain if plain is not None else _parse_any(cells, mark)


def _parse_plain(cells: Cells, mark: int) -> Decimals | None:
    """The usual column — unsigned numbers such as 0.065, or empty cells — with half the work; else None."""
    lengths = cells.lengths
    width = int(lengths.max(initial=0))
    if width > _MAX_INTEGER_DIGITS + 7:
        return None
    buffer = cells.buffer
    value = np.zeros(len(cells), np.int64)
    decimals = np.zeros(len(cells), np.int64)
    seen_mark = np.zeros(len(cells), bool)
    for column in range(width):
        active = lengths > column
        char = buffer.take(cells.start + column, mode="clip")
        digit = (char - np.uint8(_ZERO)) < 10
        is_mark = char == mark
        if not (digit | is_mark | ~active).all() or (is_mark & seen_mark & active).any():
            return None
        digit &= active
        decimals += digit & seen_mark
        seen_mark |= is_mark & active
        value = np.where(digit, value * 10 + (char - np.uint8(_ZERO)), value)
    integer_digits = lengths - decimals - seen_mark
    if (
        (decimals > 6).any()
        or (integer_digits > _MAX_INTEGER_DIGITS).any()
        or ((lengths > 0) & (lengths == seen_mark)).any()
    ):
        return None
    status = np.where(lengths == 0, NumberStatus.EMPTY, NumberStatus.OK).astype(np.uint8)
    return Decimals(value * 10 ** (6 - decimals), status)


def _parse_any(cells: Cells, mark: int) -> Decimals:
    count = len(cells)
    buffer = cells.buffer
    last = max(len(buffer) - 1, 0)
    lengths = cells.lengths
    width = min(int(lengths.max(initial=0)), _MAX_WIDTH)

    value = np.zeros(count, np.int64)
    decimals = np.zeros(count, np.int64)
    integer_digits = np.zeros(count, np.int64)
    started, ended, seen_mark, seen_digit, negative, invalid, imprecise = (np.zeros(count, bool) for _ in range(7))
    for column in range(width):
        char = np.where(lengths > column, buffer[np.minimum(cells.start + column, last)], _SPACE)
        blank = (char == _SPACE) | (char == _TAB)
        digit = (char - np.uint8(_ZERO)) < 10
        is_mark = char == mark
        minus = char == _MINUS
        invalid |= ~(blank | digit | is_mark | minus) | (ended & ~blank) | (minus & started) | (is_mark & seen_mark)
        negative |= minus
        ended |= started & blank
        in_fraction = digit & seen_mark
        decimals += in_fraction
        imprecise |= in_fraction & (decimals > 6) & (char != _ZERO)
        integer_digits += digit & ~seen_mark
        kept = digit & ~(in_fraction & (decimals > 6))
        value = np.where(kept, value * 10 + (char.astype(np.int64) - _ZERO), value)
        seen_mark |= is_mark
        seen_digit |= digit
        started |= ~blank

    status = np.full(count, NumberStatus.OK, np.uint8)
    status[imprecise] = NumberStatus.TOO_PRECISE
    status[integer_digits > _MAX_INTEGER_DIGITS] = NumberStatus.TOO_LARGE
    status[invalid | (started & ~seen_digit) | (lengths > _MAX_WIDTH)] = NumberStatus.NOT_A_NUMBER
    status[~started & (lengths <= _MAX_WIDTH)] = NumberStatus.EMPTY
    scale = 10 ** (6 - np.minimum(decimals, 6))
    micro = np.where(negative, -value, value) * scale
    return Decimals(np.where(status == NumberStatus.OK, micro, 0), status)


def kwh_text(mwh: int) -> str:
    """mWh as kWh with at least three decimals and no trailing noise: 13_607_750 → "13.60775"."""
    sign = "-" if mwh < 0 else ""
    whole, fraction = divmod(abs(mwh), MICRO)
    digits = f"{fraction:06d}".rstrip("0").ljust(3, "0")
    return f"{sign}{whole}.{digits}"
