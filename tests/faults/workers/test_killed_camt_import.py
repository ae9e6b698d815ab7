"""A camt.054 import killed while it books: nothing of it is booked, importing the file again books every payment
once, and booking the left-over staged record afterwards counts nothing twice.

The camt import has no Celery task: it runs in the request (admin, portal) or in ``import_bank_file``; the process
that dies here is the command's.
"""

from decimal import Decimal

import pytest

from billing.models import Settlement, SettlementKind
from communities.models import Door
from payments.bank_import import bank_file_book
from payments.models import BankCredit, BankFile
from tests.billing.conftest import march_community  # noqa: F401  (five participants, March 2026)
from tests.faults.workers.conftest import until
from tests.payments.bank.conftest import issued  # noqa: F401  (issued March 2026 invoices and bank files)

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_import_killed_while_booking_then_imported_again_books_each_payment_once(
    issued,  # noqa: F811
    processes,
    database,
    tmp_path,
):
    first, second = issued.invoices[:2]
    path = tmp_path / "camt054.xml"
    path.write_bytes(issued.camt(issued.paying(first, ref="TX-1"), issued.paying(second, ref="TX-2")))

    # The payments are written after the file has been marked booked, in the same transaction.
    with database.table_lock("billing_settlement"):
        killed = processes.command("import_bank_file", str(path))
        stuck = until(
            lambda: database.waiting_for("billing_settlement"), timeout=90, what="the booking mid-way", log=killed.log
        )
        killed.kill()
    until(lambda: database.backends_gone(stuck), timeout=30, what="the killed import's transaction to end")
    (staged,) = BankFile.objects.all()
    assert (staged.status, staged.booked_at) == ("preview", None)  # recorded before booking, never booked
    assert Settlement.objects.filter(kind=SettlementKind.PAYMENT).count() == 0
    assert BankCredit.objects.count() == 0

    again = processes.command("import_bank_file", str(path))
    assert again.popen.wait(timeout=120) == 0, again.log.read_text()
    booked = BankFile.objects.get(status="booked")
    payments = Settlement.objects.filter(kind=SettlementKind.PAYMENT).order_by("invoice__number")
    assert [(p.invoice_id, p.amount_chf) for p in payments] == [
        (first.pk, -first.total_chf),
        (second.pk, -second.total_chf),
    ]
    assert BankCredit.objects.filter(bank_file=booked).count() == 2

    # A person books the record the killed import left staged: the same bytes are not booked a second time.
    outcome = bank_file_book(bank_file=staged, actor=None, door=Door.ADMIN)
    assert outcome.status == "unchanged"
    assert Settlement.objects.filter(kind=SettlementKind.PAYMENT).count() == 2
    assert sum(p.amount_chf for p in payments) == -(first.total_chf + second.total_chf)
    assert first.total_chf > Decimal(0)
