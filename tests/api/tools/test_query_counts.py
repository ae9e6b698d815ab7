"""The reads the agent calls most take a fixed number of queries, whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.factories import StaffUserFactory
from tests.api.tools.conftest import call
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def queries(token, name, arguments) -> int:
    with CaptureQueriesContext(connection) as captured:
        call(token, name, arguments)
    return len(captured.captured_queries)


def utilities(count: int) -> None:
    for number in range(count):
        UtilityFactory(
            canton="BE",
            score=50 + number,
            owner=StaffUserFactory(),
            next_action="Anrufen",
            next_action_due="2026-01-05",
        )


@pytest.mark.parametrize(("name", "arguments"), [("get_vnb_pipeline", {}), ("get_pipeline_dashboard", {})])
def test_pipeline_reads_do_not_grow_with_the_market(staff_token, name, arguments):
    utilities(1)
    few = queries(staff_token, name, arguments)
    utilities(6)
    many = queries(staff_token, name, arguments)
    assert few == many


def test_the_billing_summary_does_not_grow_with_the_participants(staff_token, march_community):
    from billing.services import billing_run_start

    billing_run_start(community=march_community, year=2026, month=3)
    arguments = {"community": march_community.pk, "month": "2026-03"}
    # savepoint, community, run, energy per participant, amounts per participant, release, the call's record
    assert queries(staff_token, "get_billing_summary", arguments) == 7
