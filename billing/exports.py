"""A billing run's figures as spreadsheets: per participant and per participant and day.

Every figure is read from what the run stored (its day rows and statement lines), the same rows the run's page
sums and approval copies onto the invoices: a participant's balance is the total of its invoice. Three queries
whatever the number of participants.
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from billing.invoicing import SETTLED
from billing.models import BillingRun, RunDay, StatementLine
from communities.models import Participant
from openleg.energy import wh_to_kwh
from openleg.spreadsheets import CHF, DAY, KWH, TEXT, Table, table, to_csv, to_xlsx

FIGURES = ("consumption", "leg", "grid", "production", "delivered", "surplus")


def _energy_headers() -> list[tuple[str, str]]:
    labels = (
        _("Verbrauch"),
        _("LEG-Anteil"),
        _("Netzbezug"),
        _("Produktion"),
        _("an LEG geliefert"),
        _("Überschuss"),
    )
    return [(f"{label} (kWh)", KWH) for label in labels]


def _who_headers() -> list[tuple[str, str]]:
    return [(_("Kundennummer"), TEXT), (_("Teilnehmende"), TEXT), (_("Rolle"), TEXT)]


def _who(participant: Participant) -> tuple[str, str, str]:
    return participant.customer_number, participant.display_name, participant.get_role_display()


def participants_table(run: BillingRun, participants: dict[int, Participant]) -> Table:
    """Per participant: the month's kWh and the CHF of its statement by kind, and the balance its invoice totals."""
    energy = {
        row["participant"]: row
        for row in RunDay.objects.filter(run=run)
        .values("participant")
        .annotate(**{figure: Sum(f"{figure}_wh") for figure in FIGURES})
        .order_by()
    }
    money: dict[int, dict[str, Decimal]] = {}
    for line in (
        StatementLine.objects.filter(run=run, kind__in=SETTLED)
        .values("participant", "kind")
        .annotate(total=Sum("amount_chf"))
        .order_by()
    ):
        money.setdefault(line["participant"], {})[line["kind"]] = line["total"] or Decimal(0)
    kinds = dict(StatementLine.Kind.choices)
    columns = [*_who_headers(), *_energy_headers()]
    columns += [(f"{kinds[kind]} (CHF)", CHF) for kind in SETTLED] + [(_("Saldo (CHF)"), CHF)]
    rows = []
    for pk in sorted(energy.keys() | money.keys(), key=lambda pk: (participants[pk].customer_number, pk)):
        sums, amounts = energy.get(pk, {}), money.get(pk, {})
        rows.append(
            (
                *_who(participants[pk]),
                *(wh_to_kwh(sums.get(figure) or 0) for figure in FIGURES),
                *(amounts.get(kind, Decimal("0.00")) for kind in SETTLED),
                sum(amounts.values(), Decimal("0.00")),
            )
        )
    return table(_("Teilnehmende"), columns, rows)


def days_table(run: BillingRun, participants: dict[int, Participant]) -> Table:
    """Per local day and participant: the run's day figures, ours and, where delivered, the VNB's."""
    columns = [(_("Tag"), DAY), *_who_headers(), *_energy_headers()]
    columns += [(_("LEG-Anteil laut VNB (kWh)"), KWH), (_("Lieferung laut VNB (kWh)"), KWH)]
    who = {pk: _who(participant) for pk, participant in participants.items()}  # labels once per participant
    fields = ["day", "participant_id", *(f"{figure}_wh" for figure in FIGURES), "vnb_leg_wh", "vnb_delivered_wh"]
    days = RunDay.objects.filter(run=run).order_by("day", "participant__customer_number", "participant")
    rows = []
    for day, participant_id, *figures in days.values_list(*fields):
        ours, vnb = figures[: len(FIGURES)], figures[len(FIGURES) :]
        energy = [wh_to_kwh(wh) for wh in ours] + [None if wh is None else wh_to_kwh(wh) for wh in vnb]
        rows.append((day, *who[participant_id], *energy))
    return table(_("Tageswerte"), columns, rows)


def _participants_of(run: BillingRun) -> dict[int, Participant]:
    return {participant.pk: participant for participant in Participant.objects.filter(community=run.community_id)}


def run_tables(run: BillingRun) -> list[Table]:
    participants = _participants_of(run)
    return [participants_table(run, participants), days_table(run, participants)]


def run_xlsx(run: BillingRun) -> bytes:
    """The workbook: a sheet per participant, a sheet per participant and day."""
    return to_xlsx(run_tables(run))


def run_participants_csv(run: BillingRun) -> bytes:
    return to_csv(participants_table(run, _participants_of(run)))


def run_days_csv(run: BillingRun) -> bytes:
    return to_csv(days_table(run, _participants_of(run)))


def run_file_stem(run: BillingRun) -> str:
    return f"abrechnung-{run.community.slug}-{run.year}-{run.month:02d}"
