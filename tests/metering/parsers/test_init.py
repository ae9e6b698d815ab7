"""The entry point, ``metering.parsers.parse``: detection, dispatch and the metering point a file lacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from metering import parsers
from metering.parsers.base import Quality
from metering.parsers.mapping import GenericMapping
from tests.metering.parsers.builders import BKW_POINT, CONSUMER, codes, only, sample

SAMPLES = {
    "sdat-e66-v16-leg-2mp.xml": ("sdat-e66", 6),
    "sdat-e66-v12-basic.xml": ("sdat-e66", 1),
    "sdat-e31-v13-community.xml": ("sdat-e31", 2),
    "ekz.csv": ("ekz", 1),
    "ekz-dst-spring-2026-03-29.csv": ("ekz", 1),
    "bkw.csv": ("bkw", 2),
    "bkw-dst-fallback-2026-10-25.csv": ("bkw", 2),
    "ewz.csv": ("ewz", 2),
    "ckw.csv": ("ckw", 2),
    "iwb.csv": ("iwb", 2),
    "aew.csv": ("aew", 2),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_parses_without_problems(name):
    parsed = parsers.parse(sample(name), filename=name, metering_point=CONSUMER)
    assert (parsed.format, len(parsed.series), parsed.problems) == (*SAMPLES[name], ())
    assert parsed.meta["filename"] == name


def test_an_export_without_metering_point_needs_one():
    parsed = parsers.parse(sample("ekz.csv"), filename="ekz.csv")
    assert [(p.code, p.location) for p in parsed.problems] == [("metering_point_required", "ekz.csv")]
    assert only(parsed).metering_point is None


def test_the_given_metering_point_is_filled_in_and_checked():
    parsed = parsers.parse(sample("ckw.csv"), metering_point=CONSUMER)
    assert {s.metering_point for s in parsed.series} == {CONSUMER}
    assert parsed.meta["metering_point"] == CONSUMER
    parsed = parsers.parse(sample("ckw.csv"), metering_point="CH-nonsense")
    assert [(p.code, p.location) for p in parsed.problems] == [("bad_metering_point_id", "given metering point")]


def test_a_metering_point_never_replaces_the_one_in_the_file_nor_names_an_aggregate():
    parsed = parsers.parse(sample("bkw.csv"), metering_point=CONSUMER)
    assert {s.metering_point for s in parsed.series} == {BKW_POINT}
    parsed = parsers.parse(sample("sdat-e31-v13-community.xml"), metering_point=CONSUMER)
    assert {s.metering_point for s in parsed.series} == {None}


def test_unknown_files_are_one_problem_with_the_reason():
    parsed = parsers.parse(b"Dear utility", filename="letter.txt")
    assert (parsed.format, parsed.series) == ("unknown", ())
    (problem,) = parsed.problems
    assert (problem.code, problem.location, problem.params) == (
        "unknown_format",
        "letter.txt",
        {"reason": "neither SDAT XML nor a delimited table"},
    )
    assert parsers.parse(b"x", format="pdf").problems[0].params == {"reason": "no parser for the format 'pdf'"}


def test_a_format_can_be_forced_and_a_mapping_given():
    mapping = GenericMapping(
        timestamp_column="Datum", consumption_columns=("Strombezug [kWh]",), metering_point_column="Messpunkt"
    )
    parsed = parsers.parse(sample("bkw.csv"), format="generic", mapping=mapping)
    assert (parsed.format, [s.total_mwh for s in parsed.series]) == ("generic", [7_654_000])
    assert set(only(parsed).quality.tolist()) == {Quality.MEASURED}
    forced = parsers.parse(sample("ekz.csv"), format="bkw")
    assert set(codes(forced.problems)) == {"bad_row", "missing_column"}
    assert forced.series == ()


def test_the_parsers_import_no_django():
    code = "import sys, metering.parsers; assert not [m for m in sys.modules if m.split('.')[0] == 'django']"
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
