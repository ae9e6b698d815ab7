import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metering.parsers import sdat
from metering.parsers.base import Quality
from tests.metering.parsers.builders import (
    CONSUMER,
    GRID,
    LEG,
    PRODUCER,
    TOTAL,
    block,
    codes,
    document,
    kwh,
    only,
    sample,
    utc,
)

LABEL = f"MeteringData #1 ({CONSUMER}, {TOTAL})"


def test_v16_leg_sample_control_totals():
    parsed = sdat.parse(sample("sdat-e66-v16-leg-2mp.xml"))
    assert (parsed.format, parsed.problems) == ("sdat-e66", ())
    totals = {(s.metering_point, s.direction, s.channel): s.total_mwh for s in parsed.series}
    assert totals == {
        (CONSUMER, "consumption", "total"): 18_359_000,
        (CONSUMER, "consumption", "grid"): 11_333_000,
        (CONSUMER, "consumption", "leg"): 7_026_000,
        (PRODUCER, "production", "total"): 42_191_000,
        (PRODUCER, "production", "grid"): 35_165_000,
        (PRODUCER, "production", "leg"): 7_026_000,
    }
    for series in parsed.series:
        assert (series.start, series.end, series.intervals) == (
            utc("2026-06-14T22:00:00Z"),
            utc("2026-06-15T22:00:00Z"),
            96,
        )
        expected = Quality.MEASURED if series.channel == "total" else Quality.PROVISIONAL
        assert set(series.quality.tolist()) == {expected}
    assert [(w.code, w.location) for w in parsed.warnings] == [
        ("provisional", f"MeteringData #2 ({CONSUMER}, {GRID}), Observation 1"),
        ("provisional", f"MeteringData #3 ({CONSUMER}, {LEG}), Observation 1"),
        ("provisional", f"MeteringData #5 ({PRODUCER}, {GRID}), Observation 1"),
        ("provisional", f"MeteringData #6 ({PRODUCER}, {LEG}), Observation 1"),
    ]
    assert parsed.meta == {
        "sdat_version": "1.6",
        "document_id": "LEGDEMO-20260616-0001",
        "document_type": "E66",
        "creation": "2026-06-16T04:12:00Z",
        "created_utc": "2026-06-16T04:12:00+00:00",
        "sender": "12X-0000000999-A",
        "sender_role": "MDR",
        "receiver": "12X-0000000888-B",
        "receiver_role": "CEM",
        "business_reason": "C40",
        "report_period_start": "2026-06-14T22:00:00Z",
        "report_period_end": "2026-06-15T22:00:00Z",
        "community_id": "100999-000042",
    }


def test_v12_sample_with_the_product_code_as_text():
    parsed = sdat.parse(sample("sdat-e66-v12-basic.xml"))
    assert (parsed.format, parsed.problems, parsed.warnings) == ("sdat-e66", (), ())
    series = only(parsed)
    assert (series.metering_point, series.total_mwh, series.intervals) == (CONSUMER, 14_909_000, 96)
    assert series.values_mwh[:3].tolist() == [41_000, 103_000, 84_000]
    assert (parsed.meta["sdat_version"], parsed.meta["business_reason"]) == ("1.2", "E88")
    assert (series.start, series.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))


def test_e31_sample_aggregates_have_no_metering_point():
    parsed = sdat.parse(sample("sdat-e31-v13-community.xml"))
    assert (parsed.format, parsed.problems) == ("sdat-e31", ())
    assert [(s.metering_point, s.direction, s.channel, s.total_mwh) for s in parsed.series] == [
        (None, "consumption", "total", 18_359_000),
        (None, "consumption", "leg", 7_026_000),
    ]
    assert (parsed.meta["grid_area"], parsed.meta["community_id"], parsed.meta["flow"]) == (
        "12Y-0000000999-C",
        "100999-000042",
        "E17",
    )
    assert parsed.meta["sdat_version"] == "1.3"
    for series in parsed.series:
        assert (series.start, series.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))
        assert set(series.quality.tolist()) == {Quality.PROVISIONAL}


def test_blocks_of_one_channel_on_consecutive_days_make_one_series():
    first = block(CONSUMER, ["0.1", "0.2"], start="2026-06-14T22:00:00Z")
    second = block(CONSUMER, ["0.3"], start="2026-06-14T22:30:00Z")
    parsed = sdat.parse(document(first, second))
    assert parsed.problems == ()
    assert only(parsed).values_mwh.tolist() == [100_000, 200_000, 300_000]
    overlapping = block(CONSUMER, ["0.9"], start="2026-06-14T22:15:00Z")
    (problem,) = sdat.parse(document(first, overlapping)).problems
    assert (problem.code, problem.location, problem.params["first"]) == (
        "duplicate_slot",
        f"MeteringData #2 ({CONSUMER}, {TOTAL}), Observation 1",
        f"{LABEL}, Observation 2",
    )


