from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from metering.parsers.base import Issues, Quality, Series, check_metering_point


def series(values: list[int], quality: list[int], start: datetime | None = None) -> Series:
    return Series(
        "CH10099912345000000000000000A4711",
        "consumption",
        "total",
        start or datetime(2026, 6, 14, 22, tzinfo=UTC),
        np.array(values, np.int64),
        np.array(quality, np.uint8),
    )


def test_series_end_intervals_and_total_count_only_delivered_slots():
    one = series([65_000, 0, 92_000], [Quality.MEASURED, Quality.MISSING, Quality.PROVISIONAL])
    assert one.end == datetime(2026, 6, 14, 22, 45, tzinfo=UTC)
    assert one.intervals == 2
    assert one.total_mwh == 157_000


@pytest.mark.parametrize(
    "start, message",
    [
        (datetime(2026, 6, 15, 0, 0, tzinfo=timezone(timedelta(hours=2))), "not aware UTC"),
        (datetime(2026, 6, 14, 22, 5, tzinfo=UTC), "not on a quarter-hour"),
    ],
)
def test_series_refuses_a_start_that_is_not_a_utc_quarter_hour(start, message):
    with pytest.raises(ValueError, match=message):
        series([1], [1], start)


def test_series_refuses_arrays_of_the_wrong_kind():
    with pytest.raises(ValueError, match="int64"):
        Series(
            None,
            "consumption",
            "total",
            datetime(2026, 6, 14, 22, tzinfo=UTC),
            np.array([1.0]),
            np.array([1], np.uint8),
        )
    with pytest.raises(ValueError, match="same length"):
        series([1, 2], [1])


def test_issues_list_the_first_fifty_of_a_kind_and_count_the_rest():
    issues = Issues()
    for line in range(1, 61):
        issues.problem("bad_number", f"line {line}", "bad", value="x")
    issues.warning("gap", "line 3", "gap", count=1)
    assert len(issues.problems) == 51
    assert issues.problems[49].location == "line 50"
    assert issues.problems[50].location == "further locations"
    assert issues.problems[50].params == {"count": "10"}
    assert [w.code for w in issues.warnings] == ["gap"]


def test_problem_each_describes_only_what_is_listed():
    issues = Issues()
    described = []

    def describe(item: int):
        described.append(item)
        return f"line {item}", "bad", {"value": str(item)}

    issues.problem_each("bad_number", list(range(1000)), describe)
    assert len(described) == 50
    assert issues.problems[-1].params == {"count": "950"}


@pytest.mark.parametrize(
    "value, ok",
    [
        ("CH10099912345000000000000000A4711", True),
        ("CH10041012345DFORE-TR020000000000", True),
        ("CH1009991234500000000000000A4711", False),  # 32 characters
        ("ch10099912345000000000000000A4711", False),
        ("CH10099912345000000000000000a4711", False),
        ("DE10099912345000000000000000A4711", False),
    ],
)
def test_metering_point_ids_follow_the_swiss_pattern(value, ok):
    issues = Issues()
    assert check_metering_point(value, "line 2, column 'Messpunkt'", issues) is ok
    if not ok:
        (problem,) = issues.problems
        assert (problem.code, problem.location, problem.params) == (
            "bad_metering_point_id",
            "line 2, column 'Messpunkt'",
            {"value": value},
        )


def test_warning_each_lists_the_first_fifty_and_counts_the_rest():
    issues = Issues()
    issues.warning_each("gap", range(120), lambda item: (f"line {item}", "gap", {"count": 1}))
    assert len(issues.warnings) == 51
    assert (issues.warnings[-1].location, issues.warnings[-1].params) == ("further locations", {"count": "70"})
    assert issues.problems == ()


def test_a_huge_value_is_quoted_by_its_start_only():
    issues = Issues()
    value = "9" * 5_000_000  # a broken file can make one cell of megabytes
    issues.problem("bad_number", f"line 2, column '{value}'", f"'{value}' is not a number.", value=value, column="A")
    (problem,) = issues.problems
    shown = "9" * Issues.SHOWN + "…"
    assert problem.params == {"value": shown, "column": "A"}
    assert problem.message == f"'{shown}' is not a number."
    assert problem.location == f"line 2, column '{'9' * (Issues.SHOWN - 16)}…"
