"""python manage.py import_bank_file FILE... [--dry-run] [--json]"""

from communities.models import Door
from openleg.management.file_import import FileImportCommand
from payments.bank_import import BankImportOutcome, bank_file_import


class Command(FileImportCommand):
    help = (
        "Read bank files (camt.054, camt.053), book the payments they carry, confirm payouts by their debits and "
        "list what needs a person."
    )
    dry_run_help = "decide every credit, record and book nothing"
    refused_text = "refused, nothing booked"

    def import_file(self, *, data: bytes, filename: str, options: dict) -> BankImportOutcome:
        return bank_file_import(
            data=data, filename=filename, actor=None, door=Door.COMMAND, dry_run=options["dry_run"]
        )

    def report(self, outcome: BankImportOutcome) -> None:
        style = self.style.SUCCESS if outcome.ok else self.style.ERROR
        self.stdout.write(style(f"{outcome.filename}: {outcome.status} ({outcome.format or 'unknown format'})"))
        for credit in outcome.credits:
            invoice = credit.invoice.display_number if credit.invoice else "-"
            self.stdout.write(
                f"  {credit.position}. {credit.booked_on or '-'} {credit.currency} {credit.amount} "
                f"{credit.debtor_name or '-'} {credit.reference or '-'} -> {invoice}: {credit.status}"
                + (f" ({credit.reason})" if credit.reason else "")
            )
        for debit in outcome.debits:
            payout = f"{debit.payout.batch.message_id} ({debit.payout.creditor_name})" if debit.payout else "-"
            self.stdout.write(
                f"  D{debit.position}. {debit.booked_on or '-'} {debit.currency} -{debit.amount} "
                f"{debit.end_to_end_id or '-'} -> {payout}: {debit.status}"
                + (f" ({debit.reason})" if debit.reason else "")
            )
        for batch in outcome.confirmed_batches:
            self.stdout.write(
                self.style.SUCCESS(
                    f"  payout batch {batch.message_id} confirmed by the bank: {batch.payout_count} transfers, "
                    f"CHF {batch.total_chf}"
                )
            )
        for error in outcome.errors:
            self.stdout.write(self.style.ERROR(f"  {error}") if not outcome.ok else f"  {error}")
