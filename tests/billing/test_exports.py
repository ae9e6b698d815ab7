"""A run's spreadsheets carry exactly the run's stored figures, read back with pandas."""

import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.exports import run_days_csv, run_participants_csv, run_xlsx
from billing.run_page import approval_preview
from billing.services import billing_run_start

pytestmark = pytest.mark.django_db

ENERGY = ["Verbrauch", "LEG-Anteil", "Netzbezug", "Produktion", "an LEG geliefert", "Überschuss"]
FIGURES = ["consumption", "leg", "grid", "production", "delivered", "surplus"]
PARTICIPANT_HEADERS = [
    "Kundennummer",
    "Teilnehmende",
    "Rolle",
    *(f"{label} (kWh)" for label in ENERGY),
    "LEG-Strom (CHF)",
    "Gutschrift Produktion (CHF)",
    "Gebühr (CHF)",
    "MWST (CHF)",
    "Übertrag Guthaben (CHF)",
    "Saldo (CHF)",
]


def exact(values) -> Decimal:
    """The sum of a column read back: each float cell is the shortest repr of a decimal with 2 or 3 places."""
    return sum((Decimal(repr(float(value))) for value in values), Decimal(0))


@pytest.fixture
def march_run(march_community):
    return billing_run_start(community=march_community, year=2026, month=3)


def test_participant_sheet_adds_up_to_the_run_totals_in_kwh_and_chf(march_run):
    sheets = pd.read_excel(io.BytesIO(run_xlsx(march_run)), sheet_name=None)
    assert list(sheets) == ["Teilnehmende", "Tageswerte"]
    people = sheets["Teilnehmende"]
    assert list(people.columns) == PARTICIPANT_HEADERS
    assert list(people["Kundennummer"]) == ["M1", "M2", "M3", "M4", "M5"]
    for label, figure in zip(ENERGY, FIGURES, strict=True):
        assert exact(people[f"{label} (kWh)"]) * 1000 == march_run.totals["wh"][figure]
    assert exact(people["LEG-Anteil (kWh)"]) == Decimal("1968.449")
    chf = march_run.totals["chf"]
    assert chf == {"energy": "394.21", "credit": "-231.55", "fee": "12.50"}
    assert exact(people["LEG-Strom (CHF)"]) == Decimal(chf["energy"])
    assert exact(people["Gutschrift Produktion (CHF)"]) == Decimal(chf["credit"])
    assert exact(people["Gebühr (CHF)"]) == Decimal(chf["fee"]) == Decimal("12.50")
    # each balance is the invoice total the approval page announces
    preview = {row["participant"].customer_number: row["total"] for row in approval_preview(march_run)}
    balances = {
        number: Decimal(repr(float(value)))
        for number, value in zip(people["Kundennummer"], people["Saldo (CHF)"], strict=True)
    }
    assert balances == preview


def test_day_sheet_has_a_row_per_participant_and_local_day_and_the_run_totals(march_run):
    days = pd.read_excel(io.BytesIO(run_xlsx(march_run)), sheet_name="Tageswerte")
    assert list(days.columns) == [
        "Tag",
        "Kundennummer",
        "Teilnehmende",
        "Rolle",
        *(f"{label} (kWh)" for label in ENERGY),
        "LEG-Anteil laut VNB (kWh)",
        "Lieferung laut VNB (kWh)",
    ]
    assert len(days) == 5 * 31
    assert days["Tag"].iloc[0] == pd.Timestamp("2026-03-01") and days["Tag"].iloc[-1] == pd.Timestamp("2026-03-31")
    for label, figure in zip(ENERGY, FIGURES, strict=True):
        assert exact(days[f"{label} (kWh)"]) * 1000 == march_run.totals["wh"][figure]
    assert days["LEG-Anteil laut VNB (kWh)"].isna().all()  # the VNB delivered no LEG split for March


def test_workbook_is_formatted_for_people(march_run):
    book = openpyxl.load_workbook(io.BytesIO(run_xlsx(march_run)))
    people, days = book["Teilnehmende"], book["Tageswerte"]
    assert people.freeze_panes == "A2"
    assert all(cell.font.bold for cell in people[1])
    assert people["D2"].number_format == "#,##0.000"  # Verbrauch (kWh)
    assert people["J2"].number_format == "#,##0.00"  # LEG-Strom (CHF)
    assert isinstance(people["D2"].value, (int, float))
    assert isinstance(days["A2"].value, datetime) and days["A2"].number_format == "DD.MM.YYYY"
    # Excel stores a column of n characters as n plus the default font's padding (5 px of Calibri 11 = 0.7109375)
    assert people.column_dimensions["A"].width == len("Kundennummer") + 2 + 0.7109375
    assert people.column_dimensions["E"].width == len("LEG-Anteil (kWh)") + 2 + 0.7109375


def test_csv_for_people_is_semicolon_separated_utf8_with_bom_in_swiss_figures(march_run):
    content = run_participants_csv(march_run)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ";".join(PARTICIPANT_HEADERS)
    names = {p.customer_number: p.display_name for p in march_run.community.participants.all()}
    assert lines[1] == (
        f"M1;{names['M1']};Verbraucher;586.949;488.956;97.993;0.000;0.000;0.000;97.97;0.00;2.50;0.00;0.00;100.47"
    )
    assert lines[4] == (
        f"M4;{names['M4']};Prosumer;594.601;494.485;100.116;1'327.488;984.419;343.069;98.92;-115.72;2.50;0.00;0.00;"
        "-14.30"
    )
    read_back = pd.read_csv(io.BytesIO(content), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(read_back.columns) == PARTICIPANT_HEADERS and len(read_back) == 5
    days = run_days_csv(march_run).decode("utf-8-sig").split("\r\n")
    assert days[1] == f"01.03.2026;M1;{names['M1']};Verbraucher;18.943;16.271;2.672;0.000;0.000;0.000;;"


def test_the_export_reads_in_a_fixed_number_of_queries(march_run, sample_month):
    two = billing_run_start(community=sample_month, year=2026, month=6)
    for run in (march_run, two):  # five participants, then two
        with CaptureQueriesContext(connection) as queries:
            run_xlsx(run)
        assert len(queries) == 4  # participants, energy sums, statement sums, day rows: none per participant


def test_the_admin_run_page_offers_the_workbook(staff, march_run):
    from django.urls import reverse

    page = staff.get(reverse("admin:billing_billingrun_change", args=[march_run.pk])).content.decode()
    url = f"/admin/billing/billingrun/{march_run.pk}/export.xlsx"
    assert f'<a href="{url}" class="ol-btn ol-btn-secondary">Excel-Export</a>' in page
    response = staff.get(url)
    assert response.status_code == 200
    assert pd.read_excel(io.BytesIO(response.content), sheet_name="Teilnehmende")["Kundennummer"].tolist() == [
        "M1",
        "M2",
        "M3",
        "M4",
        "M5",
    ]
