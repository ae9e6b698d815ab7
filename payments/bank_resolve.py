"""Credits a person decides: confirming a suggestion, assigning a credit to an invoice by hand.

Each books the payment through ``billing.receivables.payment_book`` (which refuses a cancelled invoice or a credit
note) and records who, when and through which door. A credit is claimed under a row lock, so a second click or a
second person books nothing twice.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.models import Invoice
from billing.receivables import payment_book
from openleg.errors import DomainError
from openleg.periods import utc_now
from payments.bank_import import bank_file_totals_refresh, payment_note
from payments.models import BankCredit, CreditStatus

ASSIGNABLE = (CreditStatus.SUGGESTED, CreditStatus.UNMATCHED, CreditStatus.NOT_BOOKED)
_NUMBER = re.compile(r"(?:(\d+)-)?0*(\d+)")


def _claim(credit: BankCredit, allowed) -> BankCredit:
    credit = BankCredit.objects.select_for_update().select_related("bank_file").get(pk=credit.pk)
    if credit.status not in allowed or credit.settlement_id:
        raise DomainError(
            _("Die Gutschrift %(position)s ist %(status)s und kann so nicht verbucht werden.")
            % {"position": credit.position, "status": credit.get_status_display()},
            code="credit_not_open",
        )
    if credit.entry_status != "BOOK":
        raise DomainError(
            _("Die Bank hat die Gutschrift %(position)s noch nicht definitiv gebucht (Status %(status)s).")
            % {"position": credit.position, "status": credit.entry_status},
            code="credit_pending",
        )
    if credit.currency != "CHF":
        raise DomainError(
            _("Die Gutschrift %(position)s ist in %(currency)s; verbucht werden nur Zahlungen in CHF.")
            % {"position": credit.position, "currency": credit.currency},
            code="not_chf",
        )
    return credit


def _book(credit: BankCredit, invoice: Invoice, *, actor, door: str, reason: str) -> BankCredit:
    credit.settlement = payment_book(
        invoice=invoice,
        amount=credit.amount,
        booked_on=credit.booked_on,
        actor=actor,
        door=door,
        note=payment_note(credit.bank_file, credit.position, credit.debtor_name),
    )
    credit.invoice, credit.status, credit.reason = invoice, CreditStatus.MATCHED, reason[:300]
    credit.resolved_at, credit.resolved_by, credit.resolved_door = utc_now(), recorded_user(actor), door
    credit.save(
        update_fields=["settlement", "invoice", "status", "reason", "resolved_at", "resolved_by", "resolved_door"]
    )
    bank_file_totals_refresh(bank_file=credit.bank_file)
    return credit


def bank_credit_confirm(*, credit: BankCredit, actor, door: str) -> BankCredit:
    """Book a suggested credit on the invoice it suggests."""
    with transaction.atomic():
        credit = _claim(credit, (CreditStatus.SUGGESTED,))
        invoice = credit.invoice
        return _book(
            credit,
            invoice,
            actor=actor,
            door=door,
            reason=_("Vorschlag bestätigt: %(number)s.") % {"number": invoice.display_number},
        )


def invoice_by_number(*, community_id: int, number: str) -> Invoice:
    """An invoice of the community by its display number ("7-000042") or its number ("42")."""
    match = _NUMBER.fullmatch(number.strip())
    if match is None or (match.group(1) and int(match.group(1)) != community_id):
        raise DomainError(
            _("«%(number)s» ist keine Rechnungsnummer dieser Gemeinschaft (z. B. %(example)s).")
            % {"number": number.strip(), "example": f"{community_id}-000042"},
            code="bad_invoice_number",
        )
    invoice = Invoice.objects.filter(community_id=community_id, number=int(match.group(2))).first()
    if invoice is None:
        raise DomainError(
            _("Die Rechnung %(number)s gibt es nicht.") % {"number": f"{community_id}-{int(match.group(2)):06d}"},
            code="invoice_not_found",
        )
    return invoice


def bank_credit_assign(*, credit: BankCredit, invoice: Invoice, actor, door: str) -> BankCredit:
    """Book an unmatched, suggested or not booked credit on an invoice a person names."""
    with transaction.atomic():
        credit = _claim(credit, ASSIGNABLE)
        if invoice.community_id != credit.bank_file.community_id:
            raise DomainError(
                _("Die Rechnung %(number)s gehört nicht zur Gemeinschaft dieser Bankdatei.")
                % {"number": invoice.display_number},
                code="other_community",
            )
        return _book(
            credit,
            invoice,
            actor=actor,
            door=door,
            reason=_("Von Hand zugeordnet: %(number)s.") % {"number": invoice.display_number},
        )
