from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Invoice
from billing.receivables import payment_book, payment_state
from billing.services import billing_run_approve, billing_run_start
from tests.billing.test_admin import table_row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("total", "open_chf", "charged", "state"),
    [
        ("100.47", "100.47", "0", "open"),
        ("100.47", "50.47", "0", "partly_paid"),
        ("100.47", "0.00", "0", "paid"),
        ("100.47", "-5.00", "0", "overpaid"),
        ("100.47", "120.47", "20.00", "open"),  # a reminder fee is part of what is due
        ("-14.30", "-14.30", "0", "credit_open"),
        ("-14.30", "0.00", "0", "credit_settled"),
        ("0.00", "0.00", "0", "settled"),
    ],
)
def test_payment_state(total, open_chf, charged, state):
    assert payment_state(total=Decimal(total), open_chf=Decimal(open_chf), charged=Decimal(charged)) == state


def test_the_invoice_list_shows_open_amounts_states_and_filters_by_them(staff, march_community):
    run = billing_run_approve(
        run=billing_run_start(community=march_community, year=2026, month=3),
        actor=None,
        reason="x",
        override_missing=True,
    )
    first = Invoice.objects.get(run=run, participant__customer_number="M1")
    payment_book(invoice=first, amount=Decimal("60.00"), booked_on=date(2026, 4, 20), actor=None, door="command")
    url = reverse("admin:billing_invoice_changelist")
    page = staff.get(url).content.decode()
    assert table_row(page, first.display_number)[4:7] == ["100.47", "40.47", "teilweise bezahlt"]
    credit = Invoice.objects.get(run=run, participant__customer_number="M5")
    assert table_row(page, credit.display_number)[4:7] == ["-113.33", "-113.33", "Guthaben offen"]

    credits = staff.get(url, {"open": "credit"}).content.decode()
    assert credit.display_number in credits and first.display_number not in credits
    detail = staff.get(reverse("admin:billing_invoice_change", args=[first.pk])).content.decode()
    assert "Zahlungseingang" in detail and "-60.00" in detail
