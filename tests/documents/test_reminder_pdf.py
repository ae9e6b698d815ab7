from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice
from billing.references import invoice_reference
from documents.pdf import html_to_pdf
from documents.reminder_pdf import reminder_html
from payments.reminders import reminder_run_approve, reminder_run_propose
from tests.billing.conftest import march_community  # noqa: F401
from tests.documents.pdftext import pdf_pages, squeezed
from tests.payments.test_reminders import due_day, issued  # noqa: F401

pytestmark = pytest.mark.django_db


def lines_of(pdf: bytes) -> list[str]:
    return [line for page in pdf_pages(pdf) for line in page.splitlines()]


def test_a_second_reminder_asks_for_the_open_amount_and_the_fee_with_the_invoices_reference(issued):  # noqa: F811
    community = issued.community
    as_of = due_day(issued) + timedelta(days=10)
    first = reminder_run_propose(community=community, as_of=as_of, actor=None, door="admin")
    reminder_run_approve(run=first, actor=None, door="admin")
    invoice = Invoice.objects.get(run=issued, participant__customer_number="M1")
    second_day = first.reminders.get(invoice=invoice).due_date + timedelta(days=10)
    second = reminder_run_propose(community=community, as_of=second_day, actor=None, door="admin")
    reminder_run_approve(run=second, actor=None, door="admin")
    reminder = second.reminders.get(invoice=invoice)
    assert (reminder.level, reminder.amount_due) == (2, Decimal("120.47"))

    pdf = html_to_pdf(reminder_html(reminder))
    lines = lines_of(pdf)

    assert f"2. Mahnung {invoice.display_number}" in lines
    assert f"Datum {second_day:%d.%m.%Y}" in lines
    assert f"Zahlbar bis {reminder.due_date:%d.%m.%Y}" in lines
    start = lines.index("Bezeichnung Betrag CHF")
    assert lines[start + 1 : start + 4] == [
        f"Rechnung {invoice.display_number} vom {timezone.localtime(invoice.issued_at):%d.%m.%Y} 100.47",
        "Mahngebühr 20.00",
        "Zu bezahlen 120.47",
    ]
    text = squeezed(" ".join(lines))
    assert squeezed(
        f"Trotz unserer Erinnerung ist die Rechnung {invoice.display_number} (fällig am {invoice.due_date:%d.%m.%Y}) "
        f"noch nicht bezahlt. Bitte bezahlen Sie CHF 120.47 bis am {reminder.due_date:%d.%m.%Y}"
    ) in text
    reference = invoice_reference(community_id=invoice.community_id, number=invoice.number, iban=invoice.issuer["iban"])
    grouped = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))
    receipt = lines.index("Empfangsschein")
    assert lines.count("CHF 120.47") == 2  # the receipt and the payment part
    assert lines.count(grouped) == 2 and receipt < lines.index(grouped)


def test_the_pdfs_of_an_approved_list_are_rendered_once(issued):  # noqa: F811
    from documents.reminder_pdf import reminder_pdfs_render

    run = reminder_run_propose(
        community=issued.community, as_of=due_day(issued) + timedelta(days=10), actor=None, door="admin"
    )
    reminder_run_approve(run=run, actor=None, door="admin")
    assert reminder_pdfs_render(reminder_run=run) == 3
    assert reminder_pdfs_render(reminder_run=run) == 0
    names = sorted(r.pdf.name.rsplit("/", 1)[-1] for r in run.reminders.all())
    community = issued.community_id
    assert names == [f"zahlungserinnerung-{community}-00000{n}.pdf" for n in (1, 2, 3)]
    reminder = run.reminders.get(invoice__participant__customer_number="M3")
    assert "Zahlungserinnerung" in pdf_pages(reminder.pdf.read())[0]
