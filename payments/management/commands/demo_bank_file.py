"""python manage.py demo_bank_file COMMUNITY --out FILE [--pay PERCENT] [--date YYYY-MM-DD]"""

from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.selectors import community_by_reference
from openleg.errors import DomainError
from openleg.formats import format_chf
from openleg.management.base import GermanCommand
from openleg.periods import local_today
from payments.demo import demo_bank_file_build


class Command(GermanCommand):
    help = gettext_lazy(
        "Schreibt die camt.054, die die Bank einer LEG liefern würde, wenn die Teilnehmenden bezahlt haben: die "
        "meisten offenen Rechnungen vollständig mit Referenz, eine teilweise, eine ohne Referenz, dazu die "
        "Belastungen der exportierten Auszahlungen."
    )

    def add_arguments(self, parser):
        parser.add_argument("community", metavar=_("LEG"), help=_("Nummer oder Kurzbezeichnung der LEG"))
        parser.add_argument("--out", required=True, metavar=_("DATEI"), help=_("wohin die camt.054-Datei kommt"))
        parser.add_argument(
            "--pay",
            type=int,
            default=80,
            metavar=_("PROZENT"),
            help=_("Anteil der offenen Rechnungen, die bezahlt werden, in Prozent (80)"),
        )
        parser.add_argument("--date", metavar=_("JJJJ-MM-TT"), help=_("Buchungsdatum (ohne Angabe: heute)"))

    def handle(self, *args, community, out, pay, date=None, **options):
        booked_on = self._day(date)
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(_("--out: das Verzeichnis %(folder)s gibt es nicht.") % {"folder": target.parent})
        try:
            found = community_by_reference(community)
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
