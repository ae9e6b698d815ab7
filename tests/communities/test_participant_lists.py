"""Reading participant lists: CSV (UTF-8 with or without BOM, Windows-1252, ';' or ','), XLSX, German headers in
any case and spacing, and every problem at its row and column in the words the page shows."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communities.participant_lists import MAX_ROWS, read_participant_list

HEADERS = [
    "Kundennummer",
    "Nachname",
    "Vorname",
    "Firma",
    "Strasse",
    "Hausnummer",
    "PLZ",
    "Ort",
    "E-Mail",
    "Telefon",
    "Rolle",
    "IBAN",
    "Mitglied ab",
    "Messpunkt",
    "Anschlussleistung kW",
    "installierte Leistung kWp",
    "Trafokreis",
]  # the template's columns
POINT_1 = "CH1009991234500000300000000000011"
POINT_2 = "CH1009991234500000300000000000012"


def person(**changes) -> dict[str, str]:
    row = {
        "Kundennummer": "30101",
        "Nachname": "Zürcher",
        "Vorname": "Käthi",
        "Firma": "",
        "Strasse": "Rebhaldenweg",
        "Hausnummer": "20",
        "PLZ": "5000",
        "Ort": "Rebwil",
        "E-Mail": "kaethi@example.ch",
        "Telefon": "",
        "Rolle": "Prosumer",
        "IBAN": "CH93 0076 2011 6238 5295 7",
        "Mitglied ab": "01.04.2027",
        "Messpunkt": POINT_1,
        "Anschlussleistung kW": "25",
        "installierte Leistung kWp": "9.6",
        "Trafokreis": "TS-1",
    }
    return {**row, **changes}


def csv_bytes(rows: list[dict], *, sep: str = ";", encoding: str = "utf-8", headers=HEADERS) -> bytes:
    lines = [sep.join(headers)] + [sep.join(row.get(header, "") for header in headers) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def messages(content: bytes) -> list[str]:
    return [str(error) for error in read_participant_list(content).errors]


def test_a_good_row_is_typed_for_the_models():
    parsed = read_participant_list(csv_bytes([person()]))

    assert parsed.errors == []
    (row,) = parsed.rows
    assert row.line == 2
    assert row.participant == {
        "customer_number": "30101",
        "last_name": "Zürcher",
        "first_name": "Käthi",
        "company_name": "",
        "street": "Rebhaldenweg",
        "house_number": "20",
        "postcode": "5000",
        "town": "Rebwil",
        "email": "kaethi@example.ch",
        "phone": "",
        "role": "prosumer",
        "iban": "CH9300762011623852957",
        "member_from": date(2027, 4, 1),
        "kind": "person",
    }
    assert row.point == {
        "mp_id": POINT_1,
        "connection_capacity_kw": Decimal("25"),
        "installed_capacity_kwp": Decimal("9.6"),
        "transformer_circuit": "TS-1",
    }


def test_headers_match_whatever_their_case_and_spacing_and_a_company_is_told_by_its_firm():
    headers = [header.upper().replace(" ", "  ") for header in HEADERS]
    row = dict(zip(headers, person(Firma="Rebhalde AG", Nachname="").values(), strict=True))

    parsed = read_participant_list(csv_bytes([row], headers=headers))

    assert parsed.errors == []
    assert parsed.rows[0].participant["kind"] == "company"
    assert parsed.rows[0].participant["company_name"] == "Rebhalde AG"


def test_missing_columns_are_all_named():
    headers = [header for header in HEADERS if header not in ("Rolle", "Messpunkt", "PLZ")]

    assert messages(csv_bytes([person()], headers=headers)) == [
        "Es fehlen Spalten: «PLZ», «Rolle», «Messpunkt». Die Vorlage zeigt alle Spalten."
    ]


def test_an_empty_file_and_a_header_without_rows():
    assert messages(b"") == ["Die Datei ist leer."]
    assert messages(b"\xef\xbb\xbf\r\n") == ["Die Datei ist leer."]
    assert messages(csv_bytes([])) == ["Die Datei enthält keine Zeilen mit Teilnehmenden."]


def test_a_file_that_is_no_table():
    assert messages(b"%PDF-1.7\x00\x01\x02binary") == [
        "Die Datei ist keine Tabelle: bitte eine CSV-Datei oder eine Excel-Datei (.xlsx) hochladen."
    ]
    assert messages(b"\xd0\xcf\x11\xe0old excel") == [
        "Excel-Dateien im alten Format (.xls) bitte als .xlsx oder CSV speichern und erneut hochladen."
    ]


def test_too_many_rows():
    rows = [person(Kundennummer=str(n), Messpunkt=f"CH100999{n:025d}") for n in range(MAX_ROWS + 1)]

    assert messages(csv_bytes(rows)) == ["Die Datei hat 2001 Zeilen; eine Liste darf höchstens 2000 Zeilen haben."]


def test_a_bad_metering_point_id():
    assert messages(csv_bytes([person(Messpunkt="CH10099912345")])) == [
        "Zeile 2, Spalte «Messpunkt»: Eine Messpunkt-ID hat 33 Zeichen: «CH», 6 Ziffern der VNB-Nummer und "
        "25 Zeichen aus 0–9, A–Z oder «-»."
    ]


def test_a_metering_point_id_is_read_without_spaces_and_in_capitals():
    spaced = "ch100999 12345 0000030000 0000000011"

    parsed = read_participant_list(csv_bytes([person(Messpunkt=spaced)]))

    assert parsed.rows[0].point["mp_id"] == POINT_1


def test_a_bad_date_and_both_date_spellings():
    assert messages(csv_bytes([person(**{"Mitglied ab": "31.02.2027"})])) == [
        "Zeile 2, Spalte «Mitglied ab»: «31.02.2027» ist kein Datum; bitte TT.MM.JJJJ schreiben, z. B. 01.04.2027."
    ]
    parsed = read_participant_list(csv_bytes([person(**{"Mitglied ab": "2027-04-01"})]))
    assert parsed.rows[0].participant["member_from"] == date(2027, 4, 1)


def test_a_bad_iban_and_a_qr_iban():
    assert messages(csv_bytes([person(IBAN="CH93 0076 2011 6238 5295 8")])) == [
        "Zeile 2, Spalte «IBAN»: Die IBAN CH9300762011623852958 ist ungültig: Länge oder Prüfziffer stimmt nicht."
    ]
    assert messages(csv_bytes([person(IBAN="CH44 3199 9123 0008 8901 2")])) == [
        "Zeile 2, Spalte «IBAN»: Die IBAN CH4431999123000889012 ist eine QR-IBAN: sie empfängt nur Zahlungen mit "
        "QR-Referenz. Für Auszahlungen braucht es die gewöhnliche IBAN des Kontos."
    ]


def test_an_unknown_role_names_the_model_roles():
    assert messages(csv_bytes([person(Rolle="Konsument")])) == [
        "Zeile 2, Spalte «Rolle»: «Konsument» ist keine Rolle; möglich sind Verbraucher, Produzent, Prosumer, Speicher."
    ]
    parsed = read_participant_list(csv_bytes([person(Rolle="verbraucher")]))
    assert parsed.rows[0].participant["role"] == "consumer"


def test_decimal_comma_and_point_and_thousands_apostrophe():
    rows = [
        person(**{"Anschlussleistung kW": "12,5"}),
        person(Kundennummer="30102", Messpunkt=POINT_2, **{"Anschlussleistung kW": "1'250.75"}),
    ]

    parsed = read_participant_list(csv_bytes(rows))

    assert [row.point["connection_capacity_kw"] for row in parsed.rows] == [Decimal("12.5"), Decimal("1250.75")]
    assert messages(csv_bytes([person(**{"Anschlussleistung kW": "zwölf"})])) == [
        "Zeile 2, Spalte «Anschlussleistung kW»: «zwölf» ist keine Zahl; bitte z. B. 12.5 oder 12,5 schreiben."
    ]
    assert messages(csv_bytes([person(**{"Anschlussleistung kW": "-3"})])) == [
        "Zeile 2, Spalte «Anschlussleistung kW»: Der Wert darf nicht negativ sein."
    ]


def test_a_person_needs_a_last_name_and_the_postcode_is_swiss():
    assert messages(csv_bytes([person(Nachname="", PLZ="123")])) == [
        "Zeile 2, Spalte «PLZ»: Eine Schweizer Postleitzahl hat vier Ziffern, z. B. 8001.",
        "Zeile 2, Spalte «Nachname»: Bitte den Nachnamen angeben.",
    ]


def test_duplicate_metering_points_name_both_rows():
    rows = [person(), person(Kundennummer="30102", Nachname="Meier")]

    assert messages(csv_bytes(rows)) == [
        f"Zeile 3, Spalte «Messpunkt»: Der Messpunkt {POINT_1} steht schon in Zeile 2; jeder Messpunkt darf nur "
        "einmal vorkommen."
    ]


def test_a_customer_number_again_with_other_data_and_again_with_the_same():
    same = [person(), person(Messpunkt=POINT_2)]
    assert messages(csv_bytes(same)) == []
    conflicting = [person(), person(Messpunkt=POINT_2, Ort="Talwil")]
    assert messages(csv_bytes(conflicting)) == [
        "Zeile 3, Spalte «Ort»: Kundennummer 30101 steht schon in Zeile 2, dort mit «Rebwil»."
    ]


def test_windows_1252_csv_with_commas():
    parsed = read_participant_list(csv_bytes([person()], sep=",", encoding="cp1252"))

    assert parsed.errors == []
    assert parsed.rows[0].participant["last_name"] == "Zürcher"


def test_utf8_with_bom():
    content = b"\xef\xbb\xbf" + csv_bytes([person()])

    parsed = read_participant_list(content)

    assert parsed.errors == []
    assert parsed.rows[0].participant["customer_number"] == "30101"


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    rows = [person(), {}, person(Kundennummer="30102", Messpunkt="kaputt")]

    assert messages(csv_bytes(rows)) == [
        "Zeile 4, Spalte «Messpunkt»: Eine Messpunkt-ID hat 33 Zeichen: «CH», 6 Ziffern der VNB-Nummer und "
        "25 Zeichen aus 0–9, A–Z oder «-»."
    ]


def test_xlsx_with_excel_dates_and_numbers():
    row = person()
    row["Mitglied ab"] = date(2027, 4, 1)
    row["Anschlussleistung kW"] = 25
    row["installierte Leistung kWp"] = 9.6
    row["PLZ"] = 5000
    buffer = io.BytesIO()
    pd.DataFrame([row], columns=HEADERS).to_excel(buffer, index=False)

    parsed = read_participant_list(buffer.getvalue())

    assert parsed.errors == []
    assert parsed.rows[0].participant["member_from"] == date(2027, 4, 1)
    assert parsed.rows[0].participant["postcode"] == "5000"
    assert parsed.rows[0].point["connection_capacity_kw"] == Decimal("25")
    assert parsed.rows[0].point["installed_capacity_kwp"] == Decimal("9.6")


@pytest.mark.parametrize("header", ["E-Mail", "IBAN", "installierte Leistung kWp"])
def test_an_optional_column_may_be_missing(header):
    headers = [name for name in HEADERS if name != header]

    parsed = read_participant_list(csv_bytes([person()], headers=headers))

    assert parsed.errors == []
    assert "email" not in parsed.rows[0].participant or header != "E-Mail"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(alphabet=";,\r\n\"'0123456789.-CHKundenmrÄé ", max_size=300).map(str.encode))
def test_whatever_the_bytes_the_reader_answers_with_rows_or_errors_and_never_raises(content):
    parsed = read_participant_list(csv_bytes([person()])[:120] + content)

    assert all(isinstance(str(error), str) for error in parsed.errors)
    assert parsed.rows or parsed.errors


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf"]), st.binary(max_size=300))
def test_a_file_of_any_bytes_gets_an_answer(start, rest):
    parsed = read_participant_list(start + rest)

    assert parsed.rows or parsed.errors


@pytest.mark.parametrize("name,text", [("liste.txt", "Kundennummer"), ("[Content_Types].xml", "<kaputt")])
def test_a_zip_that_is_no_workbook_is_no_table(name, text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)

    assert messages(buffer.getvalue()) == [
        "Die Datei ist keine Tabelle: bitte eine CSV-Datei oder eine Excel-Datei (.xlsx) hochladen."
    ]