def test_a_location_counts_the_observations_a_block_dropped_and_skips_blocks_without_readings():
    first = block(CONSUMER, ["x", "0.1", "0.2"], start="2026-06-14T21:45:00Z")  # "x" is a problem and not kept
    empty = block(CONSUMER, ["-1"], start="2026-06-14T23:00:00Z")  # negative: a problem, no reading kept
    again = block(CONSUMER, ["0.7", "0.9"], start="2026-06-14T22:15:00Z")
    problems = sdat.parse(document(first, empty, again)).problems
    (duplicate,) = [problem for problem in problems if problem.code == "duplicate_slot"]
    assert (duplicate.location, duplicate.params["first"]) == (
        f"MeteringData #3 ({CONSUMER}, {TOTAL}), Observation 1",
        f"{LABEL}, Observation 3",
    )


def test_production_points_and_estimated_or_unknown_conditions():
    parsed = sdat.parse(
        document(block(PRODUCER, ["0.100", "0.200", "0.300"], direction="production", conditions=["56", None, "99"]))
    )
    series = only(parsed, "production")
    assert series.quality.tolist() == [Quality.ESTIMATED, Quality.MEASURED, Quality.ESTIMATED]
    assert [(w.code, w.location, w.params.get("value")) for w in parsed.warnings] == [
        ("unknown_condition", f"MeteringData #1 ({PRODUCER}, {TOTAL}), Observation 3", "99"),
        ("incomplete_day", f"MeteringData #1 ({PRODUCER}, {TOTAL}), Observation 3", None),
        ("estimated", f"MeteringData #1 ({PRODUCER}, {TOTAL}), Observation 1", None),
    ]


@pytest.mark.parametrize(
    "changes, code, location, params",
    [
        ({"resolution": "60"}, "unsupported_resolution", LABEL, {"value": "60 MIN"}),
        ({"unit": "H"}, "unsupported_resolution", LABEL, {"value": "15 H"}),
        ({"measure": "MWH"}, "unsupported_unit", LABEL, {"value": "MWH"}),
        (
            {"start": "2026-06-14T22:05:00Z", "end": "2026-06-14T22:50:00Z"},
            "bad_timestamp",
            f"{LABEL}, Interval/StartDateTime",
            {
                "value": "2026-06-14T22:05:00Z",
                "detail": ("expected an instant on a quarter-hour with its offset, such as 2026-06-14T22:00:00Z"),
            },
        ),
        (
            {"start": "2026-06-15T00:00:00", "end": "2026-06-15T00:45:00Z"},
            "bad_timestamp",
            f"{LABEL}, Interval/StartDateTime",
            {
                "value": "2026-06-15T00:00:00",
                "detail": ("expected an instant on a quarter-hour with its offset, such as 2026-06-14T22:00:00Z"),
            },
        ),
    ],
)
def test_block_level_problems(changes, code, location, params):
    parsed = sdat.parse(document(block(CONSUMER, ["0.1", "0.2", "0.3"], **changes)))
    (problem,) = parsed.problems
    assert (problem.code, problem.location, problem.params) == (code, location, params)
    assert parsed.series == ()


def test_observation_level_problems_name_the_block_and_the_observation():
    parsed = sdat.parse(
        document(
            block(
                CONSUMER,
                ["0.1", "0.2", "0.x", "-0.1", "0.5"],
                sequences=[1, 2, 3, 4, 9],
                end="2026-06-14T23:15:00Z",
            )
        )
    )
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("bad_sequence", f"{LABEL}, Observation 5", {"value": "9", "expected": "5"}),
        ("bad_number", f"{LABEL}, Observation 3", {"value": "0.x"}),
        ("negative_value", f"{LABEL}, Observation 4", {"value": "-0.1"}),
    ]
    assert parsed.problems[0].message == "The sequence number '9' is not a position 1 to 5 in the interval."


def test_a_repeated_sequence_is_a_duplicate():
    parsed = sdat.parse(
        document(block(CONSUMER, ["0.1", "0.2", "0.3"], sequences=[1, 2, 2], end="2026-06-14T22:45:00Z"))
    )
    assert [(p.code, p.location, p.params["first"]) for p in parsed.problems] == [
        ("duplicate_slot", f"{LABEL}, Observation 3", f"{LABEL}, Observation 2")
    ]


