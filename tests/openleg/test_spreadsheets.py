"""The table writer: a name that looks like a formula stays text in XLSX and CSV."""

import io
from decimal import Decimal

import openpyxl

from openleg.spreadsheets import CHF, TEXT, table, to_csv, to_xlsx


def test_text_that_looks_like_a_formula_stays_text():
    sheet = table("Liste", [("Teilnehmende", TEXT), ("Saldo (CHF)", CHF)], [('=HYPERLINK("x")', Decimal("-1234.5"))])
    cells = openpyxl.load_workbook(io.BytesIO(to_xlsx([sheet])))["Liste"]
    assert (cells["A2"].value, cells["A2"].data_type) == ('=HYPERLINK("x")', "s")
    assert (cells["B2"].value, cells["B2"].number_format) == (-1234.5, "#,##0.00")
    lines = to_csv(sheet).decode("utf-8-sig").split("\r\n")
    assert lines == ["Teilnehmende;Saldo (CHF)", '"\'=HYPERLINK(""x"")";-1\'234.50', ""]


def test_an_empty_table_has_its_headers():
    sheet = table("Leer", [("Tag", TEXT)], [])
    assert to_csv(sheet).decode("utf-8-sig") == "Tag\r\n"
    assert [cell.value for cell in openpyxl.load_workbook(io.BytesIO(to_xlsx([sheet])))["Leer"][1]] == ["Tag"]
