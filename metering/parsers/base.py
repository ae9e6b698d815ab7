"""What every meter-file parser returns: UTC quarter-hour series in integer mWh, and what is wrong.

Pure Python (numpy only): no Django, no settings, so parsers can be tested and benchmarked alone.
"""

import enum
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import numpy as np

Direction = Literal["consumption", "production"]
Channel = Literal["total", "leg", "grid"]

SLOT = timedelta(minutes=15)
METERING_POINT_ID = re.compile(r"CH\d{6}[0-9A-Z-]{25}")


class Quality(enum.IntEnum):
    """Stored per slot as uint8."""

    MISSING = 0  # slot not delivered (a gap)
    MEASURED = 1  # validated / measured value (no Condition, BKW "W", plain CSV)
    PROVISIONAL = 2  # SDAT Condition 21
    ESTIMATED = 3  # SDAT Condition 56 or other substitute marks (BKW quality other than W)


@dataclass(frozen=True)
class Problem:
    code: str  # stable machine code, e.g. "negative_value"
    location: str  # where in the file, e.g. "line 14, column 'Strombezug [kWh]'"
    message: str  # English sentence with the offending value
    params: Mapping[str, str] = field(default_factory=dict)  # the values in the message, for translations


# eq=False: numpy arrays have no single truth value, so field-wise equality would raise.
@dataclass(frozen=True, eq=False)
class Series:
    metering_point: str | None  # 33-character id; None for formats that carry none until the caller supplies it
    direction: Direction
    channel: Channel
    start: datetime  # aware UTC, interval start of the first slot, on a quarter-hour
    values_mwh: np.ndarray  # int64 milliwatt-hours per slot, contiguous slots from start
    quality: np.ndarray  # uint8 Quality per slot; MISSING (value 0) where a slot inside the range was not delivered

    def __post_init__(self) -> None:
        if self.start.utcoffset() != timedelta(0):
            raise ValueError(f"series start {self.start!r} is not aware UTC")
        if self.start.minute % 15 or self.start.second or self.start.microsecond:
            raise ValueError(f"series start {self.start.isoformat()} is not on a quarter-hour")
        if self.values_mwh.dtype != np.int64 or self.quality.dtype != np.uint8:
            raise ValueError("values_mwh must be int64 and quality uint8")
        if self.values_mwh.shape != self.quality.shape or self.values_mwh.ndim != 1:
            raise ValueError("values_mwh and quality must be one-dimensional and of the same length")

    @property
    def end(self) -> datetime:
        return self.start + SLOT * len(self.values_mwh)

    @property
    def intervals(self) -> int:
        """Number of delivered slots."""
        return int(np.count_nonzero(self.quality != Quality.MISSING))

    @property
    def total_mwh(self) -> int:
        return int(self.values_mwh[self.quality != Quality.MISSING].sum())


@dataclass(frozen=True)
class ParsedFile:
    format: str  # "sdat-e66", "sdat-e31", "ekz", "ewz", "ckw", "bkw", "iwb", "aew", "generic" ("unknown" if none)
    series: tuple[Series, ...]
    problems: tuple[Problem, ...]  # errors: the file must be rejected when there is any
    warnings: tuple[Problem, ...]  # informational: provisional values, gaps, incomplete days
    meta: Mapping[str, str]


class Issues:
    """Collects problems and warnings; past a cap per code the rest are only counted.

    A broken column in a year-long file would otherwise produce 35,040 identical messages.
    """

    CAP = 50
    SHOWN = 1000  # characters of a value (or a location) a problem quotes

    def __init__(self) -> None:
        self._problems: list[Problem] = []
        self._warnings: list[Problem] = []
        self._seen: Counter[tuple[bool, str]] = Counter()

    def problem(self, code: str, location: str, message: str, **params: object) -> None:
        self._add(self._problems, True, code, location, message, params)

    def warning(self, code: str, location: str, message: str, **params: object) -> None:
        self._add(self._warnings, False, code, location, message, params)

    def problem_each(
        self,
        code: str,
        items: Sequence[int],
        describe: Callable[[int], tuple[str, str, Mapping[str, object]]],
    ) -> None:
        """One problem per item; only the first ones are described, which keeps a broken column cheap."""
        self._each(True, code, items, describe)

    def warning_each(
        self,
        code: str,
        items: Sequence[int],
        describe: Callable[[int], tuple[str, str, Mapping[str, object]]],
    ) -> None:
        """One warning per item, described as in ``problem_each``."""
        self._each(False, code, items, describe)

    def _each(
        self,
        is_problem: bool,
        code: str,
        items: Sequence[int],
        describe: Callable[[int], tuple[str, str, Mapping[str, object]]],
    ) -> None:
        target = self._problems if is_problem else self._warnings
        for done, item in enumerate(items):
            if self._seen[(is_problem, code)] >= self.CAP:
                self._seen[(is_problem, code)] += len(items) - done
                return
            location, message, params = describe(int(item))
            self._add(target, is_problem, code, location, message, params)

    def has_problem(self, code: str) -> bool:
        return self._seen[(True, code)] > 0

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self._problems) + self._overflow(True)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(self._warnings) + self._overflow(False)

    def _add(
        self,
        target: list[Problem],
        is_problem: bool,
        code: str,
        location: str,
        message: str,
        params: Mapping[str, object],
    ) -> None:
        self._seen[(is_problem, code)] += 1
        if self._seen[(is_problem, code)] <= self.CAP:
            shown = {key: str(value) for key, value in params.items()}
            for key, value in shown.items():
                if len(value) > self.SHOWN:  # a broken file can make one "cell" of megabytes: quote its start
                    shown[key] = _clip(value, self.SHOWN)
                    message = message.replace(value, shown[key])
            target.append(Problem(code, _clip(location, self.SHOWN), _clip(message, 4 * self.SHOWN), shown))

    def _overflow(self, is_problem: bool) -> tuple[Problem, ...]:
        return tuple(
            Problem(
                code,
                "further locations",
                f"{seen - self.CAP} more of this kind are not listed.",
                {"count": str(seen - self.CAP)},
            )
            for (kind, code), seen in self._seen.items()
            if kind is is_problem and seen > self.CAP
        )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def check_metering_point(value: str, location: str, issues: Issues) -> bool:
    if METERING_POINT_ID.fullmatch(value):
        return True
    issues.problem(
        "bad_metering_point_id",
        location,
        f"'{value}' is not a metering point id (CH, 6 digits, 25 letters or digits).",
        value=value,
    )
    return False