def test_missing_sequences_are_gaps_inside_the_declared_interval():
    parsed = sdat.parse(
        document(block(CONSUMER, ["0.1", "0.2", "0.4"], sequences=[1, 2, 4], end="2026-06-14T23:15:00Z"))
    )
    series = only(parsed)
    assert series.quality.tolist() == [1, 1, 0, 1, 0]
    assert [(w.code, w.location, w.params["count"], w.params["slot"]) for w in parsed.warnings if w.code == "gap"] == [
        ("gap", f"after {LABEL}, Observation 2", "1", "2026-06-14T22:30:00Z"),
        ("gap", f"after {LABEL}, Observation 3", "1", "2026-06-14T23:00:00Z"),
    ]


def test_split_channels_must_add_up_within_one_wh():
    blocks = [
        block(CONSUMER, ["0.101", "0.102"], product=TOTAL),
        block(CONSUMER, ["0.050", "0.050"], product=LEG),
        block(CONSUMER, ["0.050", "0.050"], product=GRID),
    ]
    parsed = sdat.parse(document(*blocks))
    (problem,) = parsed.problems
    assert (problem.code, problem.location) == (
        "split_mismatch",
        f"{CONSUMER} consumption, quarter-hour 2026-06-14T22:15:00Z",
    )
    assert problem.params == {
        "metering_point": CONSUMER,
        "slot": "2026-06-14T22:15:00Z",
        "total": "0.102 kWh",
        "leg": "0.050 kWh",
        "grid": "0.050 kWh",
        "difference": "0.002 kWh",
    }
    assert problem.message == (
        "Total 0.102 kWh is not LEG share 0.050 kWh + grid share 0.050 kWh "
        "(off by 0.002 kWh; at most 0.001 kWh is allowed)."
    )


def test_exchange_points_and_other_products_are_skipped_with_a_warning():
    exchange = block("CH10041012345DFORE-TR020000000000", ["0.1"], point_element="ExchangeMeteringPoint")
    reactive = block(CONSUMER, ["0.1"], product="8716867000047")
    parsed = sdat.parse(document(exchange, reactive))
    assert (parsed.series, parsed.problems) == ((), ())
    assert [(w.code, w.location) for w in parsed.warnings] == [
        ("exchange_point_skipped", "MeteringData #1"),
        ("unsupported_product", f"MeteringData #2 ({CONSUMER}, 8716867000047)"),
    ]


def test_a_malformed_metering_point_is_a_problem():
    parsed = sdat.parse(document(block("CH1234", ["0.1"])))
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("bad_metering_point_id", "MeteringData #1 (CH1234, 8716867000030)", {"value": "CH1234"})
    ]


def test_a_block_without_a_metering_point_is_a_problem():
    parsed = sdat.parse(document(block(None, ["0.1"])))
    assert [(p.code, p.location) for p in parsed.problems] == [("missing_element", "MeteringData #1")]


@pytest.mark.parametrize(
    "broken, line",
    [
        (lambda text: text.replace("<rsm:Volume>0.2</rsm:Volume>", "<rsm:Volume>0.2</rsm:Volum>"), 9),
        (
            lambda text: text.replace("<rsm:Resolution>15</rsm:Resolution>", "<rsm:Resolution>15</rsm:Resolutio>"),
            5,
        ),
        (lambda text: text[: text.index("<rsm:Sequence>3")], 10),
    ],
)
def test_broken_xml_is_a_syntax_problem_with_its_line(broken, line):
    data = broken(document(block(CONSUMER, ["0.1", "0.2", "0.3"])).decode()).encode()
    (problem,) = sdat.parse(data).problems
    assert (problem.code, problem.location) == ("xml_syntax", f"XML line {line}")
    assert problem.params["line"] == str(line)


def test_empty_and_foreign_documents():
    assert [(p.code, p.location) for p in sdat.parse(b"").problems] == [("empty_file", "file")]
    (problem,) = sdat.parse(b'<Foo xmlns="http://example.org"/>').problems
    assert (problem.code, problem.params) == (
        "unknown_format",
        {"reason": "the XML root is {http://example.org}Foo, not an SDAT-CH E66 or E31 document"},
    )


def test_observations_in_another_prefix_are_read_from_the_tree():
    text = document(block(CONSUMER, ["0.1", "0.2"])).decode()
    text = text.replace(
        'xmlns:rsm="http://www.strom.ch"', 'xmlns:rsm="http://www.strom.ch" xmlns:ns0="http://www.strom.ch"'
    )
    text = text.replace("rsm:Observation>", "ns0:Observation>")
    series = only(sdat.parse(text.encode()))
    assert series.values_mwh.tolist() == [100_000, 200_000]


