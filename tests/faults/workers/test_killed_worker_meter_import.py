"""A Celery worker killed while it stores a large meter file: nothing of the file is stored until the task comes
back, then all of it, once."""

import pytest

from communities.models import Door
from metering.models import DaySeries, MeterImport
from metering.parsers import parse
from metering.services import meter_import_stage
from openleg.periods import QUARTER_HOUR
from tests.faults.workers.conftest import until
from tests.metering.conftest import fixture_bytes, leg  # noqa: F401  (the sample files' community)

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SAMPLE = "sdat-e66-v16-leg-2mp.xml"


def test_worker_killed_while_storing_a_meter_file_stores_it_once_after_redelivery(
    leg,  # noqa: F811
    broker,
    processes,
    database,
    private_redis,
):
    data = fixture_bytes(SAMPLE)
    parsed = parse(data, filename=SAMPLE).series
    slots = sum(len(series.values_mwh) for series in parsed)
    # one stored row per metering point, direction, channel and UTC day the file's slots fall on
    rows = {
        (series.metering_point, series.direction, series.channel, (series.start + slot * QUARTER_HOUR).date())
        for series in parsed
        for slot in range(len(series.values_mwh))
    }
    staged = meter_import_stage(data=data, filename="gross.xml", actor=None, door=Door.TASK)
    first = processes.worker(visibility_timeout=4)
    # The day rows are written after the import has been marked applied, in the same transaction.
    with database.table_lock("metering_dayseries"):
        broker("metering.tasks.apply_meter_import", staged.pk)
        stuck = until(
            lambda: database.waiting_for("metering_dayseries"), timeout=60, what="the import mid-way", log=first.log
        )
        first.kill()
    until(lambda: database.backends_gone(stuck), timeout=30, what="the dead worker's transaction to end")

    staged.refresh_from_db()
    assert (staged.status, staged.run_state, staged.slots_new) == ("preview", "running", 0)
    assert DaySeries.objects.count() == 0
    assert private_redis.waiting() == (0, 1)

    second = processes.worker(visibility_timeout=4)
    until(
        lambda: MeterImport.objects.filter(pk=staged.pk, run_state="done").exists(),
        timeout=60,
        what="the import delivered again",
        log=second.log,
    )
    until(lambda: private_redis.waiting() == (0, 0), timeout=30, what="the acknowledgement", log=second.log)
    staged.refresh_from_db()
    assert (staged.status, staged.slots_new, staged.slots_changed) == ("applied", slots, 0)
    assert slots == 576
    assert DaySeries.objects.count() == len(rows) == 12  # the local 15 June spans two UTC days
    assert set(DaySeries.objects.values_list("last_import_id", flat=True)) == {staged.pk}
    assert MeterImport.objects.count() == 1
