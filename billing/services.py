"""Billing runs: start (or re-run) a draft, approve it, cancel it. Every write is one transaction."""

from decimal import Decimal

import numpy as np
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.basis import basis_changes, run_basis
from billing.billable import billing_check
from billing.calculation import Line, calculate
from billing.gathering import Gathered, Issue, gather
from billing.invoicing import invoices_credit, invoices_issue, payment_slip_problems
from billing.models import BillingRun, RunDay, RunStatus, StatementLine
from billing.receivables import cancellation_offset, carry_over_book, carry_overs
from billing.signals import credit_notes_issued, invoices_issued
from billing.texts import carry_label
from communities.models import Community, Door, Tariff
from metering.parsers.base import Quality
from metering.selectors import aggregate_for_period
from metering.upsert import upsert_rows
from openleg.errors import DomainError
from openleg.formats import format_day, format_kwh
from openleg.periods import local_date, local_month, utc_now

DEVIATION_TOLERANCE_WH = 1


def _claim_run(community: Community, year: int, month: int, actor) -> BillingRun:
    """The live run of the month, created once: of two workers, the database lets one create it."""
    period = local_month(year, month)
    defaults = {
        "period_start": period.start,
        "period_end": period.end,
        "quarter_hours": period.quarter_hours,
        "method": "proportional",
        "created_by": recorded_user(actor),
    }
    live = BillingRun.objects.exclude(status=RunStatus.CANCELLED)
    try:
        with transaction.atomic():
            return live.get_or_create(community=community, year=year, month=month, defaults=defaults)[0]
    except IntegrityError:
        return live.get(community=community, year=year, month=month)


def billing_run_start(*, community: Community, year: int, month: int, actor=None) -> BillingRun:
    """Compute the month as a draft; a draft is replaced, an approved or issued month is refused.

    A month not yet over, a community not started in the month or without members is refused before any run
    is claimed (``billing.billable``), so a refusal leaves nothing behind.
    """
    billing_check(community=community, year=year, month=month)
    run = _claim_run(community, year, month, actor)
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.DRAFT:
            raise DomainError(
                _("Der Monat %(month)02d/%(year)s ist bereits %(status)s; er kann nicht neu berechnet werden.")
                % {"month": month, "year": year, "status": run.get_status_display()},
                code="run_frozen",
            )
        # The basis is read before the figures: whatever lands in between makes the run stale, never silently new.
        basis = run_basis(community, year, month)
        gathered = gather(community, year, month)
        _compute_into(run, gathered)
        run.basis = basis
        run.save(update_fields=["basis"])
    return run


