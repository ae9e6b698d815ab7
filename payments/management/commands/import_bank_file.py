"""python manage.py import_bank_file FILE... [--dry-run] [--json]"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from communities.models import Door
from openleg.formats import format_chf, format_day
from openleg.management.file_import import FileImportCommand
from payments.bank_import import BankImportOutcome, bank_file_import
from payments.models.bank import BankFileStatus, CreditStatus, DebitStatus


class Command(FileImportCommand):
    help = gettext_lazy(
        "Liest Bankdateien (camt.054, camt.053), verbucht die Zahlungen darin, bestätigt Auszahlungen anhand der "
        "Belastungen und listet auf, was eine Person klären muss."
    )
    dry_run_help = gettext_lazy("jede Gutschrift beurteilen, nichts aufzeichnen und nichts verbuchen")
    refused_text = gettext_lazy("abgelehnt, nichts verbucht")

    def import_file(self, *, data: bytes, filename: str, options: dict) -> BankImportOutcome:
        return bank_file_import(data=data, filename=filename, actor=None, door=Door.COMMAND, dry_run=options["dry_run"])

    def report(self, outcome: BankImportOutcome) -> None:
        style = self.style.SUCCESS if outcome.ok else self.style.ERROR
        status = BankFileStatus(outcome.status).label
        self.stdout.write(style(f"{outcome.filename}: {status} ({outcome.format or _('Format nicht erkannt')})"))
        for credit in outcome.credits:
            invoice = credit.invoice.display_number if credit.invoice else "-"
            self.stdout.write(
                f"  {credit.position}. {_day(credit.booked_on)} {credit.currency} {format_chf(credit.amount)} "
                f"{credit.debtor_name or '-'} {credit.reference or '-'} -> {invoice}: "
                f"{CreditStatus(credit.status).label}" + (f" ({credit.reason})" if credit.reason else "")
            )
        for debit in outcome.debits:
            payout = f"{debit.payout.batch.message_id} ({debit.payout.creditor_name})" if debit.payout else "-"
            self.stdout.write(
                f"  D{debit.position}. {_day(debit.booked_on)} {debit.currency} {format_chf(-debit.amount)} "
                f"{debit.end_to_end_id or '-'} -> {payout}: {DebitStatus(debit.status).label}"
                + (f" ({debit.reason})" if debit.reason else "")
            )
        for batch in outcome.confirmed_batches:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "  Auszahlung %(batch)s von der Bank bestätigt: %(count)s Überweisung, CHF %(total)s",
                        "  Auszahlung %(batch)s von der Bank bestätigt: %(count)s Überweisungen, CHF %(total)s",
                        batch.payout_count,
                    )
                    % {"batch": batch.message_id, "count": batch.payout_count, "total": format_chf(batch.total_chf)}
                )
            )
        for error in outcome.errors:
            self.stdout.write(self.style.ERROR(f"  {error}") if not outcome.ok else f"  {error}")


def _day(day) -> str:
    return format_day(day) if day else "-"
