import json
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.invoicing import community_books
from billing.models import BillingRun, Invoice, InvoiceLine, RecordLockedError, RunDay, StatementLine
from billing.services import billing_run_approve, billing_run_cancel, billing_run_start
from communities.models import Membership, Tariff
from openleg.errors import DomainError

pytestmark = pytest.mark.django_db


def test_a_dst_month_bills_2972_quarter_hours_and_the_books_balance(march_community, staff_user):
    run = billing_run_start(community=march_community, year=2026, month=3)
    assert (run.quarter_hours, run.blocking_issues, run.deviations) == (2972, 0, 0)
    assert RunDay.objects.filter(run=run).count() == 5 * 31
    wh = run.totals["wh"]
    assert wh["leg"] == wh["delivered"]  # what consumers received is what producers delivered
    assert wh["consumption"] == wh["leg"] + wh["grid"] and wh["production"] == wh["delivered"] + wh["surplus"]
    billing_run_approve(run=run, actor=staff_user)
    run.refresh_from_db()
    assert run.status == "issued"
    books = community_books(march_community, run)
    assert books["energy"] == Decimal(run.totals["chf"]["energy"])
    assert books["credit"] == Decimal(run.totals["chf"]["credit"])
    assert books["fee"] == Decimal("12.50")  # five members at CHF 2.50
    assert list(Invoice.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert Tariff.objects.get(community=march_community).used_at == run.approved_at


def test_time_of_use_lines_price_high_and_low_tariff(march_community):
    run = billing_run_start(community=march_community, year=2026, month=3)
    labels = set(StatementLine.objects.filter(run=run, kind="energy").values_list("label", "unit_price"))
    assert labels == {("LEG-Strom Hochtarif", Decimal("22.5000")), ("LEG-Strom Niedertarif", Decimal("18.5000"))}
    for line in StatementLine.objects.filter(run=run, kind="energy"):
        # the community total is rounded once and split by largest remainder: each line within a Rappen
        assert abs(line.amount_chf - line.quantity * line.unit_price / 100) < Decimal("0.01")


def test_vat_only_for_vat_registered_communities(march_community, staff_user):
    march_community.vat_number = "CHE-123.456.789 MWST"
    march_community.save()
    run = billing_run_start(community=march_community, year=2026, month=3)
    vat_lines = StatementLine.objects.filter(run=run, kind="vat")
    assert vat_lines.count() == 5
    assert {line.label for line in vat_lines} == {"MWST 8.1 %"}
    billing_run_approve(run=run, actor=staff_user)
    invoice = Invoice.objects.first()
    assert invoice.vat_rate == Decimal("0.0810")
    assert invoice.total_chf == invoice.subtotal_chf + invoice.vat_chf


def test_rerunning_a_draft_replaces_it_and_a_frozen_month_is_refused(march_community, staff_user):
    first = billing_run_start(community=march_community, year=2026, month=3)
    again = billing_run_start(community=march_community, year=2026, month=3)
    assert first.pk == again.pk and BillingRun.objects.count() == 1
    assert RunDay.objects.count() == 5 * 31
    billing_run_approve(run=again, actor=staff_user)
    with pytest.raises(DomainError) as error:
        billing_run_start(community=march_community, year=2026, month=3)
    assert error.value.message == "Der Monat 03/2026 ist bereits verrechnet; er kann nicht neu berechnet werden."


def test_an_open_month_is_refused(march_community):
    with pytest.raises(DomainError, match="ist noch nicht abgeschlossen"):
        billing_run_start(community=march_community, year=2027, month=1)


def test_missing_data_blocks_approval_without_override(march_community, staff_user):
    point = Membership.objects.filter(participant__community=march_community).first().metering_point
    from metering.models import DaySeries

    # UTC day 10 March is local 10 March 01:00 to 11 March 01:00 (CET)
    DaySeries.objects.filter(metering_point=point, day=date(2026, 3, 10)).delete()
    run = billing_run_start(community=march_community, year=2026, month=3)
    missing = [issue for issue in run.issues if issue["code"] == "missing_data"]
    assert missing[0]["blocking"] is True
    assert missing[0]["message"].startswith(f"Messpunkt {point.mp_id} (")
    assert "96 Viertelstunden ohne Werte an 2 Tagen (10.03.2026 bis 11.03.2026)" in missing[0]["message"]
    with pytest.raises(DomainError) as error:
        billing_run_approve(run=run, actor=staff_user)
    assert error.value.code == "blocking_issues"
    with pytest.raises(DomainError) as error:
        billing_run_approve(run=run, actor=staff_user, override_missing=True)
    assert error.value.code == "reason_required"
    billing_run_approve(run=run, actor=staff_user, override_missing=True, reason="VNB liefert nach; Korrektur im April")
    run.refresh_from_db()
    assert (run.status, run.approval_reason) == ("issued", "VNB liefert nach; Korrektur im April")


def test_joining_mid_month_and_missing_tariff_are_explained(march_community):
    membership = Membership.objects.filter(participant__community=march_community).first()
    Membership.objects.filter(pk=membership.pk).update(valid_from=date(2026, 3, 16))
    Tariff.objects.filter(community=march_community).update(valid_from=date(2026, 3, 5))
    run = billing_run_start(community=march_community, year=2026, month=3)
    messages = {issue["code"]: issue for issue in run.issues}
    assert messages["partial_membership"]["blocking"] is False
    assert "gehört nur vom 16.03.2026 bis 31.03.2026 zur Gemeinschaft" in messages["partial_membership"]["message"]
    assert messages["tariff_missing"] == {
        "code": "tariff_missing",
        "blocking": True,
        "participant": None,
        "message": "Für 4 Tage (01.03.2026 bis 04.03.2026) gilt kein Tarif; für diese Tage kann nicht verrechnet "
        "werden.",
    }
    early = RunDay.objects.get(run=run, participant=membership.participant, day=date(2026, 3, 10))
    assert (early.consumption_wh, early.leg_wh) == (0, 0)


def test_static_keys_that_do_not_sum_to_one_are_noted(march_community):
    from billing.models import AllocationKey, AllocationSetting

    setting = AllocationSetting.objects.create(
        community=march_community, method="static_redistributed", effective_from=date(2026, 1, 1)
    )
    consumers = [p for p in march_community.participants.order_by("customer_number") if p.consumes]
    for participant in consumers:
        AllocationKey.objects.create(setting=setting, participant=participant, weight=Decimal("0.2"))
    run = billing_run_start(community=march_community, year=2026, month=3)
    assert run.method == "static_redistributed"
    note = next(issue for issue in run.issues if issue["code"] == "keys_not_one")
    assert (
        note["message"]
        == "Die Schlüssel summieren sich auf 0.8 statt 1; sie werden im Verhältnis zueinander angewendet."
    )
    assert note["blocking"] is False


def test_cancelling_an_issued_run_credits_every_invoice_with_the_next_numbers(march_community, staff_user):
    run = billing_run_start(community=march_community, year=2026, month=3)
    billing_run_approve(run=run, actor=staff_user)
    billing_run_cancel(run=run, actor=staff_user, reason="Falscher Tarif")
    run.refresh_from_db()
    assert (run.status, run.cancelled_by, run.cancel_reason) == ("cancelled", staff_user, "Falscher Tarif")
    notes = Invoice.objects.filter(kind="credit_note").order_by("number")
    assert list(notes.values_list("number", flat=True)) == [6, 7, 8, 9, 10]
    for note in notes:
        assert note.total_chf == -note.corrects.total_chf
        assert note.reason == "Falscher Tarif"
    again = billing_run_start(community=march_community, year=2026, month=3)
    assert again.pk != run.pk and again.status == "draft"


def test_issued_invoices_are_never_changed_or_deleted(march_community, staff_user):
    run = billing_run_start(community=march_community, year=2026, month=3)
    billing_run_approve(run=run, actor=staff_user)
    invoice = Invoice.objects.first()
    invoice.total_chf = Decimal("0")
    with pytest.raises(RecordLockedError):
        invoice.save()
    with pytest.raises(RecordLockedError):
        invoice.delete()
    with pytest.raises(RecordLockedError):
        InvoiceLine.objects.filter(invoice=invoice).first().delete()
    assert invoice.recipient["name"] == invoice.participant.display_name
    assert invoice.issuer["name"] == march_community.name


def test_run_billing_command_prints_the_run_as_json(march_community):
    out = StringIO()
    call_command("run_billing", "maerz", "--period", "2026-03", "--json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["period"] == {
        "year": 2026,
        "month": 3,
        "start": "2026-02-28T23:00:00Z",
        "end": "2026-03-31T22:00:00Z",
        "quarter_hours": 2972,
    }
    assert document["status"] == "draft"
    run = BillingRun.objects.get()
    first = document["participants"][0]
    day_sum = sum(RunDay.objects.filter(run=run, participant_id=first["participant"]).values_list("leg_wh", flat=True))
    assert Decimal(first["kwh"]["leg"]) == Decimal(day_sum) / 1000
    assert set(first["chf"]) >= {"energy", "fee", "total"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--period", "2026-03"], "^Keine LEG mit der Nummer oder Kurzbezeichnung «nope».$"),
        (["maerz", "--period", "2026-3"], "^--period: «2026-3» ist kein Monat der Form JJJJ-MM.$"),
    ],
)
def test_run_billing_command_errors(march_community, args, message):
    with pytest.raises((CommandError, Exception), match=message):
        call_command("run_billing", *args)


