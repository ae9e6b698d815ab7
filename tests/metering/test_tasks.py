import pytest

from communities.models import Door
from metering.models import DaySeries, MeterImport
from metering.services import meter_import_stage
from metering.tasks import apply_meter_import
from tests.metering.conftest import fixture_bytes

pytestmark = pytest.mark.django_db


def test_task_applies_a_staged_file_once_even_when_run_twice(leg):
    staged = meter_import_stage(
        data=fixture_bytes("sdat-e66-v16-leg-2mp.xml"), filename="big.xml", actor=None, door=Door.TASK
    )
    assert apply_meter_import.delay(staged.pk).get() == "applied"
    rows = list(DaySeries.objects.values_list("pk", "updated_at"))
    assert apply_meter_import.delay(staged.pk).get() == "applied"
    assert list(DaySeries.objects.values_list("pk", "updated_at")) == rows
    assert MeterImport.objects.get().slots_new == 576
