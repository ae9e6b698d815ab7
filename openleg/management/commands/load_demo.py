from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from billing.demo import load_demo_vnb_split
from billing.services import billing_run_start
from communities.demo import DEMO_LOGINS, DEMO_VNB_NUMBER, load_demo_master_data
from communities.models import Community
from documents.demo import Formation, load_demo_formation
from metering.demo import DEMO_MONTHS, load_demo_meter_data
from metering.models import MeterImport
from metering.services import ImportOutcome
from openleg.errors import DomainError
from openleg.periods import local_today
from pipeline.demo import load_demo_market, load_demo_pipeline
from pipeline.reviews import pipeline_daily_review


def _day(value) -> str:
    return value.strftime("%d.%m.%Y")


def _imported(outcome: ImportOutcome) -> str:
    """«FILE: übernommen, 15 Reihen»; a file already imported has no series to count."""
    summary = outcome.as_dict()
    values = {"file": summary["file"], "status": MeterImport.Status(outcome.status).label}
    if not summary["series"]:
        return _("%(file)s: %(status)s") % values
    return _("%(file)s: %(status)s, %(series)d Reihen") % {**values, "series": len(summary["series"])}


class Command(BaseCommand):
    help = gettext_lazy(
        "Lädt die Demodaten: einen Netzbetreiber, der zahlender Kunde ist, die Verkaufspipeline mit ihrem Verlauf, "
        "zwei aktive Gemeinschaften mit Gründung, unterzeichneten Dokumenten, Messdaten und Abrechnungsentwürfen, "
        "eine Gemeinschaft in Gründung, Tarife und die Anmeldungen. Kann mehrmals laufen."
    )

    def handle(self, *args, **options):
        counts = load_demo_master_data()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo geladen: %(communities)d Gemeinschaften, %(participants)d Teilnehmende, "
                    "%(metering_points)d Messpunkte."
                )
                % counts
            )
        )
        market = load_demo_market()
        self.stdout.write(
            "  "
            + _("Marktdaten «%(source)s»: %(rows)d Zeilen, %(rescored)d Netzbetreiber bewertet")
            % {"source": market.source, "rows": market.rows, "rescored": market.rescored}
        )
        told = load_demo_pipeline(owner=User.objects.filter(username=DEMO_LOGINS[0][0], is_staff=True).first())
        self.stdout.write(
            "  "
            + (
                ngettext(
                    "Verkaufspipeline: %(count)d Netzbetreiber mit Verlauf",
                    "Verkaufspipeline: %(count)d Netzbetreiber mit Verlauf",
                    told,
                )
                % {"count": told}
                if told
                else _("Verkaufspipeline: der Verlauf war schon geladen")
            )
        )
        briefing = pipeline_daily_review(today=local_today())  # what the daily job would have made this morning
        self.stdout.write(
            "  " + _("Tagesbriefing der Pipeline vom %(day)s") % {"day": briefing.day.strftime("%d.%m.%Y")}
        )
        for formation in load_demo_formation():
            self._formation(formation)
        # Meter data and billing for the active communities; the one in formation starts bare.
        communities = Community.objects.filter(utility__vnb_number=DEMO_VNB_NUMBER, status="active").order_by("pk")
        for outcome in load_demo_meter_data(communities):
            self.stdout.write("  " + _("Messdaten %(outcome)s") % {"outcome": _imported(outcome)})
            if not outcome.ok:
                self.stderr.write(self.style.ERROR("  " + " ".join(f.message for f in outcome.errors)))
        for community in communities:
            for year, month in DEMO_MONTHS:
                self._bill(community, year, month)
        self.stdout.write(
            "  "
            + _(
                "Bankdatei: Sobald ein Lauf freigegeben ist, schreibt `manage.py demo_bank_file SLUG --out "
                "camt054.xml` die camt.054, die seine Rechnungen bezahlt (und exportierte Auszahlungen belastet); "
                "hochladen unter Zahlungen → Bankdateien."
            )
        )
        for username, password, role in DEMO_LOGINS:
            self.stdout.write(
                "  "
                + _("Anmeldung %(user)s / %(password)s: %(role)s")
                % {"user": username, "password": password, "role": role}
            )

    def _formation(self, formation: Formation) -> None:
        self.stdout.write(
            "  "
            + _(
                "Gründung %(community)s: %(steps)d Schritte vom %(first)s bis zum Start am %(start)s, "
                "%(signed)d Dokumente auf Papier unterzeichnet"
            )
            % {
                "community": formation.community,
                "steps": formation.steps,
                "first": _day(formation.first),
                "start": _day(formation.community.start_date),
                "signed": formation.signed,
            }
        )

    def _bill(self, community: Community, year: int, month: int) -> None:
        split = load_demo_vnb_split(community, year, month)
        self.stdout.write("  " + _("Aufteilung des VNB %(outcome)s") % {"outcome": _imported(split)})
        heading = _("Abrechnung %(community)s %(month)02d/%(year)d") % {
            "community": community,
            "month": month,
            "year": year,
        }
        try:
            run = billing_run_start(community=community, year=year, month=month)
        except DomainError as error:  # a month approved in an earlier demo session stays as it is
            self.stdout.write(f"  {heading}: {error.message}")
            return
        self.stdout.write(
            f"  {heading}: "
            + _("Lauf %(run)d %(status)s, %(deviations)s, %(blocking)s")
            % {
                "run": run.pk,
                "status": run.get_status_display(),
                "deviations": ngettext("%(count)d Abweichung", "%(count)d Abweichungen", run.deviations)
                % {"count": run.deviations},
                "blocking": ngettext(
                    "%(count)d blockierendes Problem", "%(count)d blockierende Probleme", run.blocking_issues
                )
                % {"count": run.blocking_issues},
            }
        )
