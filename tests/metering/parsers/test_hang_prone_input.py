"""Inputs that invite super-linear time or memory: each returns its problems quickly, with little memory.

Sizes are small but telling: the time limits are generous for the linear code and far below what the
quadratic code took on the same input (noted per test), so they catch a regression without being flaky.
"""

import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from metering import parsers
from metering.parsers import GenericMapping
from tests.metering.parsers.builders import BKW_HEADER, BKW_POINT, CONSUMER, TOTAL, bkw_csv, block, document

LABEL = f"MeteringData #1 ({CONSUMER}, {TOTAL})"


@contextmanager
def within(seconds: float) -> Iterator[None]:
    started = time.perf_counter()
    yield
    assert time.perf_counter() - started < seconds


@contextmanager
def at_most_mb(megabytes: float) -> Iterator[None]:
    tracemalloc.start()  # numpy reports its arrays to tracemalloc
    try:
        yield
        assert tracemalloc.get_traced_memory()[1] < megabytes * 1e6
    finally:
        tracemalloc.stop()


def located(parsed: parsers.ParsedFile) -> list[tuple[str, str]]:
    return [(problem.code, problem.location) for problem in parsed.problems]


def test_five_megabytes_on_one_line():
    with within(2):
        parsed = parsers.parse(b"0;" * 2_500_000)
    assert located(parsed) == [("unknown_format", "file")]


def test_five_megabytes_on_one_line_below_a_known_header():
    with within(2):
        parsed = parsers.parse((BKW_HEADER + "\n").encode() + b"x" * 5_000_000 + b"\n")
    assert located(parsed) == [("bad_row", "line 2")]


def test_a_quote_that_never_closes_runs_into_the_field_limit():
    with within(2):
        parsed = parsers.parse((BKW_HEADER + "\n").encode() + b'"' + b"x;" * 1_000_000, format="bkw")
    assert located(parsed) == [("field_too_long", "line 2")]


def test_a_long_run_of_blanks_in_a_timestamp():
    # "\s*(?:offset)?\s*" backtracked over the blanks: 13 s for these 50,000
    rows = [[BKW_POINT, "15.6.2026 00:00:00" + " " * 50_000 + "x", "0.1", "0.0", "W"]]
    with within(1):
        parsed = parsers.parse(bkw_csv(rows))
    assert located(parsed) == [("bad_timestamp", "line 2, column 'Datum'")]


def test_deeply_nested_xml():
    depth = 100_000
    data = document(block(CONSUMER, ["0.1"]), header="<rsm:X>" * depth + "</rsm:X>" * depth)
    with within(2):
        parsed = parsers.parse(data)
    assert [problem.code for problem in parsed.problems] == ["xml_syntax"]  # libxml2 stops at depth 256


def test_a_hundred_thousand_columns_are_no_known_format():
    header = ";".join(f"c{i}" for i in range(100_000))
    with within(2):
        parsed = parsers.parse(f"{header}\n{header}\n".encode())
    assert located(parsed) == [("unknown_format", "file")]  # the header does not end in the 64 KB looked at


def test_forty_thousand_quarter_hour_columns_read_with_a_mapping():
    # A pass over the whole file per column (decimal mark), and each column parsed alone: 12 s for these
    labels = [f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(15, 1441, 15)] * 417
    rows = [f"{day:02d}.06.2026;" + ";".join(["x"] * len(labels)) for day in (15, 16, 17)]
    data = "\n".join(["Datum;" + ";".join(labels), *rows]).encode()
    mapping = GenericMapping(layout="wide", date_column="Datum", labels="end")
    with within(5):
        parsed = parsers.parse(data, format="generic", mapping=mapping, metering_point=CONSUMER)
    assert located(parsed)[0] == ("bad_number", "line 2, column '00:15'")
    assert [(p.code, p.params) for p in parsed.problems[-1:]] == [("bad_number", {"count": str(3 * len(labels) - 50)})]


def test_a_header_repeated_ten_thousand_times():
    data = (BKW_HEADER + "\n" + (BKW_HEADER.lstrip("\ufeff") + "\n") * 10_000).encode()
    with within(2):
        parsed = parsers.parse(data)
    assert located(parsed)[:2] == [
        ("bad_metering_point_id", "line 2, column 'Messpunkt'"),
        ("bad_timestamp", "line 2, column 'Datum'"),
    ]
    overflow = {p.code: p.params["count"] for p in parsed.problems if p.location == "further locations"}
    assert overflow == {"bad_timestamp": "9950", "bad_number": "19950"}


def test_every_other_quarter_hour_of_half_a_year_missing():
    days = [date(2026, 4, 1) + timedelta(days=n) for n in range(183)]  # summer time throughout
    rows = [
        [BKW_POINT, f"{day.day}.{day.month}.{day.year} {q // 4:02d}:{q % 4 * 15:02d}:00", "0.1", "0.0", "W"]
        for day in days
        for q in range(0, 96, 2)
    ]
    with within(5):
        parsed = parsers.parse(bkw_csv(rows))
    assert parsed.problems == ()
    gaps = [w for w in parsed.warnings if w.code == "gap"]  # 8,783 per direction, only the first 50 described
    assert len(gaps) == 51 and gaps[-1].params == {"count": str(2 * (len(rows) - 1) - 50)}


def test_values_centuries_apart_take_no_memory():
    rows = [[BKW_POINT, "1.1.1970 00:00:00", "0.1", "0.0", "W"], [BKW_POINT, "31.12.2199 23:45:00", "0.1", "0.0", "W"]]
    with at_most_mb(20):  # 234 MB before
        parsed = parsers.parse(bkw_csv(rows))
    assert located(parsed) == [("mostly_gaps", "line 3")]


def test_an_sdat_interval_over_two_centuries_takes_no_memory():
    data = document(block(CONSUMER, ["0.1"], start="1970-01-01T00:00:00Z", end="2199-12-31T00:00:00Z"))
    with at_most_mb(20):
        parsed = parsers.parse(data)
    assert located(parsed) == [("mostly_gaps", f"{LABEL}, Observation 1")]
