import threading

import pytest
from django.db import connection

from openleg.errors import DomainError
from payments.models import Payout, PayoutBatch
from tests.payments.test_payouts import create


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_exports_pay_each_credit_once(payout_community):
    start = threading.Barrier(2)
    outcomes = []

    def export():
        try:
            start.wait()
            outcomes.append(create(payout_community).payout_count)
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes, key=str) == [2, "nothing_due"]
    assert (PayoutBatch.objects.count(), Payout.objects.filter(live=True).count()) == (1, 2)
