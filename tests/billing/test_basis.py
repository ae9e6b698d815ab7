"""The stale-data guard: a run computed before its data changed cannot be approved until it is recomputed."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.basis import basis_changes
from billing.forms import run_state
from billing.models import Invoice
from billing.selectors import run_summary
from billing.services import billing_run_approve, billing_run_start
from communities import services as community_services
from communities.models import Door, Membership, Participant, Tariff
from metering.models import DaySeries
from metering.sdat_writer import SdatSeries, write_e66
from metering.selectors import series_for_period
from metering.services import meter_file_import
from openleg.errors import DomainError
from openleg.periods import local_day

pytestmark = pytest.mark.django_db

POINT_1 = f"CH10077712345{1:020d}"


def correct(values_wh, *, name="korrektur.xml", day=date(2026, 3, 10)):
    """A later SDAT delivery for point 1's consumption on one local day."""
    start = local_day(day).start
    data = write_e66(
        [SdatSeries(POINT_1, "consumption", "total", start, values_wh)],
        document_id=name,
        created=datetime(2026, 4, 20, tzinfo=UTC),
    )
    outcome = meter_file_import(data=data, filename=name, actor=None, door=Door.COMMAND)
    assert outcome.ok, outcome.errors
    return outcome.meter_import


def total_of(run, customer_number: str) -> Decimal:
    return Invoice.objects.get(run=run, participant__customer_number=customer_number).total_chf


@pytest.fixture
def draft(march_community):
    return billing_run_start(community=march_community, year=2026, month=3)


def test_a_run_computed_from_current_data_has_no_changes_and_is_approved(draft):
    assert basis_changes(draft) == []
    run = billing_run_approve(run=draft, actor=None)
    assert (run.status, Invoice.objects.filter(run=run).count()) == ("issued", 5)


def test_a_meter_correction_after_the_computation_blocks_approval_until_recomputed(draft):
    before = next(row for row in run_summary(draft)["participants"] if row["customer_number"] == "M1")
    meter_import = correct([400] * 96)

    changes = basis_changes(draft)
    assert [change.code for change in changes] == ["meter_data"]
    assert changes[0].message.startswith(f"Messdaten: Import #{meter_import.pk} «korrektur.xml» vom ")
    assert changes[0].message.endswith(f"(Befehl) hat Werte geändert von {POINT_1}.")
    with pytest.raises(DomainError) as refused:
        billing_run_approve(run=draft, actor=None)
    assert refused.value.code == "stale_run"
    assert refused.value.message == (
        f"Daten seit der Berechnung geändert: {changes[0].message} Bitte berechnen Sie den Lauf neu."
    )
    assert Invoice.objects.count() == 0

    run = billing_run_start(community=draft.community, year=2026, month=3)
    assert basis_changes(run) == []
    run = billing_run_approve(run=run, actor=None)
    # point 1 now consumes 400 Wh in each quarter-hour of 10 March: its invoice follows the corrected data
    assert (run.pk, before["chf"]["total"]) == (draft.pk, "100.47")
    assert total_of(run, "M1") == Decimal("103.50")


def test_a_newer_delivery_of_the_same_values_keeps_the_run_current(draft):
    stored = series_for_period(
        metering_point_ids=[Membership.objects.get(metering_point__mp_id=POINT_1).metering_point_id],
        period=local_day(date(2026, 3, 10)),
    )
    same = [int(value) // 1000 for value in next(iter(stored.values())).values]
    meter_import = correct(same, name="gleiche-werte.xml")  # newer document, same values: it becomes their source
    assert DaySeries.objects.filter(last_import=meter_import).count() == 2  # two UTC days touched, rewritten
    assert basis_changes(draft) == []


def test_tariff_membership_and_role_changes_are_named(draft):
    tariff = Tariff.objects.get(community=draft.community)
    tariff.consumer_price_rp_kwh = Decimal("19.0000")
    community_services.audited_save(instance=tariff, actor=None, door=Door.ADMIN)
    membership = Membership.objects.get(metering_point__mp_id=POINT_1)
    community_services.membership_end(membership=membership, valid_to=date(2026, 3, 20), actor=None, door=Door.ADMIN)
    participant = Participant.objects.get(community=draft.community, customer_number="M2")
    participant.role = "prosumer"
    community_services.audited_save(instance=participant, actor=None, door=Door.ADMIN)

    assert [change.message for change in basis_changes(draft)] == [
        "Die Zuordnung der Messpunkte zu den Teilnehmenden hat sich geändert.",
        "Die Rolle einer teilnehmenden Person (Verbraucher, Produzent …) hat sich geändert.",
        "Ein Tarif des Monats (Preise, Zeitfenster oder Gebühren) hat sich geändert.",
    ]


def test_the_run_page_and_the_approval_page_say_what_changed(staff, draft):
    correct([400] * 96)
    page = staff.get(reverse("admin:billing_billingrun_change", args=[draft.pk])).content.decode()
    assert "Daten seit der Berechnung geändert" in page
    assert f"hat Werte geändert von {POINT_1}." in page
    approve = staff.get(reverse("admin:billing_billingrun_approve", args=[draft.pk])).content.decode()
    assert "Daten seit der Berechnung geändert" in approve
    # the page offers to recompute, not to approve
    recompute = reverse("admin:billing_billingrun_recompute", args=[draft.pk])
    assert f'action="{recompute}"' in approve and 'value="Freigeben und verrechnen"' not in approve


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_correction_between_opening_the_confirmation_page_and_submitting_it_is_refused(staff, march_community):
    run = billing_run_start(community=march_community, year=2026, month=3)
    url = reverse("admin:billing_billingrun_approve", args=[run.pk])
    page = staff.get(url).content.decode()
    assert "Daten seit der Berechnung geändert" not in page
    state = run_state(run)

    correct([400] * 96)  # committed by another door while the clerk reads the page

    response = staff.post(url, {"state": state, "reason": ""}, follow=True)
    body = response.content.decode()
    assert "Daten seit der Berechnung geändert: Messdaten: Import #" in body
    assert "Bitte berechnen Sie den Lauf neu." in body
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)