def _compute_into(run: BillingRun, gathered: Gathered) -> None:
    month = gathered.month
    result = calculate(month)
    issues = list(gathered.issues)
    vnb_days = _vnb_daily(gathered)
    deviations = _count_deviations(result.daily, vnb_days, gathered.vnb_present)
    issues += _cross_check_e31(run.community, gathered, result.daily)
    if deviations:
        issues.append(
            Issue(
                "deviations",
                _("%(count)s Tageswerte weichen um mehr als 1 Wh von der Aufteilung des Netzbetreibers ab.")
                % {"count": deviations},
                False,
            )
        )
    RunDay.objects.filter(run=run).delete()
    StatementLine.objects.filter(run=run).delete()
    # Plain rows through COPY on PostgreSQL: building 1,500 model objects costs more than the whole allocation.
    figures = [result.daily[name] for name in ("consumption", "leg", "grid", "production", "delivered", "surplus")]
    upsert_rows(
        RunDay,
        fields=(
            "run",
            "participant",
            "day",
            "consumption_wh",
            "leg_wh",
            "grid_wh",
            "production_wh",
            "delivered_wh",
            "surplus_wh",
            "vnb_leg_wh",
            "vnb_delivered_wh",
        ),
        key=("run", "participant", "day"),
        rows=(
            (
                run.pk,
                pid,
                day,
                *(int(figure[row, d]) for figure in figures),
                *(
                    int(vnb_days[side][row, d]) if vnb_days and gathered.vnb_present[row, side] else None
                    for side in (0, 1)
                ),
            )
            for row, pid in enumerate(month.participant_ids)
            for d, day in enumerate(gathered.local_days)
        ),
    )
    carried = carry_overs(community=run.community, participant_ids=month.participant_ids)
    upsert_rows(
        StatementLine,
        fields=(
            "run",
            "participant",
            "position",
            "kind",
            "label",
            "quantity",
            "unit",
            "unit_price",
            "amount_chf",
            "carried_from",
        ),
        key=("run", "participant", "position"),
        rows=(
            (
                run.pk,
                pid,
                position,
                line.kind,
                line.label[:200],
                line.quantity_kwh,
                line.unit if line.quantity_kwh is not None else "",
                line.unit_price,
                line.amount_chf,
                carried_from,
            )
            for pid, lines in result.lines.items()
            for position, (line, carried_from) in enumerate(_with_carries(lines, carried.get(pid, [])), start=1)
        ),
    )
    carried_total = sum((carry.amount for carries in carried.values() for carry in carries), Decimal(0))
    if carried_total or any(carried.values()):
        result.totals["carry"] = str(carried_total)
    energy = {name: int(values.sum()) for name, values in result.daily.items()}
    run.method = month.method
    run.snapshot = {**gathered.snapshot, "provisional": gathered.provisional}
    run.issues = [issue.as_dict() for issue in issues]
    run.blocking_issues = sum(issue.blocking for issue in issues)
    run.deviations = deviations
    run.totals = {"wh": energy, "chf": result.totals}
    run.computed_at = utc_now()
    run.save()


def _with_carries(lines, carries):
    """The participant's lines, then one line per open item the invoice settles (after VAT: no supply)."""
    yield from ((line, None) for line in lines)
    for carry in carries:
        yield Line("carry", carry_label(carry.invoice, carry.amount), None, None, carry.amount, ""), carry.invoice.pk


def _vnb_daily(gathered: Gathered):
    if gathered.vnb_leg is None:
        return None
    days = len(gathered.local_days)

    def per_day(values):
        out = np.zeros((values.shape[0], days), np.int64)
        np.add.at(out.T, gathered.month.day_of_slot, values.T)
        return out

    return per_day(gathered.vnb_leg), per_day(gathered.vnb_delivered)


def _count_deviations(daily, vnb_days, present) -> int:
    """Participant-days on which our LEG share or delivery differs from the VNB's by more than 1 Wh."""
    if vnb_days is None:
        return 0
    leg = (np.abs(daily["leg"] - vnb_days[0]) > DEVIATION_TOLERANCE_WH) & present[:, :1]
    delivered = (np.abs(daily["delivered"] - vnb_days[1]) > DEVIATION_TOLERANCE_WH) & present[:, 1:]
    return int((leg | delivered).sum())