def test_approval_refuses_invoices_that_could_never_carry_a_qr_bill(march_community, staff_user):
    from communities.models import Community, Participant

    Community.objects.filter(pk=march_community.pk).update(iban="")
    participant = Participant.objects.filter(community=march_community).order_by("customer_number").first()
    Participant.objects.filter(pk=participant.pk).update(house_number="")
    run = billing_run_start(community=Community.objects.get(pk=march_community.pk), year=2026, month=3)

    with pytest.raises(DomainError) as error:
        billing_run_approve(run=run, actor=staff_user, reason="geprüft")

    assert error.value.code == "qr_bill_impossible"
    assert error.value.message == (
        "Die Rechnungen könnten keinen QR-Einzahlungsschein tragen: Die LEG hat keine IBAN für Zahlungen erfasst. "
        f"In der Adresse von «{participant.display_name}» fehlt: Hausnummer."
    )
    run.refresh_from_db()
    assert run.status == "draft"
    assert not run.invoices.exists()


def test_run_billing_json_gives_plain_exact_amounts_to_the_rappen(march_community):
    """JSON money is a string with exactly two decimals ("2.50", "-111.07"), kWh with three, on SQLite and
    PostgreSQL alike (SQLite sums decimals as floats); each equals the Rappen-rounded sum of the lines."""
    out = StringIO()
    call_command("run_billing", "maerz", "--period", "2026-03", "--json", stdout=out)
    document = json.loads(out.getvalue())
    run = BillingRun.objects.get()
    for row in document["participants"]:
        expected: dict[str, Decimal] = {}
        for line in StatementLine.objects.filter(run=run, participant_id=row["participant"]).exclude(kind="info"):
            expected[line.kind] = expected.get(line.kind, Decimal(0)) + line.amount_chf
        total = sum(expected.values(), Decimal(0))
        assert row["chf"] == {**{kind: f"{amount:.2f}" for kind, amount in expected.items()}, "total": f"{total:.2f}"}
        assert row["chf"]["fee"] == "2.50"
        assert all(re.fullmatch(r"-?\d+\.\d{2}", amount) for amount in row["chf"].values())
        assert all(re.fullmatch(r"\d+\.\d{3}", kwh) for kwh in row["kwh"].values())
    producer = next(row for row in document["participants"] if "credit" in row["chf"])
    assert producer["chf"]["credit"].startswith("-")


def test_run_billing_text_shows_figures_the_swiss_way(march_community):
    out = StringIO()
    call_command("run_billing", "maerz", "--period", "2026-03", stdout=out)
    lines = out.getvalue().splitlines()
    assert "2'972 Viertelstunden" in lines[0]
    figure = r"-?\d{1,3}(?:'\d{3})*"
    rows = [line for line in lines if line.startswith("  M")]
    assert len(rows) == 5
    for row in rows:
        assert re.fullmatch(
            rf"  M\d: Verbrauch {figure}\.\d{{3}} kWh, LEG {figure}\.\d{{3}} kWh, geliefert {figure}\.\d{{3}} kWh, "
            rf"CHF {figure}\.\d{{2}}",
            row,
        ), row
