import logging

from celery import shared_task

from communities.models import Community, CommunityStatus, Door
from openleg.errors import DomainError
from openleg.periods import local_date, utc_now
from payments.reminders import reminder_run_propose

logger = logging.getLogger(__name__)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
def propose_reminders() -> int:
    """Beat, daily: a list of due reminders per active community, for a person to approve. Returns how many
    lists were proposed; a community with nothing due or a list already waiting is left alone."""
    today = local_date(utc_now())
    proposed = 0
    for community in Community.objects.filter(status=CommunityStatus.ACTIVE).order_by("pk"):
        try:
            reminder_run_propose(community=community, as_of=today, actor=None, door=Door.TASK)
        except DomainError as error:
            logger.info("No reminders proposed for %s: %s", community, error.message)
            continue
        proposed += 1
    return proposed
