"""python manage.py demo_bank_file COMMUNITY --out FILE [--pay PERCENT] [--date YYYY-MM-DD]"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from communities.selectors import community_by_reference
from openleg.errors import DomainError, NotFound
from openleg.money import format_chf
from openleg.periods import local_today
from payments.demo import demo_bank_file_build


class Command(BaseCommand):
    help = (
        "Write the camt.054 a community's bank would deliver once its participants paid: most open invoices in "
        "full with their reference, one in part, one without reference, and the debits of exported payouts."
    )

    def add_arguments(self, parser):
        parser.add_argument("community", help="id or slug of the community")
        parser.add_argument("--out", required=True, help="where to write the camt.054 file")
        parser.add_argument("--pay", type=int, default=80, help="share of the open invoices paid, percent (80)")
        parser.add_argument("--date", help="booking date, YYYY-MM-DD (default: today)")

    def handle(self, *args, community, out, pay, date=None, **options):
        booked_on = self._day(date)
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(_("--out: das Verzeichnis %(folder)s gibt es nicht.") % {"folder": target.parent})
        try:
            found = community_by_reference(community)
        except NotFound as error:
            raise CommandError(
                _("Keine LEG mit der Nummer oder Kurzbezeichnung «%(reference)s».") % {"reference": community}
            ) from error
        try:
            demo = demo_bank_file_build(community=found, pay_percent=pay, booked_on=booked_on)
        except DomainError as error:
            raise CommandError(error.message) from error
        target.write_bytes(demo.data)
        self.stdout.write(
            _(
                "%(file)s: %(credits)s Zahlungen über CHF %(credits_chf)s (%(full)s vollständig mit Referenz, "
                "%(part)s teilweise, %(bare)s ohne Referenz), %(debits)s Belastungen über CHF %(debits_chf)s "
                "(%(batches)s Auszahlungen)."
            )
            % {
                "file": target,
                "credits": demo.credit_count,
                "credits_chf": format_chf(demo.credits_chf),
                "full": len(demo.paid_in_full),
                "part": len(demo.paid_in_part),
                "bare": len(demo.without_reference),
                "debits": demo.debit_count,
                "debits_chf": format_chf(demo.debits_chf),
                "batches": len(demo.batches),
            }
        )

    @staticmethod
    def _day(value: str | None):
        if not value:
            return local_today()
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                _("--date: «%(value)s» ist kein Datum der Form JJJJ-MM-TT.") % {"value": value}
            ) from error
