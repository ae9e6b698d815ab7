"""Where our split differs from the VNB's: the rule for a deviating day, and one participant's deviating days.

Reads only (selectors for the reconciliation console); three queries for a participant, whatever the size of
the community or the number of days.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Q

from billing.models import BillingRun, RunDay
from billing.services import DEVIATION_TOLERANCE_WH
from communities.models import Membership, MeteringPoint, Participant
from openleg.periods import local_date


def deviating(ours: str, theirs: str) -> Q:
    """A day where the VNB gave a figure and ours differs from it by more than the tolerance."""
    return Q(**{f"{theirs}__isnull": False}) & (
        Q(**{f"{ours}__gt": F(theirs) + DEVIATION_TOLERANCE_WH})
        | Q(**{f"{ours}__lt": F(theirs) - DEVIATION_TOLERANCE_WH})
    )


DEVIATING_DAY = deviating("leg_wh", "vnb_leg_wh") | deviating("delivered_wh", "vnb_delivered_wh")


def _difference(ours: int, theirs: int | None) -> int | None:
    return None if theirs is None else ours - theirs


@dataclass(frozen=True)
class DeviationDay:
    """One Europe/Zurich day of one participant, in Wh; the VNB's figures are None where it split nothing."""

    day: date
    leg_wh: int
    vnb_leg_wh: int | None
    delivered_wh: int
    vnb_delivered_wh: int | None
    metering_points: tuple[MeteringPoint, ...]

    @property
    def leg_difference_wh(self) -> int | None:
        return _difference(self.leg_wh, self.vnb_leg_wh)

    @property
    def delivered_difference_wh(self) -> int | None:
        return _difference(self.delivered_wh, self.vnb_delivered_wh)

    @property
    def leg_deviates(self) -> bool:
        return self.leg_difference_wh is not None and abs(self.leg_difference_wh) > DEVIATION_TOLERANCE_WH

    @property
    def delivered_deviates(self) -> bool:
        difference = self.delivered_difference_wh
        return difference is not None and abs(difference) > DEVIATION_TOLERANCE_WH


def participant_deviations(*, run: BillingRun, participant: Participant) -> list[DeviationDay]:
    """Every day of the run where the participant's LEG share or delivery differs from the VNB's, by day, with
    the metering points the participant had on that day (to open their meter data)."""
    first = local_date(run.period_start)
    last = local_date(run.period_end - timedelta(microseconds=1))
    memberships = list(
        Membership.objects.filter(participant=participant, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .select_related("metering_point")
        .order_by("valid_from", "pk")
    )
    rows = (
        RunDay.objects.filter(DEVIATING_DAY, run=run, participant=participant)
        .order_by("day")
        .values_list("day", "leg_wh", "vnb_leg_wh", "delivered_wh", "vnb_delivered_wh")
    )
    return [
        DeviationDay(
            day,
            leg,
            vnb_leg,
            delivered,
            vnb_delivered,
            tuple(
                membership.metering_point
                for membership in memberships
                if membership.valid_from <= day and (membership.valid_to is None or membership.valid_to >= day)
            ),
        )
        for day, leg, vnb_leg, delivered, vnb_delivered in rows
    ]
