"""Bad files get a clear error, never a crash or a hang, and nothing of them is stored."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities.models import Door
from metering import parsers
from metering.messages import TEXTS
from metering.models import DaySeries, MeterImport
from metering.parsers.base import ParsedFile
from metering.parsers.series_builder import SPAN_FACTOR, SPAN_SLACK
from metering.services import meter_file_import
from tests.metering.conftest import CONSUMER, FIXTURES, fixture_bytes

SAMPLES = sorted(path.name for path in FIXTURES.iterdir() if path.suffix in {".xml", ".csv"})
SDAT = fixture_bytes("sdat-e66-v16-leg-2mp.xml")
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<rsm:ValidatedMeteredData_16 xmlns:rsm="http://www.strom.ch">&lol3;</rsm:ValidatedMeteredData_16>'
)
EXTERNAL_ENTITY = SDAT.replace(
    b"<rsm:ValidatedMeteredData_16",
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "http://example.com/e">]>\n<rsm:ValidatedMeteredData_16',
    1,
).replace(b"<rsm:Role>MDR</rsm:Role>", b"<rsm:Role>&e;</rsm:Role>", 1)


def codes(data: bytes) -> list[str]:
    return [problem.code for problem in parsers.parse(data).problems]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"   \r\n ", "empty_file"),
        (bytes(range(256)) * 40, "unknown_format"),
        (BILLION_LAUGHS, "doctype_forbidden"),
        (EXTERNAL_ENTITY, "doctype_forbidden"),
        (SDAT[: len(SDAT) // 2], "xml_syntax"),
        (SDAT.replace(b"http://www.strom.ch", b"http://example.com/other"), "unknown_format"),
        (SDAT.replace(b'encoding="UTF-8"', b'encoding="x-klingon"'), "xml_syntax"),
        (fixture_bytes("bkw.csv").replace(b"15.6.2026 00:15:00", b"30.2.2026 00:15:00", 1), "bad_timestamp"),
        (fixture_bytes("ekz.csv").replace(b"15.06.2026 00:30", b"15.06.2026 25:30", 1), "bad_timestamp"),
    ],
)
def test_bad_files_are_named_problems(data, code):
    assert code in codes(data)


def test_the_forbidden_doctype_is_explained_in_german():
    problem = parsers.parse(BILLION_LAUGHS).problems[0]
    from metering.messages import finding_from_problem

    assert finding_from_problem(problem).message == (
        "Die XML-Datei enthält eine DOCTYPE- oder ENTITY-Deklaration. SDAT-CH-Dateien haben keine; die Datei wird "
        "aus Sicherheitsgründen nicht gelesen."
    )


@pytest.mark.django_db
def test_a_file_of_200_mb_of_junk_is_refused_quickly_and_nothing_kept(leg):
    outcome = meter_file_import(data=b"\x00" * (200 * 1024 * 1024), filename="junk.bin", actor=None, door=Door.COMMAND)
    assert outcome.status == "rejected"
    assert [finding.code for finding in outcome.errors] == ["unknown_format"]
    assert DaySeries.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_before_anything_is_kept(leg, settings):
    settings.METER_IMPORT_MAX_BYTES = 10_000
    outcome = meter_file_import(data=SDAT, filename="big.xml", actor=None, door=Door.COMMAND)
    assert [finding.message for finding in outcome.errors] == [
        "Die Datei ist 93.5\xa0KB gross; angenommen werden höchstens 9.8\xa0KB."
    ]
    assert (MeterImport.objects.count(), DaySeries.objects.count()) == (0, 0)


def test_every_code_the_parsers_report_has_a_german_text():
    source = "\n".join(path.read_text() for path in Path(parsers.__file__).parent.glob("*.py"))
    emitted = set(re.findall(r'(?:problem|warning)(?:_each)?\(\s*"([a-z_]+)"', source))
    emitted |= {"provisional", "estimated"}  # reported through a table of quality marks
    assert emitted - set(TEXTS) == set()


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
    st.tuples(st.just("cut"), st.integers(min_value=0), st.just(0)),
    st.tuples(st.just("insert"), st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
)


def mutate(data: bytes, changes) -> bytes:
    buffer = bytearray(data)
    for kind, position, value in changes:
        if not buffer:
            break
        position %= len(buffer)
        if kind == "flip":
            buffer[position] = value
        elif kind == "cut":
            del buffer[position:]
        else:
            buffer.insert(position, value)
    return bytes(buffer)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.lists(mutation, min_size=1, max_size=6))
def test_mutated_samples_parse_or_report_never_crash(name, changes):
    parsed = parsers.parse(mutate(fixture_bytes(name), changes))
    assert isinstance(parsed, ParsedFile)
    for series in parsed.series:
        assert (series.values_mwh >= 0).all()
    # memory stays proportional to the values: a wrong date must not make millions of empty slots
    slots, values = sum(len(s.values_mwh) for s in parsed.series), sum(s.intervals for s in parsed.series)
    assert slots <= SPAN_FACTOR * values + SPAN_SLACK


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(parsers.FORMATS)), st.sampled_from(SAMPLES), st.lists(mutation, max_size=3))
def test_samples_read_as_any_format_never_crash(format, name, changes):
    parsed = parsers.parse(mutate(fixture_bytes(name), changes), format=format, metering_point=CONSUMER)
    assert isinstance(parsed, ParsedFile)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes_parse_or_report_never_crash(data):
    assert isinstance(parsers.parse(data), ParsedFile)


@pytest.mark.django_db
def test_a_parser_bug_rejects_the_file_instead_of_crashing(leg, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(parsers, "parse", broken)
    outcome = meter_file_import(data=SDAT, filename="x.xml", actor=None, door=Door.COMMAND)
    assert outcome.status == "rejected"
    assert outcome.errors[0].message == (
        "Die Datei konnte nicht gelesen werden (interner Fehler, protokolliert). Es wurde nichts gespeichert."
    )
    assert DaySeries.objects.count() == 0
