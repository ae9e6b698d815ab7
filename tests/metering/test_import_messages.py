"""The sentences an importing clerk reads name what they mean: the unmapped column and its mapping key, a
compressed file, a column of bad metering point ids, a broken XML file with its line and column, in German."""

import gzip
import io
import zipfile

import pytest

from metering import parsers
from metering.messages import finding_from_problem
from metering.parsers import generic
from metering.parsers.mapping import GenericMapping
from tests.metering.conftest import fixture_bytes

END_LABELS = [f"{m // 60:02d}:{m % 60:02d}" for m in range(15, 1441, 15)]


def messages(parsed) -> list[tuple[str, str, str]]:
    return [(p.code, p.location, finding_from_problem(p).message) for p in parsed.problems]


@pytest.mark.parametrize(
    "data, mapping, text",
    [
        (
            b"A;B\n1;2\n",
            GenericMapping(consumption_columns=("B",)),
            "Die Spaltenzuordnung nennt keine Spalte für den Zeitpunkt (timestamp_column, oder date_column und "
            "time_column).",
        ),
        (
            b"A;B\n15.06.2026;2\n",
            GenericMapping(date_column="A", consumption_columns=("B",)),
            "Die Spaltenzuordnung nennt keine Spalte für die Uhrzeit (time_column).",
        ),
        (
            b"Zeit;B\n15.06.2026 00:00;2\n",
            GenericMapping(timestamp_column="Zeit"),
            "Die Spaltenzuordnung nennt keine Spalte für Bezug oder Einspeisung (consumption_columns oder "
            "production_columns).",
        ),
        (
            ("Tag;" + ";".join(END_LABELS) + "\n15.06.2026" + ";1" * 96 + "\n").encode(),
            GenericMapping(layout="wide"),
            "Die Spaltenzuordnung nennt keine Spalte für das Datum (date_column).",
        ),
    ],
)
def test_an_unmapped_column_is_named_by_its_role_and_mapping_key_once(data, mapping, text):
    assert messages(generic.parse(data, mapping=mapping)) == [("unmapped_column", "line 1", text)]


def test_a_wide_table_without_quarter_hour_columns_says_so():
    parsed = generic.parse(b"Datum;Wert\n15.06.2026;1\n", mapping=GenericMapping(layout="wide", date_column="Datum"))
    assert messages(parsed) == [
        ("no_slot_columns", "line 1", "Die Kopfzeile enthält keine Viertelstundenspalten (00:15 … 24:00).")
    ]


