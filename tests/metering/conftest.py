from datetime import date
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meter"
CONSUMER = "CH10099912345000000000000000A4711"
PRODUCER = "CH10099912345000000000000000P4712"
BKW_POINT = "CH10222012345000000000000000B0815"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def leg(db):
    """A community of the sample files' VNB 100999 with the consumer and the producer of the samples."""
    # Imported here so that the pure parser tests below this folder run without Django.
    from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory
    from tests.pipeline.factories import UtilityFactory

    utility = UtilityFactory(vnb_number="100999")
    community = CommunityFactory(
        utility=utility, vnb_reference="100999-000042", status="active", start_date=date(2026, 1, 1)
    )
    for mp_id, role in ((CONSUMER, "consumer"), (PRODUCER, "producer")):
        MembershipFactory(
            metering_point=MeteringPointFactory(mp_id=mp_id, utility=utility),
            participant__community=community,
            participant__role=role,
            valid_from=date(2026, 1, 1),
        )
    bkw = UtilityFactory(vnb_number="102220")
    bkw_community = CommunityFactory(utility=bkw)
    MembershipFactory(
        metering_point=MeteringPointFactory(mp_id=BKW_POINT, utility=bkw),
        participant__community=bkw_community,
        valid_from=date(2026, 1, 1),
    )
    return community
