"""What becomes of each credit of a bank file: booked on the invoice its reference names, suggested for an open
item that fits, left for a person, recognised as delivered before, or not booked with a reason.

One pass over a whole file with a fixed number of queries (candidate invoices, their open amounts, the dedupe keys
already held), so a camt.054 with 10,000 credits is decided in a fraction of a second. Nothing is written here.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceKind, Settlement
from billing.references import invoice_key
from communities.models import Community
from openleg.formats import format_chf, format_day
from payments.camt import CamtDocument, CamtEntry, CamtTransaction
from payments.models import BankCredit, CreditStatus
from payments.models.bank import KEY_HOLDING

BOOKED = "BOOK"
ZERO = Decimal("0.00")
RAPPEN = Decimal("0.01")


@dataclass
class CreditOutcome:
    """One credit transaction and what it becomes; the same whether the file is previewed or booked."""

    position: int
    line: int
    entry_status: str
    booked_on: date | None
    value_date: date | None
    amount: Decimal
    currency: str
    reference: str
    reference_type: str
    unstructured: str
    debtor_name: str
    debtor_iban: str
    account_servicer_ref: str
    dedupe_key: str
    status: str = CreditStatus.UNMATCHED
    reason: str = ""
    invoice: Invoice | None = None
    duplicate_of: BankCredit | None = None
    open_before: Decimal | None = field(default=None, repr=False)

    @property
    def amount_text(self) -> str:
        return format_chf(self.amount)

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "amount": str(self.amount),
            "currency": self.currency,
            "booked_on": self.booked_on.isoformat() if self.booked_on else None,
            "debtor": self.debtor_name,
            "invoice": {"community": self.invoice.community_id, "number": self.invoice.display_number}
            if self.invoice
            else None,
            "status": str(self.status),
        }


def dedupe_key(account: str, entry: CamtEntry, transaction: CamtTransaction) -> str:
    """The bank's reference of the transaction, else of the entry and the position in it, else a fingerprint."""
    if transaction.account_servicer_ref:
        return f"{account}/tx/{transaction.account_servicer_ref}"[:200]
    if entry.account_servicer_ref:
        return f"{account}/entry/{entry.account_servicer_ref}/{transaction.index}"[:200]
    fingerprint = "|".join(
        (account, str(entry.booking_date), str(transaction.amount), transaction.reference, transaction.debtor_name)
    )
    return f"{account}/hash/{hashlib.sha256(fingerprint.encode()).hexdigest()}"


def name_words(name: str) -> list[str]:
    return re.findall(r"\w+", name.casefold())


def names_match(debtor: str, recipient: str) -> bool:
    """Case and spaces aside, every word of the shorter name is in the longer ("Muster Anna" ~ "Anna Muster")."""
    words = sorted((name_words(debtor), name_words(recipient)), key=len)
    return bool(words[0]) and set(words[0]) <= set(words[1])


def _in_rappen(amount: Decimal) -> Decimal:
    """ "50" and "50.5" as 50.00 and 50.50; an amount with more decimals is kept exactly as the bank wrote it."""
    rounded = amount.quantize(RAPPEN)
    return rounded if rounded == amount else amount


def credit_outcomes(document: CamtDocument) -> list[CreditOutcome]:
    """Every credit transaction of the file, numbered in file order; debits are left to the payouts."""
    outcomes = []
    for report in document.reports:
        for entry in report.entries:
            if not entry.is_credit:
                continue
            for transaction in entry.transactions:
                outcomes.append(
                    CreditOutcome(
                        position=len(outcomes) + 1,
                        line=transaction.line,
                        entry_status=entry.status,
                        booked_on=entry.booking_date,
                        value_date=entry.value_date,
                        amount=_in_rappen(transaction.amount),
                        currency=transaction.currency,
                        reference=transaction.reference[:35],
                        reference_type=transaction.reference_type[:35],
                        unstructured=transaction.unstructured[:500],
                        debtor_name=transaction.debtor_name[:140],
                        debtor_iban=transaction.debtor_iban[:34],
                        account_servicer_ref=(transaction.account_servicer_ref or entry.account_servicer_ref)[:70],
                        dedupe_key=dedupe_key(report.account_iban, entry, transaction),
                    )
                )
    return outcomes


