from datetime import date

import numpy as np

from metering.parsers.base import Issues, Quality
from metering.parsers.localtime import local_day_bounds, utc_iso
from metering.parsers.series_builder import SPAN_FACTOR, SPAN_SLACK, Readings, SeriesKey, build_series

POINT = "CH10099912345000000000000000A4711"
KEYS = [SeriesKey(POINT, "consumption"), SeriesKey(POINT, "production", "leg")]
DAY_START = local_day_bounds(date(2026, 6, 15))[0] // 15  # slot of 2026-06-14T22:00Z


def build(group, slot, value, quality=None, ranges=None):
    issues = Issues()
    quality = [Quality.MEASURED] * len(slot) if quality is None else quality
    readings = Readings(
        np.array(group, np.int64),
        np.array(slot, np.int64) + DAY_START,
        np.array(value, np.int64),
        np.array(quality, np.uint8),
    )
    made = build_series(KEYS, readings, lambda entry: f"line {entry + 2}", issues, ranges=ranges)
    return made, issues


def test_a_full_local_day_gives_one_series_without_warnings():
    made, issues = build([0] * 96, range(96), [1000] * 96)
    (one,) = made
    assert (one.metering_point, one.direction, one.channel) == (POINT, "consumption", "total")
    assert (utc_iso(one.start.timestamp() // 60), one.intervals, one.total_mwh) == (
        "2026-06-14T22:00:00Z",
        96,
        96_000,
    )
    assert issues.problems == () and issues.warnings == ()


def test_readings_out_of_order_are_sorted_and_split_by_series():
    made, issues = build([1, 0, 1, 0], [1, 1, 0, 0], [10, 20, 30, 40])
    assert [(s.direction, s.values_mwh.tolist()) for s in made] == [
        ("consumption", [40, 20]),
        ("production", [30, 10]),
    ]
    assert [w.code for w in issues.warnings] == ["incomplete_day", "incomplete_day"]


def test_a_repeated_slot_is_a_problem_naming_both_lines_and_the_first_value_wins():
    made, issues = build([0, 0, 0], [0, 1, 0], [10, 20, 30])
    (problem,) = issues.problems
    assert (problem.code, problem.location) == ("duplicate_slot", "line 4")
    assert problem.params == {"slot": "2026-06-14T22:00:00Z", "local": "15.06.2026 00:00", "first": "line 2"}
    assert problem.message == (
        "The quarter-hour starting 2026-06-14T22:00:00Z (15.06.2026 00:00 local time) of "
        f"{POINT} consumption appears again; it was first given at line 2."
    )
    assert made[0].values_mwh.tolist() == [10, 20]


def test_missing_slots_inside_a_series_are_kept_as_missing_with_a_gap_warning():
    slots = [s for s in range(96) if s not in (40, 41, 42)]
    made, issues = build([0] * 93, slots, [5] * 93)
    (one,) = made
    assert one.quality[40:43].tolist() == [Quality.MISSING] * 3
    assert one.values_mwh[40:43].tolist() == [0, 0, 0]
    assert (one.intervals, len(one.values_mwh)) == (93, 96)
    (gap,) = issues.warnings
    assert (gap.code, gap.location) == ("gap", "after line 41")
    assert gap.params == {
        "count": "3",
        "slot": "2026-06-15T08:00:00Z",
        "end": "2026-06-15T08:45:00Z",
        "metering_point": POINT,
        "direction": "consumption",
        "channel": "total",
    }
    assert gap.message == (
        f"3 quarter-hours of {POINT} consumption missing from 2026-06-15T08:00:00Z to "
        "2026-06-15T08:45:00Z (15.06.2026 10:00 to 15.06.2026 10:45 local time)."
    )


def test_declared_ranges_make_leading_and_trailing_gaps():
    made, issues = build([0, 0], [1, 2], [7, 8], ranges={0: (DAY_START, DAY_START + 96)})
    assert len(made[0].values_mwh) == 96
    assert [(w.code, w.location, w.params["count"]) for w in issues.warnings] == [
        ("gap", "before line 2", "1"),
        ("gap", "after line 3", "93"),
    ]


def test_a_series_cut_inside_a_local_day_warns_with_the_count():
    _, issues = build([0] * 10, range(86, 96), [1] * 10)
    (warning,) = issues.warnings
    assert (warning.code, warning.location) == ("incomplete_day", "line 2")
    assert warning.params["day"] == "2026-06-15"
    assert (warning.params["found"], warning.params["expected"]) == ("10", "96")


def test_provisional_and_estimated_values_are_counted_per_series():
    quality = [Quality.PROVISIONAL] * 90 + [Quality.ESTIMATED] * 6
    _, issues = build([0] * 96, range(96), [1] * 96, quality)
    assert [(w.code, w.location, w.params["count"], w.params["total"]) for w in issues.warnings] == [
        ("provisional", "line 2", "90", "96"),
        ("estimated", "line 92", "6", "96"),
    ]


def test_series_may_span_four_times_their_values_plus_a_year():
    allowed = SPAN_FACTOR * 2 + SPAN_SLACK
    made, issues = build([0, 0], [0, allowed - 1], [1, 2])
    assert len(made[0].values_mwh) == allowed and issues.problems == ()
    made, issues = build([0, 0], [0, allowed], [1, 2])
    assert made == []
    (problem,) = issues.problems
    assert (problem.code, problem.location) == ("mostly_gaps", "line 3")
    assert (problem.params["count"], problem.params["gap"], problem.params["days"]) == ("2", str(allowed - 1), "366")


def test_a_declared_range_far_beyond_the_values_is_mostly_gaps_at_its_edge():
    made, issues = build([1, 1], [0, 1], [1, 2], ranges={1: (DAY_START, DAY_START + 400 * 96)})
    assert made == []
    (problem,) = issues.problems
    assert (problem.code, problem.location) == ("mostly_gaps", "line 3")  # the last value, before the empty end
    assert problem.params["channel"] == "leg" and problem.params["gap"] == str(400 * 96 - 2)