def _cross_check_e31(community: Community, gathered: Gathered, daily) -> list[Issue]:
    """Compare the VNB's community total of LEG consumption (E31) with ours, per local day."""
    aggregate = aggregate_for_period(
        community_id=community.pk, period=gathered.period, direction="consumption", channel="leg"
    )
    if aggregate is None:
        return []
    days = len(gathered.local_days)
    theirs = np.zeros(days, np.int64)
    np.add.at(theirs, gathered.month.day_of_slot, (aggregate.values + 500) // 1000)
    delivered = np.zeros(days, bool)
    delivered[gathered.month.day_of_slot[aggregate.quality != Quality.MISSING]] = True
    ours = daily["leg"].sum(axis=0)
    return [
        Issue(
            "e31_deviation",
            _("Summe LEG-Anteil am %(day)s laut Netzbetreiber (E31) %(vnb)s kWh, berechnet %(ours)s kWh.")
            % {"day": format_day(day), "vnb": format_kwh(theirs[index]), "ours": format_kwh(ours[index])},
            False,
        )
        for index, day in enumerate(gathered.local_days)
        if delivered[index] and abs(int(theirs[index]) - int(ours[index])) > DEVIATION_TOLERANCE_WH
    ]


def billing_run_approve(
    *, run: BillingRun, actor, reason: str = "", override_missing: bool = False, door: str = Door.ADMIN
) -> BillingRun:
    """Freeze a draft and issue its invoices. Deviations need a reason; missing data an explicit override."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().select_related("community__utility").get(pk=run.pk)
        if run.status != RunStatus.DRAFT:
            raise DomainError(_("Nur Entwürfe können freigegeben werden."), code="not_draft")
        if run.computed_at is None:
            # Claimed, but its computation never committed (the worker died or gave up): no figures to freeze.
            raise DomainError(
                _("Der Lauf wurde nie fertig berechnet. Bitte berechnen Sie ihn neu."), code="not_computed"
            )
        changes = basis_changes(run)
        if changes:
            raise DomainError(
                _("Daten seit der Berechnung geändert: %(changes)s Bitte berechnen Sie den Lauf neu.")
                % {"changes": " ".join(change.message for change in changes)},
                code="stale_run",
            )
        if run.blocking_issues and not override_missing:
            raise DomainError(
                _(
                    "Der Lauf hat %(count)s blockierende Probleme (z. B. fehlende Messwerte); "
                    "Freigabe nur mit ausdrücklicher Übersteuerung."
                )
                % {"count": run.blocking_issues},
                code="blocking_issues",
            )
        disagrees = run.deviations or any(issue["code"] == "e31_deviation" for issue in run.issues)
        if (disagrees or run.blocking_issues) and not reason.strip():
            raise DomainError(
                _("Bitte begründen Sie die Freigabe: der Lauf hat Abweichungen oder Probleme."), code="reason_required"
            )
        slip_problems = payment_slip_problems(run)
        if slip_problems:
            raise DomainError(
                _("Die Rechnungen könnten keinen QR-Einzahlungsschein tragen: %(problems)s")
                % {"problems": " ".join(slip_problems)},
                code="qr_bill_impossible",
            )
        run.status = RunStatus.APPROVED
        run.approved_at = utc_now()
        run.approved_by = recorded_user(actor)
        run.approval_reason = reason.strip()
        run.save()
        tariff_ids = [tariff["id"] for tariff in run.snapshot.get("tariffs", [])]
        Tariff.objects.filter(pk__in=tariff_ids, used_at__isnull=True).update(used_at=run.approved_at)
        invoices = invoices_issue(run=run)
        _book_carries(run, invoices, actor, door)
        run.status = RunStatus.ISSUED
        run.save(update_fields=["status"])
        invoices_issued.send(sender=BillingRun, run=run, actor=actor, door=door)
    return run


def _book_carries(run: BillingRun, invoices, actor, door: str) -> None:
    """Each carried item is settled by its line on the participant's new invoice."""
    onto = {invoice.participant_id: invoice for invoice in invoices}
    today = local_date(utc_now())
    for line in StatementLine.objects.filter(run=run, kind="carry").select_related("carried_from"):
        carry_over_book(
            item=line.carried_from,
            onto=onto[line.participant_id],
            amount=line.amount_chf,
            booked_on=today,
            actor=actor,
            door=door,
        )


def billing_run_cancel(*, run: BillingRun, actor, reason: str, door: str = Door.ADMIN) -> BillingRun:
    """Cancel a run; issued invoices are reversed by credit notes, so the month can be billed again."""
    if not reason.strip():
        raise DomainError(_("Bitte geben Sie einen Grund für die Stornierung an."), code="reason_required")
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.CANCELLED:
            raise DomainError(_("Der Lauf ist bereits storniert."), code="already_cancelled")
        if run.status == RunStatus.ISSUED:
            today = local_date(utc_now())
            notes = invoices_credit(run=run, reason=reason.strip())
            for note in notes:
                cancellation_offset(
                    original=note.corrects, credit_note=note, booked_on=today, actor=actor, door=door
                )
            credit_notes_issued.send(sender=BillingRun, run=run, credit_notes=notes, actor=actor, door=door)
        run.status = RunStatus.CANCELLED
        run.cancelled_at = utc_now()
        run.cancelled_by = recorded_user(actor)
        run.cancel_reason = reason.strip()
        run.save()
    return run