def decide(outcomes: list[CreditOutcome], *, community: Community, lock: bool) -> None:
    """Sets status, reason and invoice of every outcome. ``lock`` (when booking) holds the candidate invoices."""
    booked = [outcome for outcome in outcomes if outcome.entry_status == BOOKED]
    for outcome in outcomes:
        if outcome.entry_status != BOOKED:
            outcome.status = CreditStatus.NOT_BOOKED
            outcome.reason = _(
                "Die Bank hat die Gutschrift noch nicht definitiv gebucht (Status %(status)s); verbucht wird sie "
                "mit der definitiven Buchung."
            ) % {"status": outcome.entry_status}
    fresh = _mark_duplicates(booked)
    keys = {outcome.position: invoice_key(outcome.reference) if outcome.reference else None for outcome in fresh}
    numbers = {key.number for key in keys.values() if key and key.community_id == community.pk}
    named = {
        position for position, key in keys.items() if key and key.community_id == community.pk and key.number in numbers
    }
    invoices, amounts = _candidates(community, numbers, with_open_items=len(named) < len(fresh), lock=lock)
    by_number = {invoice.number: invoice for invoice in invoices.values()}
    suggestions = _open_items_by_amount(invoices, amounts)
    for outcome in fresh:
        key = keys[outcome.position]
        if outcome.currency != "CHF":
            outcome.status = CreditStatus.UNMATCHED
            outcome.reason = _("Zahlung in %(currency)s: verbucht werden nur Zahlungen in CHF.") % {
                "currency": outcome.currency
            }
        elif key and key.community_id == community.pk and key.number in by_number:
            _on_invoice(outcome, by_number[key.number], amounts[by_number[key.number].pk])
        else:
            _suggest(outcome, suggestions, unknown=key is not None or bool(outcome.reference))


def _key_among(keys: list[str]):
    """``dedupe_key IN keys``; on PostgreSQL as one array parameter, since ten thousand placeholders cost more to
    send than the query costs to run."""
    if connection.vendor == "postgresql":
        return RawSQL('"payments_bankcredit"."dedupe_key" = ANY(%s)', [keys], output_field=BooleanField())
    return Q(dedupe_key__in=keys)


def _mark_duplicates(booked: list[CreditOutcome]) -> list[CreditOutcome]:
    """Marks credits already held by an earlier file (or earlier in this one); returns the others."""
    held = {
        credit.dedupe_key: credit
        for credit in BankCredit.objects.filter(
            _key_among([outcome.dedupe_key for outcome in booked]), entry_status=BOOKED, status__in=KEY_HOLDING
        ).select_related("bank_file")
    }
    seen: dict[str, CreditOutcome] = {}
    fresh = []
    for outcome in booked:
        earlier = held.get(outcome.dedupe_key)
        if earlier is not None:
            outcome.status, outcome.duplicate_of = CreditStatus.DUPLICATE, earlier
            outcome.reason = _("Bereits mit der Datei «%(file)s» vom %(date)s erfasst (Position %(position)s).") % {
                "file": earlier.bank_file.filename,
                "date": format_day(earlier.bank_file.created_at),
                "position": earlier.position,
            }
        elif outcome.dedupe_key in seen:
            outcome.status = CreditStatus.DUPLICATE
            outcome.reason = _("Dieselbe Gutschrift steht bereits an Position %(position)s dieser Datei.") % {
                "position": seen[outcome.dedupe_key].position
            }
        else:
            seen[outcome.dedupe_key] = outcome
            fresh.append(outcome)
    return fresh


