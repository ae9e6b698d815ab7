import pytest

from tests.billing.conftest import march_community  # noqa: F401  (the March 2026 community)

PARTICIPANT_IBANS = [
    "CH5604835012345678009",
    "CH9300762011623852957",
    "CH3908704016075473007",
    "CH0300700110000123456",
    "CH0209000000100013997",
]


@pytest.fixture
def payout_community(march_community):  # noqa: F811
    """The March community paying credits out, every participant with an IBAN, March 2026 approved and issued."""
    from billing.services import billing_run_approve, billing_run_start
    from communities.models import Community, Participant

    Community.objects.filter(pk=march_community.pk).update(credit_handling="payout", name="LEG Sonnenberg")
    participants = Participant.objects.filter(community=march_community).order_by("customer_number")
    for participant, iban in zip(participants, PARTICIPANT_IBANS, strict=True):
        Participant.objects.filter(pk=participant.pk).update(iban=iban)
    community = Community.objects.get(pk=march_community.pk)
    run = billing_run_start(community=community, year=2026, month=3)
    billing_run_approve(run=run, actor=None, reason="x", override_missing=True)
    return community
