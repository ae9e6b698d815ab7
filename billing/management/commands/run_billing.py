"""python manage.py run_billing COMMUNITY --period YYYY-MM [--json]"""

import json
import re
from decimal import Decimal

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.selectors import run_summary
from billing.services import billing_run_start
from communities.selectors import community_by_reference
from openleg.errors import DomainError
from openleg.formats import format_chf, format_kwh_value, swiss_number
from openleg.management.base import GermanCommand


class Command(GermanCommand):
    help = gettext_lazy(
        "Berechnet den Entwurf der Abrechnung einer LEG für einen Kalendermonat (Europe/Zurich), oder berechnet "
        "ihn neu."
    )

    def add_arguments(self, parser):
        parser.add_argument("community", metavar=_("LEG"), help=_("Nummer oder Kurzbezeichnung der LEG"))
        parser.add_argument("--period", required=True, metavar=_("JJJJ-MM"), help=_("der Monat"))
        parser.add_argument("--json", action="store_true", help=_("den Lauf als ein JSON-Dokument ausgeben"))

    def handle(self, *args, community, period, **options):
        match = re.fullmatch(r"(\d{4})-(\d{2})", period)
        if not match or not 1 <= int(match[2]) <= 12:
            raise CommandError(_("--period: «%(value)s» ist kein Monat der Form JJJJ-MM.") % {"value": period})
        try:
            run = billing_run_start(
                community=community_by_reference(community), year=int(match[1]), month=int(match[2])
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        summary = run_summary(run)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _(
                "Lauf %(run)s: %(community)s %(month)02d/%(year)s, %(status)s, %(quarter_hours)s Viertelstunden, "
                "%(deviations)s Abweichungen"
            )
            % {
                "run": run.pk,
                "community": run.community,
                "month": run.month,
                "year": run.year,
                "status": run.get_status_display(),
                "quarter_hours": swiss_number(run.quarter_hours, 0),
                "deviations": run.deviations,
            }
        )
        for issue in run.issues:
            self.stdout.write(
                "  " + (_("Blockierendes Problem:") if issue["blocking"] else _("Hinweis:")) + " " + issue["message"]
            )
        for row in summary["participants"]:
            kwh = {figure: format_kwh_value(Decimal(value)) for figure, value in row["kwh"].items()}
            self.stdout.write(
                _(
                    "  %(customer)s: Verbrauch %(consumption)s kWh, LEG %(leg)s kWh, geliefert %(delivered)s kWh, "
                    "CHF %(total)s"
                )
                % {"customer": row["customer_number"], "total": format_chf(Decimal(row["chf"]["total"])), **kwh}
            )