def zipped(name: str, data: bytes, *more: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, content in ((name, data), *more):
            archive.writestr(entry, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "pack, kind",
    [(gzip.compress, "gzip"), (lambda data: zipped("messdaten.xml", data), "ZIP")],
)
def test_a_compressed_file_is_asked_to_be_unpacked(pack, kind):
    parsed = parsers.parse(pack(fixture_bytes("sdat-e66-v12-basic.xml")), filename="messdaten.xml.gz")
    assert messages(parsed) == [
        (
            "compressed_file",
            "messdaten.xml.gz",
            f"Die Datei ist komprimiert ({kind}), bitte entpacken und die entpackte Datei einlesen.",
        )
    ]


@pytest.mark.parametrize(
    "data",
    [
        zipped("[Content_Types].xml", b"<Types/>", ("xl/workbook.xml", b"<workbook/>")),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    ],
    ids=["xlsx", "xls"],
)
def test_an_excel_workbook_is_asked_to_be_saved_as_csv(data):
    assert messages(parsers.parse(data, filename="Lastgang.xlsx")) == [
        (
            "spreadsheet_file",
            "Lastgang.xlsx",
            "Die Datei ist eine Excel-Arbeitsmappe; bitte in Excel als CSV (Trennzeichen-getrennt) speichern und "
            "diese Datei einlesen.",
        )
    ]


def test_a_compressed_file_is_named_so_also_when_a_csv_mapping_is_forced():
    parsed = parsers.parse(gzip.compress(b"A;B\n1;2\n"), format="generic", mapping=GenericMapping())
    assert [p.code for p in parsed.problems] == ["compressed_file"]


def wide_table(ids: list[str], header: str = "Messpunkt") -> bytes:
    rows = [";".join([point, "15.06.2026", *["1"] * 96]) for point in ids]
    return ("\n".join([";".join([header, "Datum", *END_LABELS]), *rows]) + "\n").encode()


def test_a_wide_table_whose_id_column_holds_no_metering_point_ids_gets_one_sentence_about_that_column():
    parsed = generic.parse(wide_table([f"Zähler {n}" for n in range(60)]))
    assert messages(parsed) == [
        (
            "bad_metering_point_column",
            "column 'Messpunkt'",
            "Die Spalte «Messpunkt» enthält 60 ungültige Messpunkt-IDs, zuerst «Zähler 0» in Zeile 2; erwartet wird "
            "CH + 6 Ziffern + 25 Zeichen.",
        )
    ]


def test_a_wide_table_tells_its_series_apart_by_a_column_without_a_telling_name():
    parsed = generic.parse(wide_table(["12345", "12346"], header="Nr"))
    assert generic.sniff(wide_table(["12345", "12346"], header="Nr")).metering_point_column == "Nr"
    assert messages(parsed) == [
        (
            "bad_metering_point_column",
            "column 'Nr'",
            "Die Spalte «Nr» enthält 2 ungültige Messpunkt-IDs, zuerst «12345» in Zeile 2; erwartet wird "
            "CH + 6 Ziffern + 25 Zeichen.",
        )
    ]


def test_one_bad_metering_point_id_is_named_with_its_line():
    parsed = generic.parse(wide_table(["12345", "12345"]).replace(b"15.06.2026", b"16.06.2026", 1))
    assert messages(parsed) == [
        (
            "bad_metering_point_id",
            "line 2, column 'Messpunkt'",
            "«12345» ist keine gültige Messpunkt-ID (CH + 6 Ziffern + 25 Zeichen).",
        )
    ]


SDAT = fixture_bytes("sdat-e66-v12-basic.xml")
SDAT_LINES = SDAT.count(b"\n")


def cut_at_volume(data: bytes) -> bytes:
    """The file cut off inside an element, as an interrupted transfer leaves it."""
    return data[: data.find(b"<rsm:Volume>", 5000) + 14]


@pytest.mark.parametrize(
    "data, line, text",
    [
        (
            cut_at_volume(SDAT),
            79,
            "Die XML-Datei ist fehlerhaft (Zeile 79, Spalte 96): sie endet, bevor das Element «Volume» geschlossen "
            "ist; vermutlich ist sie unvollständig übertragen worden.",
        ),
        (
            SDAT.replace(b"</rsm:Observation>", b"</rsm:Observatio>", 1),
            61,
            "Die XML-Datei ist fehlerhaft (Zeile 61, Spalte 128): das End-Tag «Observatio» passt nicht zum "
            "Start-Tag «Observation».",
        ),
        (
            SDAT.replace(b"</rsm:MeteringData>", b"</rsm:MeteringDat>", 1),
            157,
            "Die XML-Datei ist fehlerhaft (Zeile 157, Spalte 21): das End-Tag «MeteringDat» passt nicht zum "
            "Start-Tag «MeteringData» aus Zeile 44.",
        ),
        (
            SDAT.replace(b"<rsm:Volume>", b"<rsm:Volume", 1),
            61,
            "Die XML-Datei ist fehlerhaft (Zeile 61, Spalte 97): ein Attribut ist ungültig geschrieben.",
        ),
        (
            SDAT + b"<extra/>",
            SDAT_LINES + 1,
            f"Die XML-Datei ist fehlerhaft (Zeile {SDAT_LINES + 1}, Spalte 1): nach dem Ende des Dokuments "
            "folgt weiterer Inhalt.",
        ),
    ],
)
def test_a_broken_xml_file_is_described_in_german_with_its_line_and_column_once(data, line, text):
    ((code, location, message),) = messages(parsers.parse(data))
    assert (code, location, message) == ("xml_syntax", f"XML line {line}", text)
    assert message.count(f"Zeile {line}") == 1


def test_xml_broken_before_its_root_is_a_syntax_error_not_an_unknown_format():
    ((code, location, message),) = messages(parsers.parse(b'<?xml version="1.0"?>\n<rsm:Validated xmlns:rsm="x"\n<'))
    assert (code, location) == ("xml_syntax", "XML line 3")
    assert message.startswith("Die XML-Datei ist fehlerhaft (Zeile 3, Spalte ")


def test_an_undeclared_namespace_prefix_is_named():
    data = SDAT.replace(b' xmlns:rsm="http://www.strom.ch"', b"", 1)
    assert messages(parsers.parse(data)) == [
        (
            "xml_syntax",
            "XML line 4",
            "Die XML-Datei ist fehlerhaft (Zeile 4): das Namensraum-Präfix «rsm» ist nicht deklariert.",
        )
    ]


@pytest.mark.parametrize(
    "location, place",
    [
        ("line 14", "Zeile 14"),
        ("line 2, column 'Strombezug [kWh]'", "Zeile 2, Spalte «Strombezug [kWh]»"),
        ("column 'Messpunkt'", "Spalte «Messpunkt»"),
        ("XML line 309", "XML-Zeile 309"),
        ("file", "Datei"),
        ("mapping", "Spaltenzuordnung"),
        ("zaehler-juni.csv", "zaehler-juni.csv"),
    ],
)
def test_where_a_finding_is_said_in_german_while_its_location_stays_stable_for_machines(location, place):
    from metering.messages import Finding

    finding = Finding("empty_file", location)

    assert (finding.place, finding.as_dict()["location"]) == (place, location)


def test_a_repeated_quarter_hour_names_its_first_place_in_german():
    data = b"Zeit;Bezug\n15.06.2026 00:15;1\n15.06.2026 00:15;2\n"
    mapping = GenericMapping(timestamp_column="Zeit", consumption_columns=("Bezug",), metering_point_label=None)

    (finding,) = [finding_from_problem(p) for p in generic.parse(data, mapping=mapping).problems]

    assert (finding.code, finding.place) == ("duplicate_slot", "Zeile 3")
    assert finding.message.endswith("kommt in der Datei mehrfach vor; zuerst bei Zeile 2.")


@pytest.mark.parametrize(
    "data, text",
    [
        (
            bytes(range(256)) * 4,
            "Das Dateiformat wurde nicht erkannt: die Datei ist kein Text (weder UTF-8 noch Windows-1252).",
        ),
        (
            b"Guten Tag\nkeine Tabelle\n",
            "Das Dateiformat wurde nicht erkannt: weder SDAT-CH-XML noch eine Tabelle mit Trennzeichen.",
        ),
        (
            b'<?xml version="1.0"?><Rechnung xmlns="urn:example"/>',
            "Das Dateiformat wurde nicht erkannt: das Wurzelelement «Rechnung» gehört nicht zum SDAT-Namensraum "
            "(http://www.strom.ch).",
        ),
    ],
)
def test_an_unrecognised_file_is_explained_in_german(data, text):
    (problem,) = parsers.parse(data, filename="x").problems

    assert (problem.code, finding_from_problem(problem).message) == ("unknown_format", text)
