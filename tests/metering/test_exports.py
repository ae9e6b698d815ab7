"""A metering point's month of quarter-hours as a spreadsheet: local starts, DST days, kWh and quality marks."""

import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from communities.models import Door
from metering.exports import point_month_csv, point_month_xlsx
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import meter_file_import
from openleg.periods import local_day
from tests.communities.factories import MeteringPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def october_point(db):
    """The DST day of October 2026 (100 quarter-hours): consumption measured, production provisional."""
    point = MeteringPointFactory(mp_id="CH1007771234500000000000000000042")
    start = local_day(date(2026, 10, 25)).start
    data = write_e66(
        [
            SdatSeries(point.mp_id, "consumption", "total", start, list(range(1, 101))),
            SdatSeries(point.mp_id, "production", "total", start, [1500] * 100, provisional=True),
        ],
        document_id="OKT",
        created=datetime(2026, 10, 26, tzinfo=UTC),
    )
    assert meter_file_import(data=data, filename="okt.xml", actor=None, door=Door.COMMAND).ok
    return point


def test_october_has_a_100_row_dst_day_with_both_two_oclock_hours(october_point):
    sheet = pd.read_excel(io.BytesIO(point_month_xlsx(october_point, 2026, 10)), sheet_name="Viertelstunden")
    assert list(sheet.columns) == [
        "Beginn (Ortszeit)",
        "Zeitzone",
        "Bezug Total (kWh)",
        "Bezug Total Qualität",
        "Einspeisung Total (kWh)",
        "Einspeisung Total Qualität",
    ]
    assert len(sheet) == 31 * 96 + 4
    day = sheet[sheet["Beginn (Ortszeit)"].dt.date == date(2026, 10, 25)]
    assert len(day) == 100
    two_oclock = day[day["Beginn (Ortszeit)"] == pd.Timestamp("2026-10-25 02:00")]
    assert list(two_oclock["Zeitzone"]) == ["UTC+02:00", "UTC+01:00"]
    assert round(day["Bezug Total (kWh)"].sum(), 6) == 5.05  # 1 + 2 + … + 100 Wh
    assert set(day["Einspeisung Total Qualität"]) == {"provisorisch"}
    assert set(day["Bezug Total Qualität"]) == {"gemessen"}
    other = sheet[sheet["Beginn (Ortszeit)"].dt.date == date(2026, 10, 24)]
    assert other["Bezug Total (kWh)"].isna().all() and set(other["Bezug Total Qualität"]) == {"fehlt"}


def test_march_has_a_92_row_dst_day(october_point):
    sheet = pd.read_excel(io.BytesIO(point_month_xlsx(october_point, 2026, 3)))
    assert len(sheet) == 31 * 96 - 4 == 2972
    starts = sheet["Beginn (Ortszeit)"]
    assert (starts.dt.date == date(2026, 3, 29)).sum() == 92
    assert pd.Timestamp("2026-03-29 02:00") not in set(starts)
    assert list(sheet.columns) == ["Beginn (Ortszeit)", "Zeitzone"]  # no series stored in March


def test_csv_names_local_times_and_swiss_figures(october_point):
    content = point_month_csv(october_point, 2026, 10)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "Beginn (Ortszeit);Zeitzone;Bezug Total (kWh);Bezug Total Qualität;"
        "Einspeisung Total (kWh);Einspeisung Total Qualität"
    )
    assert lines[1] == "01.10.2026 00:00;UTC+02:00;;fehlt;;fehlt"
    day = [line for line in lines if line.startswith("25.10.2026")]
    assert len(day) == 100
    assert day[0] == "25.10.2026 00:00;UTC+02:00;0.001;gemessen;1.500;provisorisch"
    assert day[8] == "25.10.2026 02:00;UTC+02:00;0.009;gemessen;1.500;provisorisch"
    assert day[12] == "25.10.2026 02:00;UTC+01:00;0.013;gemessen;1.500;provisorisch"