def _candidates(community: Community, numbers: set[int], *, with_open_items: bool, lock: bool):
    """The invoices the references name and, where some credits carry none, every uncancelled invoice, with their
    open amounts: two queries, bounded by number range rather than by a list of thousands of numbers."""
    wanted = Q(number__gte=min(numbers), number__lte=max(numbers)) if numbers else Q(pk__in=[])
    if with_open_items:
        wanted |= Q(kind=InvoiceKind.INVOICE, cancelled=False)
    query = (
        Invoice.objects.filter(community=community)
        .annotate(cancelled=Exists(Invoice.objects.filter(corrects=OuterRef("pk"))))
        .filter(wanted)
        .only("pk", "community_id", "number", "kind", "recipient", "total_chf")
    )
    if lock:
        query = query.select_for_update(of=("self",)) if connection.features.has_select_for_update_of else query
    invoices = {invoice.pk: invoice for invoice in query}
    settled = dict(
        Settlement.objects.filter(invoice__in=query.order_by().values("pk"))
        .values("invoice")
        .annotate(total=Sum("amount_chf"))
        .values_list("invoice", "total")
    )
    amounts = {pk: invoice.total_chf + settled.get(pk, ZERO) for pk, invoice in invoices.items()}
    return invoices, amounts


def _open_items_by_amount(invoices: dict, amounts: dict) -> dict[Decimal, list[Invoice]]:
    by_amount = defaultdict(list)
    for invoice in invoices.values():
        if invoice.kind == InvoiceKind.INVOICE and not invoice.cancelled and amounts[invoice.pk] > 0:
            by_amount[amounts[invoice.pk]].append(invoice)
    return by_amount


def _on_invoice(outcome: CreditOutcome, invoice: Invoice, open_chf: Decimal) -> None:
    outcome.invoice = invoice
    refusal = refusal_for(invoice, cancelled=invoice.cancelled)
    if refusal:
        outcome.status, outcome.reason = CreditStatus.NOT_BOOKED, refusal
        return
    outcome.status, outcome.open_before = CreditStatus.MATCHED, open_chf
    outcome.reason = booking_note(open_chf, outcome.amount)


def refusal_for(invoice: Invoice, *, cancelled: bool) -> str:
    """Why a payment is not booked on ``invoice`` by itself, or empty."""
    number = invoice.display_number
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return _("Beleg %(number)s ist ein Storno; bitte Zahlung zuordnen oder zurückzahlen") % {"number": number}
    if invoice.kind == InvoiceKind.CREDIT_STATEMENT:
        return _("Beleg %(number)s ist eine Gutschrift; bitte Zahlung zuordnen oder zurückzahlen") % {"number": number}
    if cancelled:
        return _("Rechnung %(number)s ist storniert; bitte Zahlung zuordnen oder zurückzahlen") % {"number": number}
    return ""


def booking_note(open_chf: Decimal, amount: Decimal) -> str:
    """Empty for an exact payment; says what stays open or what was paid too much."""
    rest = open_chf - amount
    if rest > 0:
        return _("Teilzahlung: offen bleiben CHF %(rest)s.") % {"rest": format_chf(rest)}
    if rest < 0:
        return _("Überzahlung von CHF %(excess)s.") % {"excess": format_chf(-rest)}
    return ""


def _suggest(outcome: CreditOutcome, by_amount: dict, *, unknown: bool) -> None:
    fitting = [
        invoice
        for invoice in by_amount.get(outcome.amount, ())
        if names_match(outcome.debtor_name, invoice.recipient.get("name", ""))
    ]
    why = (
        _("Die Referenz %(reference)s gehört zu keiner Rechnung dieser Gemeinschaft.")
        % {"reference": outcome.reference}
        if unknown
        else _("Die Zahlung hat keine Referenz.")
    )
    if len(fitting) == 1:
        outcome.status, outcome.invoice = CreditStatus.SUGGESTED, fitting[0]
        by_amount[outcome.amount].remove(fitting[0])  # one open item is suggested for one credit only
        outcome.reason = _("%(why)s Vorschlag: %(number)s (gleicher Betrag, gleicher Name).") % {
            "why": why,
            "number": fitting[0].display_number,
        }
    elif fitting:
        outcome.status = CreditStatus.UNMATCHED
        outcome.reason = _("%(why)s %(count)s offene Rechnungen passen: %(numbers)s.") % {
            "why": why,
            "count": len(fitting),
            "numbers": ", ".join(invoice.display_number for invoice in fitting),
        }
    else:
        outcome.status, outcome.reason = CreditStatus.UNMATCHED, why
