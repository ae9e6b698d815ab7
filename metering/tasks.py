from celery import shared_task

from metering.models import MeterImport
from metering.services import meter_import_apply


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60, acks_late=True)
def apply_meter_import(meter_import_id: int) -> str:
    """Apply a staged file (large uploads); a second run finds it applied and changes nothing."""
    meter_import = MeterImport.objects.get(pk=meter_import_id)
    if meter_import.status != MeterImport.Status.PREVIEW:
        return meter_import.status
    return meter_import_apply(meter_import=meter_import).status
