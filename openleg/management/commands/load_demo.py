from django.core.management.base import BaseCommand

from billing.demo import load_demo_vnb_split
from billing.services import billing_run_start
from communities.demo import DEMO_LOGINS, DEMO_VNB_NUMBER, load_demo_master_data
from communities.models import Community, Door
from documents.services import FORMATION_KINDS, documents_generate
from metering.demo import DEMO_MONTHS, load_demo_meter_data
from openleg.errors import DomainError
from pipeline.demo import load_demo_market


class Command(BaseCommand):
    help = (
        "Load the demo data (a utility, two active communities with meter data, billing drafts and documents, "
        "one community in formation, tariffs, logins). Safe to run twice."
    )

    def handle(self, *args, **options):
        counts = load_demo_master_data()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo loaded: {communities} communities, {participants} participants, "
                "{metering_points} metering points.".format(**counts)
            )
        )
        market = load_demo_market()
        self.stdout.write(f"  market data «{market.source}»: {market.rows} rows, {market.rescored} utilities scored")
        # Meter data, billing and documents for the active communities; the one in formation starts bare.
        communities = Community.objects.filter(utility__vnb_number=DEMO_VNB_NUMBER, status="active").order_by("pk")
        for outcome in load_demo_meter_data(communities):
            summary = outcome.as_dict()
            self.stdout.write(f"  meter data {summary['file']}: {summary['status']}, {len(summary['series'])} series")
            if not outcome.ok:
                self.stderr.write(self.style.ERROR(f"  {[f.message for f in outcome.errors]}"))
        for community in communities:
            for year, month in DEMO_MONTHS:
                split = load_demo_vnb_split(community, year, month).as_dict()
                self.stdout.write(f"  VNB split {split['file']}: {split['status']}")
                try:
                    run = billing_run_start(community=community, year=year, month=month)
                except DomainError as error:  # a month approved in an earlier demo session stays as it is
                    self.stdout.write(f"  billing {community} {month:02d}/{year}: {error.message}")
                    continue
                self.stdout.write(
                    f"  billing {community} {month:02d}/{year}: run {run.pk} {run.get_status_display()}, "
                    f"{run.deviations} deviations, {run.blocking_issues} blocking issues"
                )
        for community in communities:
            documents = documents_generate(community=community, kinds=FORMATION_KINDS, actor=None, door=Door.COMMAND)
            self.stdout.write(f"  documents {community}: {len(documents)} PDFs (agreement, contracts, registration)")
        self.stdout.write(
            "  bank file: once a run is approved, `manage.py demo_bank_file SLUG --out camt054.xml` writes the "
            "camt.054 that pays its invoices (and debits exported payouts), to upload under Zahlungen → Bankdateien"
        )
        for username, password, role in DEMO_LOGINS:
            self.stdout.write(f"  login {username} / {password}  ({role})")
