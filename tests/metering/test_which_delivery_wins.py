"""Overlapping re-deliveries: per slot the newest document wins, measured beats provisional on a tie,
whatever order the files arrive in (issue: "Which delivery wins")."""

import random
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from metering.daybuckets import from_bytes, sources_from_bytes
from metering.models import DaySeries, MeterImport
from metering.parsers.base import Quality
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import meter_file_import
from tests.metering.conftest import CONSUMER

pytestmark = pytest.mark.django_db

FILES, WINDOW = 200, 5
FIRST_DAY = datetime(2026, 1, 1, tzinfo=UTC)
CHANNELS = [(d, c) for d in ("consumption", "production") for c in ("total", "leg", "grid")]
TWIN_EVERY = 10  # every tenth file has a provisional twin made at the same instant


def _created(file: int) -> datetime:
    return FIRST_DAY + timedelta(days=file, hours=30)  # the morning after the window's last day


def _day_values(file: int, day: int, twin: bool) -> dict[tuple[str, str], list[int]]:
    """Wh per quarter-hour of one UTC day as file ``file`` delivers it: provisional the first two days, and
    some slots revised from file to file."""
    slot = np.arange(96)
    age = file - day
    revised = np.where(slot % 13 == 0, age, 0)
    bump = 3 if age < 2 else 0
    bump += 1000 if twin else 0
    shares = {
        "consumption": (100 + slot % 50 + revised + bump, 200 + slot % 70 + bump),
        "production": (50 + slot % 30 + bump, np.where((slot > 28) & (slot < 72), 400 + slot + revised, 0)),
    }
    out = {}
    for direction, (leg, grid) in shares.items():
        out[(direction, "leg")], out[(direction, "grid")] = leg.tolist(), grid.tolist()
        out[(direction, "total")] = (leg + grid).tolist()
    return out


def _days_of(file: int, twin: bool) -> list[int]:
    days = range(max(0, file - WINDOW + 1), file + 1)
    return [day for day in days if not twin or file - day >= 2]  # a twin carries only the measured days


def _provisional(file: int, day: int, twin: bool) -> bool:
    return twin or file - day < 2


def _document(file: int, twin: bool = False) -> tuple[str, bytes]:
    series = [
        SdatSeries(
            CONSUMER,
            direction,
            channel,
            FIRST_DAY + timedelta(days=day),
            _day_values(file, day, twin)[(direction, channel)],
            provisional=_provisional(file, day, twin),
        )
        for day in _days_of(file, twin)
        for direction, channel in CHANNELS
    ]
    name = f"E66_{file:03d}{'_twin' if twin else ''}.xml"
    return name, write_e66(series, document_id=name[:-4], created=_created(file))


def _deliveries() -> list[tuple[int, bool, str, bytes]]:
    files = []
    for file in range(FILES):
        files.append((file, False, *_document(file)))
        if file % TWIN_EVERY == 5:
            files.append((file, True, *_document(file, twin=True)))
    return files


def _expected() -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, list[str]]]:
    """Per slot the newest document, measured before provisional on the same instant: computed directly."""
    best: dict[int, tuple[tuple[datetime, bool], int, bool, str]] = {}
    for file, twin, name, _data in _deliveries():
        for day in _days_of(file, twin):
            rank = (_created(file), not _provisional(file, day, twin))
            if day not in best or rank > best[day][0]:
                best[day] = (rank, file, twin, name)
    expected = {}
    for key in CHANNELS:
        values = np.concatenate([_day_values(best[d][1], d, best[d][2])[key] for d in range(FILES)])
        quality = np.concatenate(
            [
                np.full(96, Quality.PROVISIONAL if _provisional(best[d][1], d, best[d][2]) else Quality.MEASURED)
                for d in range(FILES)
            ]
        )
        names = [best[d][3] for d in range(FILES) for _slot in range(96)]
        expected[key] = (values, quality, names)
    return expected


def _stored() -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, list[str]]]:
    names = dict(MeterImport.objects.values_list("pk", "filename"))
    stored = {}
    for key in CHANNELS:
        rows = DaySeries.objects.filter(metering_point__mp_id=CONSUMER, direction=key[0], channel=key[1]).order_by(
            "day"
        )
        assert [row.day for row in rows] == [date(2026, 1, 1) + timedelta(days=n) for n in range(FILES)]
        values = np.concatenate([from_bytes(row.values, row.quality)[0] for row in rows])
        quality = np.concatenate([from_bytes(row.values, row.quality)[1] for row in rows])
        sources = [names[pk] for row in rows for pk in sources_from_bytes(row.sources, row.quality).tolist()]
        stored[key] = (values // 1000, quality, sources)  # mWh to Wh: the files carry whole Wh
    return stored


def _import_all(order: list[tuple[int, bool, str, bytes]]) -> dict[str, int]:
    statuses: dict[str, int] = {}
    for _file, _twin, name, data in order:
        outcome = meter_file_import(data=data, filename=name, actor=None, door="command")
        assert outcome.errors == []
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return statuses


def _forget_everything() -> None:
    DaySeries.objects.all().delete()
    MeterImport.objects.all().delete()


def test_the_newest_document_wins_per_slot_whatever_the_order_of_arrival(leg):
    deliveries = _deliveries()
    assert len(deliveries) == 220  # 200 daily files and 20 provisional twins
    expected = _expected()
    shuffled = list(deliveries)
    random.Random(20260705).shuffle(shuffled)
    results = []
    for order in (list(reversed(deliveries)), deliveries, shuffled):
        _forget_everything()
        statuses = _import_all(order)
        stored = _stored()
        for key in CHANNELS:
            assert stored[key][0].tolist() == expected[key][0].tolist(), key
            assert stored[key][1].tolist() == expected[key][1].tolist(), key
            assert stored[key][2] == expected[key][2], key
        results.append(
            (
                statuses,
                {key: int(values.sum()) for key, (values, _q, _s) in stored.items()},
                {key: int((quality == Quality.PROVISIONAL).sum()) for key, (_v, quality, _s) in stored.items()},
            )
        )
    # Exact figures: Wh per channel over the 200 days and 19,200 quarter-hours of each channel, the last two days
    # provisional (the newest file is less than two days older than them). Consumption LEG by hand: 200 days of
    # 11,860 Wh, eight revised slots a day that the newest file raised by its age (4 Wh on 196 days, 3+2+1+0 on
    # the last four), 3 Wh more on each provisional slot: 2,372,000 + 6,272 + 48 + 576.
    sums = {
        ("consumption", "total"): 6_767_472,
        ("consumption", "leg"): 2_378_896,
        ("consumption", "grid"): 4_388_576,
        ("production", "total"): 5_096_946,
        ("production", "leg"): 1_224_576,
        ("production", "grid"): 3_872_370,
    }
    provisional = dict.fromkeys(CHANNELS, 2 * 96)
    assert [result[1] for result in results] == [sums] * 3
    assert [result[2] for result in results] == [provisional] * 3
    assert sum(len(values) for values, _q, _s in _stored().values()) == 6 * FILES * 96
    newest_first, oldest_first, _shuffled = (result[0] for result in results)
    # Newest first: each file still wins the oldest day of its window (the twin until its original comes), but
    # files 0 to 3, whose windows are cut at the first day, are the newest for no day at all.
    assert newest_first == {"applied": 216, "superseded": 4}
    # Oldest first: every twin comes after its original and loses everywhere.
    assert oldest_first == {"applied": 200, "superseded": 20}
