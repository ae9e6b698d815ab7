from celery import shared_task

from metering.models import MeterImport
from metering.services import meter_import_run


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60, acks_late=True)
def apply_meter_import(meter_import_id: int) -> str:
    """Apply a staged file (large uploads); a second run finds it applied and changes nothing."""
    outcome = meter_import_run(meter_import_id=meter_import_id)
    return outcome.status if outcome is not None else MeterImport.objects.get(pk=meter_import_id).status
