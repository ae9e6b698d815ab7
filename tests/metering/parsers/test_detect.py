import os

import pytest

from metering.parsers.detect import detect_format


@pytest.mark.parametrize(
    "name, format, encoding",
    [
        ("sdat-e66-v16-leg-2mp.xml", "sdat-e66", "utf-8"),
        ("sdat-e66-v12-basic.xml", "sdat-e66", "utf-8"),
        ("sdat-e31-v13-community.xml", "sdat-e31", "utf-8"),
        ("ekz.csv", "ekz", "utf-8"),
        ("ekz-dst-spring-2026-03-29.csv", "ekz", "utf-8"),
        ("bkw.csv", "bkw", "utf-8-sig"),
        ("bkw-dst-fallback-2026-10-25.csv", "bkw", "utf-8-sig"),
        ("ewz.csv", "ewz", "utf-8-sig"),
        ("ckw.csv", "ckw", "cp1252"),
        ("iwb.csv", "iwb", "utf-8"),
        ("aew.csv", "aew", "utf-8"),
    ],
)
def test_every_sample_is_recognised(name, format, encoding):
    from tests.metering.parsers.builders import sample

    detected = detect_format(sample(name))
    assert (detected.format, detected.encoding) == (format, encoding)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "the file is empty"),
        (b" \r\n\t", "the file is empty"),
        (os.urandom(0) + bytes(range(256)) * 4, "the file is not text (neither UTF-8 nor Windows-1252)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "the file is not text (neither UTF-8 nor Windows-1252)"),
        (b"Dear utility, please find attached our meter data.", "neither SDAT XML nor a delimited table"),
        (
            b'<?xml version="1.0"?><ESLBillingData xmlns="http://www.strom.ch"/>',
            "ESLBillingData holds register readings (meter totals), not interval data",
        ),
        (
            b'<ValidatedMeteredData_16 xmlns="http://example.org"/>',
            "XML root ValidatedMeteredData_16 is not in the SDAT namespace http://www.strom.ch",
        ),
        (
            b'<rsm:ValidatedMeteredData_17 xmlns:rsm="http://www.strom.ch"/>',
            "XML root ValidatedMeteredData_17 is no supported SDAT-CH document (E66 1.2–1.6, E31)",
        ),
        (b"<rsm:ValidatedMeteredData_16 xmlns:rsm='http://www.strom.ch'\n<", "broken XML (line 2): "),
    ],
)
def test_what_is_not_interval_data_says_why(data, reason):
    detected = detect_format(data)
    assert detected.format is None
    assert detected.reason.startswith(reason)


def test_any_other_table_is_generic():
    detected = detect_format(b"Zeit,Verbrauch kWh\n2026-06-15 00:00,0.1\n2026-06-15 00:15,0.2\n")
    assert (detected.format, detected.reason) == (
        "generic",
        "a delimited table with no known header: map its columns",
    )
