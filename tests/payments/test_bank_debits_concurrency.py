"""Two bank files booked at the same time: each transfer is confirmed once and a batch is confirmed once."""

import threading

import pytest
from django.db import connection

from billing.models import Settlement
from payments.models import BankDebit, PayoutBatch
from tests.payments.test_bank_debits import batch_of, debit, import_file, payouts


def simultaneously(*files) -> list:
    start = threading.Barrier(len(files))
    outcomes = []

    def book(entries, name):
        try:
            start.wait()
            outcomes.append(import_file(*entries, name=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(entries, name)) for name, entries in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_files_with_a_half_of_the_batch_each_confirm_it_once(payout_community):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)

    outcomes = simultaneously(("a.xml", [debit(m4, ref="D-1")]), ("b.xml", [debit(m5, ref="D-2")]))

    assert sorted(outcome.status for outcome in outcomes) == ["booked", "booked"]
    assert sorted(len(outcome.confirmed_batches) for outcome in outcomes) == [0, 1]
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_door) == ("confirmed", "import")
    assert Settlement.objects.filter(kind="payout").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_debits_in_two_files_at_once_confirm_each_transfer_once(payout_community):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    both = [debit(m4, ref="D-1"), debit(m5, ref="D-2")]

    outcomes = simultaneously(("camt054.xml", both), ("camt053.xml", both))

    statuses = sorted(tuple(d.status for d in outcome.debits) for outcome in outcomes)
    assert statuses == [("confirmed", "confirmed"), ("duplicate", "duplicate")]
    assert BankDebit.objects.filter(status="confirmed").count() == 2
    assert (PayoutBatch.objects.get().status, Settlement.objects.filter(kind="payout").count()) == ("confirmed", 2)
