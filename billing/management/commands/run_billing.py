"""python manage.py run_billing COMMUNITY --period YYYY-MM [--json]"""

import json
import re

from django.core.management.base import BaseCommand, CommandError

from billing.selectors import run_summary
from billing.services import billing_run_start
from communities.selectors import community_by_reference
from openleg.errors import DomainError


class Command(BaseCommand):
    help = "Compute (or recompute) the draft billing run of a community for a Europe/Zurich calendar month."

    def add_arguments(self, parser):
        parser.add_argument("community", help="id or slug of the community")
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--json", action="store_true", help="print the run as one JSON document")

    def handle(self, *args, community, period, **options):
        match = re.fullmatch(r"(\d{4})-(\d{2})", period)
        if not match or not 1 <= int(match[2]) <= 12:
            raise CommandError(f"--period must be YYYY-MM, got '{period}'")
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
            f"run {run.pk}: {run.community} {run.month:02d}/{run.year}, {run.get_status_display()}, "
            f"{run.quarter_hours} quarter-hours, {run.deviations} deviations"
        )
        for issue in run.issues:
            self.stdout.write(("  BLOCKING " if issue["blocking"] else "  note ") + issue["message"])
        for row in summary["participants"]:
            self.stdout.write(
                f"  {row['customer_number']}: consumption {row['kwh']['consumption']} kWh, "
                f"LEG {row['kwh']['leg']} kWh, delivered {row['kwh']['delivered']} kWh, "
                f"CHF {row['chf']['total']}"
            )