channel_values = st.lists(st.integers(0, 9_999_999), min_size=1, max_size=120)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(channel_values, st.booleans()), min_size=1, max_size=4), st.booleans(), st.booleans())
def test_any_generated_sdat_file_round_trips_to_the_same_mwh(points, pretty, through_tree):
    blocks = []
    for number, (wh, provisional) in enumerate(points):
        leg = [value // 3 for value in wh]
        grid = [value - share for value, share in zip(wh, leg, strict=True)]
        point = f"CH10099912345{number:020d}"
        for product, values in ((TOTAL, wh), (LEG, leg), (GRID, grid)):
            conditions = ["21" if provisional and product != TOTAL else None] * len(values)
            blocks.append(block(point, kwh(values), product=product, conditions=conditions, pretty=pretty))
    data = document(*blocks)
    if through_tree:  # a comment among the observations makes the byte scan decline
        data = data.replace(b"</rsm:Observation>", b"</rsm:Observation><!-- -->", 1)
    parsed = sdat.parse(data)
    assert parsed.problems == ()
    series = {(s.metering_point, s.channel): s for s in parsed.series}
    for number, (wh, provisional) in enumerate(points):
        point = f"CH10099912345{number:020d}"
        assert series[(point, "total")].values_mwh.tolist() == [value * 1000 for value in wh]
        leg = series[(point, "leg")]
        assert np.array_equal(leg.values_mwh, [value // 3 * 1000 for value in wh])
        assert set(leg.quality.tolist()) == {Quality.PROVISIONAL if provisional else Quality.MEASURED}
    assert codes(parsed.warnings).count("provisional") == 2 * sum(1 for _, p in points if p)


def test_an_observation_without_volume_is_one_problem():
    data = document(block(CONSUMER, ["0.1", "0.2"])).replace(b"<rsm:Volume>0.2</rsm:Volume>", b"", 1)
    parsed = sdat.parse(data)
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("missing_element", "MeteringData #1, Observation 2", {"element": "Volume"})
    ]
    assert only(parsed).values_mwh.tolist() == [100_000, 0]


def test_values_split_by_a_comment_are_read_whole():
    data = document(block(CONSUMER, ["0.1", "0.25"])).replace(b"0.25", b"0.2<!-- checked -->5", 1)
    parsed = sdat.parse(data)
    assert parsed.problems == ()
    assert only(parsed).values_mwh.tolist() == [100_000, 250_000]


def test_an_observation_without_sequence_is_one_problem():
    data = document(block(CONSUMER, ["0.1", "0.2"])).replace(
        b"<rsm:Position><rsm:Sequence>1</rsm:Sequence></rsm:Position>", b"", 1
    )
    assert [(p.code, p.location) for p in sdat.parse(data).problems] == [
        ("missing_element", "MeteringData #1, Observation 1")
    ]


def test_a_block_without_observations_is_a_warning():
    parsed = sdat.parse(document(block(CONSUMER, [], end="2026-06-14T23:00:00Z")))
    assert (parsed.series, parsed.problems) == ((), ())
    assert [(w.code, w.location) for w in parsed.warnings] == [("no_observations", LABEL)]


@pytest.mark.parametrize(
    "data, declared",
    [
        (b"<r/>", False),
        (b"<!-- a comment --><r/>", False),
        (b"<!DOCTYPE r><r/>", True),
        (b'<r/><!ENTITY e "x">', True),
        (b"<r>!DOCTYPE</r>", False),
    ],
)
def test_a_doctype_or_entity_declaration_is_found_anywhere(data, declared):
    assert sdat.declares_doctype(data) is declared


@pytest.mark.parametrize("creation", ["2026-06-16T04:12:00", "16.06.2026 06:12", "9999-01-01T00:00:00Z"])
def test_a_creation_time_that_is_no_instant_is_a_problem_naming_the_element(creation):
    from tests.metering.conftest import fixture_bytes

    data = fixture_bytes("sdat-e66-v16-leg-2mp.xml").replace(b"2026-06-16T04:12:00Z", creation.encode())
    parsed = sdat.parse(data)
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("bad_creation", "InstanceDocument/Creation", {"value": creation, "element": "InstanceDocument/Creation"})
    ]
    assert "created_utc" not in parsed.meta


def test_a_document_without_creation_time_is_timed_by_its_arrival():
    from tests.metering.conftest import fixture_bytes

    data = fixture_bytes("sdat-e66-v16-leg-2mp.xml").replace(b"<rsm:Creation>2026-06-16T04:12:00Z</rsm:Creation>", b"")
    parsed = sdat.parse(data)
    assert (parsed.problems, "creation" in parsed.meta, "created_utc" in parsed.meta) == ((), False, False)


def test_a_creation_time_with_an_offset_is_kept_in_utc():
    from tests.metering.conftest import fixture_bytes

    data = fixture_bytes("sdat-e66-v16-leg-2mp.xml").replace(b"2026-06-16T04:12:00Z", b"2026-06-16T06:12:30+02:00")
    assert sdat.parse(data).meta["created_utc"] == "2026-06-16T04:12:30+00:00"
