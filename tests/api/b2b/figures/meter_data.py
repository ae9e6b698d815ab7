"""Meter data through the real import: an SDAT E66 file written and applied like a delivered one."""

from datetime import UTC, datetime

from communities.models import Door
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import meter_file_import
from openleg.periods import QUARTER_HOUR, ZURICH


def wall_clock_slot(moment: datetime) -> int:
    """0 for 00:00 … 95 for 23:45, Europe/Zurich."""
    local = moment.astimezone(ZURICH)
    return local.hour * 4 + local.minute // 15


def import_series(series: list[SdatSeries], document_id: str):
    data = write_e66(series, document_id=document_id, created=datetime(2026, 5, 1, tzinfo=UTC))
    outcome = meter_file_import(data=data, filename=f"{document_id}.xml", actor=None, door=Door.COMMAND)
    assert outcome.ok, outcome.errors
    return outcome


def by_wall_clock(mp_id: str, start: datetime, slots: int, offset: int, direction="consumption") -> SdatSeries:
    """A series whose value in Wh is its quarter-hour's wall-clock index plus ``offset``."""
    values = [wall_clock_slot(start + n * QUARTER_HOUR) + offset for n in range(slots)]
    return SdatSeries(mp_id, direction, "total", start, values)
