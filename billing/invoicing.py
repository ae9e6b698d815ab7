"""Issuing invoices from an approved run, and reversing them by credit notes.

Numbers come from a per-community counter row locked for the transaction: no gaps, no duplicates,
also with several workers. Addresses, VAT data and prices are copied onto the invoice.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum

from billing.models import MONTHLY_KINDS, BillingRun, Invoice, InvoiceCounter, InvoiceKind, InvoiceLine, StatementLine
from billing.payment_slip import qr_bill_problems
from communities.models import Community, Participant
from openleg.periods import local_date, utc_now

PAYMENT_DAYS = 30
CHARGED = ("energy", "credit", "fee")  # info lines carry figures for reading, never money owed
SETTLED = (*CHARGED, "vat", "carry")  # the lines an invoice's total adds up


def _address(party) -> dict:
    return {
        "street": party.street,
        "house_number": party.house_number,
        "postcode": party.postcode,
        "town": party.town,
        "country": party.country,
    }


def issuer_of(community: Community) -> dict:
    representative = community.representative
    return {
        "name": community.name,
        **_address(community),
        "iban": community.iban,
        "vat_number": community.vat_number,
        "representative": representative.display_name if representative else "",
    }


def recipient_of(participant: Participant) -> dict:
    return {"name": participant.display_name, **_address(participant), "email": participant.email}


def _next_numbers(community: Community, count: int) -> range:
    counter, _created = InvoiceCounter.objects.get_or_create(community=community)
    counter = InvoiceCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return range(first, first + count)


def payment_slip_problems(run: BillingRun) -> list[str]:
    """What would keep the run's invoices from carrying a Swiss QR-bill: checked before any is issued, because an
    issued invoice keeps its issuer and recipient as they were."""
    issuer = issuer_of(run.community)
    recipients = Participant.objects.filter(
        pk__in=StatementLine.objects.filter(run=run).values("participant")
    ).order_by("customer_number")
    problems = []
    for participant in recipients:
        problems += [p for p in qr_bill_problems(issuer, recipient_of(participant)) if p not in problems]
    return problems


def invoices_issue(*, run: BillingRun) -> list[Invoice]:
    """One invoice per participant with lines; called inside the approval transaction."""
    community = run.community
    lines = list(
        StatementLine.objects.filter(run=run)
        .select_related("participant")
        .order_by("participant__customer_number", "position")
    )
    by_participant: dict[Participant, list[StatementLine]] = {}
    for line in lines:
        by_participant.setdefault(line.participant, []).append(line)
    participants = list(by_participant)
    now = utc_now()
    period_from, period_to = local_date(run.period_start), local_date(run.period_end - timedelta(seconds=1))
    invoices = []
    for number, participant in zip(_next_numbers(community, len(participants)), participants, strict=True):
        own = by_participant[participant]
        subtotal = sum((line.amount_chf for line in own if line.kind in CHARGED), Decimal(0))
        vat = sum((line.amount_chf for line in own if line.kind == "vat"), Decimal(0))
        carried = sum((line.amount_chf for line in own if line.kind == "carry"), Decimal(0))
        total = subtotal + vat + carried
        invoice = Invoice.objects.create(
            community=community,
            number=number,
            kind=InvoiceKind.CREDIT_STATEMENT if total < 0 else InvoiceKind.INVOICE,
            run=run,
            participant=participant,
            issued_at=now,
            due_date=local_date(now) + timedelta(days=PAYMENT_DAYS),
            period_from=period_from,
            period_to=period_to,
            issuer=issuer_of(community),
            recipient=recipient_of(participant),
            customer_number=participant.customer_number,
            vat_number=community.vat_number,
            vat_rate=Decimal(run.snapshot.get("vat_rate", "0")),
            subtotal_chf=subtotal,
            vat_chf=vat,
            carried_chf=carried,
            total_chf=total,
            provisional_data=bool(run.snapshot.get("provisional")),
        )
        _copy_lines(invoice, own, sign=1)
        invoices.append(invoice)
    return invoices


def _copy_lines(invoice: Invoice, lines, *, sign: int) -> None:
    """Lines onto an invoice as they are (sign 1) or reversed for a credit note (sign -1; info lines stay)."""
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=line.position,
                kind=line.kind,
                label=line.label,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                amount_chf=sign * line.amount_chf if line.kind in SETTLED else line.amount_chf,
            )
            for line in lines
        ]
    )


def invoices_credit(*, run: BillingRun, reason: str) -> list[Invoice]:
    """A credit note for every invoice of the run: the same lines with opposite amounts."""
    originals = list(
        Invoice.objects.filter(run=run, kind__in=MONTHLY_KINDS, credited_by__isnull=True)
        .order_by("number")
        .prefetch_related("lines")
    )
    now = utc_now()
    notes = []
    for number, original in zip(_next_numbers(run.community, len(originals)), originals, strict=True):
        note = Invoice.objects.create(
            community=original.community,
            number=number,
            kind=InvoiceKind.CREDIT_NOTE,
            run=run,
            participant=original.participant,
            corrects=original,
            issued_at=now,
            due_date=local_date(now),
            period_from=original.period_from,
            period_to=original.period_to,
            issuer=original.issuer,
            recipient=original.recipient,
            customer_number=original.customer_number,
            vat_number=original.vat_number,
            vat_rate=original.vat_rate,
            subtotal_chf=-original.subtotal_chf,
            vat_chf=-original.vat_chf,
            carried_chf=-original.carried_chf,
            total_chf=-original.total_chf,
            provisional_data=original.provisional_data,
            reason=reason,
        )
        _copy_lines(note, original.lines.all(), sign=-1)
        notes.append(note)
    return notes


def community_books(community: Community, run: BillingRun) -> dict[str, Decimal]:
    """Sums over the run's invoices per line kind: they equal the run's community totals to the Rappen."""
    rows = (
        InvoiceLine.objects.filter(invoice__run=run, invoice__kind__in=MONTHLY_KINDS)
        .values("kind")
        .annotate(total=Sum("amount_chf"))
    )
    return {row["kind"]: row["total"] for row in rows if row["kind"] != "info"}
