"""OpenLEG's subscription plans for utilities: one table, read by the Stripe sync, the portal and the API tiers.

Prices in CHF (Stripe amounts in Rappen are derived, never typed twice). A yearly price is ten monthly ones: two
months free for paying ahead. What a plan grants: the B2B API tier and how many communities the utility may run.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Plan:
    key: str  # stable: Stripe's lookup keys and our records use it
    name: str
    monthly_chf: Decimal
    yearly_chf: Decimal
    api_tier: str  # starter | professional | enterprise (the B2B API's tiers)
    max_communities: int | None  # None: no limit
    trial_days: int = 0

    def amount_rappen(self, interval: str) -> int:
        """Stripe's unit amount for ``interval`` ("month" or "year"), in Rappen."""
        chf = self.monthly_chf if interval == "month" else self.yearly_chf
        return int(chf * 100)


PLANS: dict[str, Plan] = {
    plan.key: plan
    for plan in (
        Plan("starter", _("Starter"), Decimal("990"), Decimal("9900"), "starter", 3, trial_days=30),
        Plan("professional", _("Professional"), Decimal("2990"), Decimal("29900"), "professional", 20, trial_days=30),
        Plan("enterprise", _("Enterprise"), Decimal("9900"), Decimal("99000"), "enterprise", None),
    )
}
INTERVALS = ("month", "year")
