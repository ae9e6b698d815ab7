"""Meter files for tests: the samples, and small SDAT and CSV documents with exactly the flaw a test needs."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from metering.parsers.base import ParsedFile, Series

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "meter"
CONSUMER = "CH10099912345000000000000000A4711"
PRODUCER = "CH10099912345000000000000000P4712"
BKW_POINT = "CH10222012345000000000000000B0815"
TOTAL, LEG, GRID = "8716867000030", "2404050010123", "2404050010124"
PRODUCT_TAG = {TOTAL: "ebIXCode", LEG: "VSENationalCode", GRID: "VSENationalCode"}


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def only(parsed: ParsedFile, direction: str = "consumption", channel: str = "total") -> Series:
    found = [s for s in parsed.series if s.direction == direction and s.channel == channel]
    assert len(found) == 1, [(s.metering_point, s.direction, s.channel) for s in parsed.series]
    return found[0]


def codes(problems: Sequence[object]) -> list[str]:
    return [problem.code for problem in problems]  # type: ignore[attr-defined]


def kwh(wh: Sequence[int] | np.ndarray) -> list[str]:
    return [f"{value // 1000}.{value % 1000:03d}" for value in np.asarray(wh).tolist()]


def observation(sequence: object, volume: str, condition: str | None = None, *, pretty: bool = False) -> str:
    gap = "\n      " if pretty else ""
    cond = f"{gap}<rsm:Condition>{condition}</rsm:Condition>" if condition is not None else ""
    return (
        f"    <rsm:Observation>{gap}<rsm:Position>{gap}<rsm:Sequence>{sequence}</rsm:Sequence>{gap}"
        f"</rsm:Position>{gap}<rsm:Volume>{volume}</rsm:Volume>{cond}{gap}</rsm:Observation>\n"
    )


def block(
    point: str | None,
    volumes: Sequence[str],
    *,
    product: str = TOTAL,
    direction: str = "consumption",
    start: str = "2026-06-14T22:00:00Z",
    end: str | None = None,
    conditions: Sequence[str | None] = (),
    sequences: Sequence[object] | None = None,
    resolution: str = "15",
    unit: str = "MIN",
    measure: str = "KWH",
    pretty: bool = False,
    extra: str = "",
    point_element: str | None = None,
) -> str:
    if end is None:
        end = datetime.fromtimestamp(utc(start).timestamp() + 900 * len(volumes), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sequences = list(range(1, len(volumes) + 1)) if sequences is None else sequences
    conditions = list(conditions) or [None] * len(volumes)
    element = point_element or ("ConsumptionMeteringPoint" if direction == "consumption" else "ProductionMeteringPoint")
    point_xml = (
        (f'    <rsm:{element}><rsm:VSENationalID schemeID="VSE">{point}</rsm:VSENationalID></rsm:{element}>\n')
        if point is not None
        else ""
    )
    tag = PRODUCT_TAG.get(product, "ebIXCode")
    return (
        "  <rsm:MeteringData>\n"
        f"    <rsm:Interval><rsm:StartDateTime>{start}</rsm:StartDateTime>"
        f"<rsm:EndDateTime>{end}</rsm:EndDateTime></rsm:Interval>\n"
        f"    <rsm:Resolution><rsm:Resolution>{resolution}</rsm:Resolution><rsm:Unit>{unit}</rsm:Unit>"
        "</rsm:Resolution>\n"
        f"{point_xml}"
        f"    <rsm:Product><rsm:ID><rsm:{tag}>{product}</rsm:{tag}></rsm:ID>"
        f"<rsm:MeasureUnit>{measure}</rsm:MeasureUnit></rsm:Product>\n"
        f"{extra}"
        + "".join(observation(s, v, c, pretty=pretty) for s, v, c in zip(sequences, volumes, conditions, strict=True))
        + "  </rsm:MeteringData>\n"
    )


def document(*blocks: str, root: str = "ValidatedMeteredData_16", header: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rsm:{root} xmlns:rsm="http://www.strom.ch">\n{header}' + "".join(blocks) + f"</rsm:{root}>\n"
    ).encode()


BKW_HEADER = "\ufeffMesspunkt;Datum;Strombezug [kWh];Stromeinspeisung [kWh];Messdatengüte"


def bkw_csv(rows: Sequence[Sequence[str]]) -> bytes:
    return ("\r\n".join([BKW_HEADER, *(";".join(row) for row in rows)]) + "\r\n").encode()


def ekz_csv(rows: Sequence[Sequence[str]]) -> bytes:
    return ("\r\n".join(["sep=;", "Zeitraum;HT [kWh];NT [kWh]", *(";".join(row) for row in rows)]) + "\r\n").encode()


def last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# Plain random dates seldom hit a clock change: draw the last Sundays of March and October as often.
days_with_and_without_clock_changes = st.one_of(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.builds(last_sunday, st.integers(2000, 2100), st.sampled_from([3, 10])),
)
