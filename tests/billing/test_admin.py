import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from billing.charts import month_energy_svg
from billing.forms import run_state
from billing.models import AllocationKey, AllocationSetting, BillingRun, Invoice, RunDay
from billing.receivables import open_amounts
from billing.services import billing_run_approve, billing_run_start
from documents.models import RunPdfRendering
from openleg.chart_axis import nice_step
from tests.communities.factories import CommunityFactory, MembershipFactory, TariffFactory

pytestmark = pytest.mark.django_db

REASON_REQUIRED = "Bitte begründen Sie die Freigabe: der Lauf hat Abweichungen oder Probleme."
CANCEL_REASON_REQUIRED = "Bitte geben Sie einen Grund für die Stornierung an."


@pytest.fixture
def run(sample_month):
    return billing_run_start(community=sample_month, year=2026, month=6)


def page_of(run):
    return reverse("admin:billing_billingrun_change", args=[run.pk])


def action_url(name, run):
    return reverse(f"admin:billing_billingrun_{name}", args=[run.pk])


def text(response) -> str:
    return response.content.decode()


def table_row(page: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is ``first_cell`` (else starts with it), tags stripped."""
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    ]
    for cells in [row for row in rows if row and row[0] == first_cell] or [
        row for row in rows if row and row[0].startswith(first_cell)
    ]:
        return cells
    raise AssertionError(f"no row starting with {first_cell!r}")


def name_of(run, role: str) -> str:
    return RunDay.objects.filter(run=run, participant__role=role).first().participant.display_name


def community_of_size(participants: int):
    community = CommunityFactory(status="active", start_date=date(2026, 1, 1))
    TariffFactory(community=community, valid_from=date(2026, 1, 1))
    for number in range(participants):
        MembershipFactory(
            participant__community=community,
            participant__role="consumer" if number % 2 else "producer",
            metering_point__utility=community.utility,
        )
    return community


# -- changelist ------------------------------------------------------------------------------------------------------


def test_changelist_lists_runs_with_month_status_and_counts(staff, run):
    response = staff.get(reverse("admin:billing_billingrun_changelist"))
    assert response.status_code == 200
    page = text(response)
    cells = table_row(page, str(run.community))
    computed = formats.localize(timezone.template_localtime(run.computed_at))
    assert cells == [str(run.community), "06/2026", "Entwurf", "proportional zum Verbrauch", "2", "0", computed, "-"]
    assert 'href="?status__exact=draft"' in page and "?year=2026" in page
    assert reverse("admin:billing_billingrun_add") not in page


def test_changelist_filters_by_status(staff, run):
    page = text(staff.get(reverse("admin:billing_billingrun_changelist"), {"status__exact": "issued"}))
    assert "06/2026" not in page


def test_runs_cannot_be_added_or_deleted_in_the_admin(staff, run):
    assert staff.get(reverse("admin:billing_billingrun_add")).status_code == 403
    assert staff.post(reverse("admin:billing_billingrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403
    assert BillingRun.objects.filter(pk=run.pk).exists()


# -- the run's page --------------------------------------------------------------------------------------------------


def test_run_page_shows_totals_issues_and_the_month_chart(staff, run):
    page = text(staff.get(page_of(run)))
    assert "01.06.2026 – 30.06.2026 (2&#x27;880 Viertelstunden)" in page
    assert table_row(page, "18.359") == ["18.359", "7.026", "11.333", "42.191", "7.026", "35.165"]
    assert table_row(page, "1.41") == ["1.41", "-0.84", "0.57"]
    assert page.count('<li class="error"><strong>blockierend:</strong> Messpunkt CH1009991234500000000000000') == 2
    assert "2784 Viertelstunden ohne Werte an 29 Tagen (01.06.2026 bis 30.06.2026)" in page
    assert '<li class="warning">Für Elektrizitätswerk' in page
    assert len(re.findall(r'<svg [^>]*role="img"', page)) == 1  # the admin's own icons are a sprite
    assert 'role="img" aria-label="Energie der Gemeinschaft pro Tag 06/2026"' in page
    assert "<title>15.06.2026 Produktion: 42.191 kWh</title>" in page
    assert "<title>15.06.2026 Verbrauch: 18.359 kWh</title>" in page
    assert "<title>15.06.2026 LEG-Anteil: 7.026 kWh</title>" in page
    assert "kWh pro Tag" in page


def test_run_page_compares_ours_with_the_vnb_per_participant(staff, run):
    consumer = RunDay.objects.filter(run=run, participant__role="consumer").first().participant
    producer = RunDay.objects.filter(run=run, participant__role="producer").first().participant
    page = text(staff.get(page_of(run)))
    assert table_row(page, consumer.display_name + " (") == [
        f"{consumer.display_name} ({consumer.customer_number}, Verbraucher)",
        "18.359",
        "7.026",
        "7.026",
        "0",
        "0.000",
        "0.000",
        "–",  # the VNB delivered no production split for a consumer
    ]
    assert table_row(page, producer.display_name + " (")[1:] == [
        "0.000",
        "0.000",
        "–",
        "0",
        "42.191",
        "7.026",
        "7.026",
    ]
    assert table_row(page, "LEG-Strom") == ["LEG-Strom", "7.026 kWh", "20.00", "1.41"]
    assert table_row(page, "Gutschrift LEG-Lieferung") == ["Gutschrift LEG-Lieferung", "7.026 kWh", "12.00", "-0.84"]
    assert table_row(page, "Gesamtverbrauch") == ["Gesamtverbrauch", "18.359 kWh", "", ""]
    assert "Zu diesem Lauf sind keine Rechnungen ausgestellt." in page


def test_run_page_counts_deviation_days_and_shows_a_dash_without_vnb_split(staff, run):
    consumer = RunDay.objects.filter(run=run, participant__role="consumer").first().participant
    producer = RunDay.objects.filter(run=run, participant__role="producer").first().participant
    RunDay.objects.filter(run=run, participant=consumer, day__in=["2026-06-01", "2026-06-02"]).update(vnb_leg_wh=2)
    RunDay.objects.filter(run=run, participant=consumer, day="2026-06-03").update(vnb_leg_wh=1)  # within 1 Wh
    RunDay.objects.filter(run=run, participant=producer).update(vnb_leg_wh=None, vnb_delivered_wh=None)
    page = text(staff.get(page_of(run)))
    assert table_row(page, consumer.display_name + " (")[2:5] == ["7.026", "7.031", "2"]
    assert table_row(page, producer.display_name + " (")[3:] == ["–", "0", "42.191", "7.026", "–"]


def test_run_page_escapes_text_in_the_chart():
    svg = month_energy_svg([date(2026, 6, 1)], {"leg": [1500]}, {"leg": '<b>"LEG"</b>'}, 'Energie "<script>" & mehr')
    assert "<script>" not in svg and "<b>" not in svg
    assert 'aria-label="Energie &quot;&lt;script&gt;&quot; &amp; mehr"' in svg
    assert "&lt;b&gt;&quot;LEG&quot;&lt;/b&gt;: 1.500 kWh" in svg


def test_chart_axis_uses_round_steps():
    assert [nice_step(span) for span in (42.191, 0.9, 0, 12_000)] == [20, 0.5, 1.0, 5000]
    svg = month_energy_svg([date(2026, 6, 1)], {"production": [42_191]}, {"production": "Produktion"}, "t")
    assert [label for label in re.findall(r'text-anchor="end">([^<]+)<', svg)] == ["0", "20", "40", "60"]
    empty = month_energy_svg([date(2026, 6, 1)], {"production": [0]}, {"production": "Produktion"}, "t")
    assert "Für diesen Monat sind keine Werte berechnet." in empty


def test_run_page_queries_do_not_grow_with_participants(staff, django_assert_max_num_queries):
    small, large = community_of_size(2), community_of_size(12)
    counts = []
    for community in (small, large):
        run = billing_run_start(community=community, year=2026, month=6)
        billing_run_approve(run=run, actor=None, reason="Test", override_missing=True)
        assert Invoice.objects.filter(run=run).count() == RunDay.objects.filter(run=run, day="2026-06-01").count()
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(page_of(run)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(19):  # the page with its PDFs, 6 to compare the run with the data of now
        staff.get(page_of(run))


# -- approve ---------------------------------------------------------------------------------------------------------


def test_approve_confirmation_shows_what_will_be_issued(staff, run):
    page = text(staff.get(action_url("approve", run)))
    assert "Die Freigabe stellt 2 Rechnungen über insgesamt CHF 0.57 aus." in page
    assert table_row(page, name_of(run, "consumer") + " (")[1] == "1.41"
    assert table_row(page, name_of(run, "producer") + " (")[1] == "-0.84"
    assert 'name="override_missing"' in page and "fehlende Daten übersteuern" in page
    assert re.search(r'<textarea[^>]*name="reason"[^>]*required', page)
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)


def test_approve_without_reason_is_refused_and_the_run_stays_draft(staff, run):
    data = {"state": run_state(run), "override_missing": "on", "reason": "  "}
    response = staff.post(action_url("approve", run), data)
    assert response.status_code == 200
    assert REASON_REQUIRED in text(response)
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)


def test_approve_with_blocking_issues_needs_the_override(staff, run):
    response = staff.post(action_url("approve", run), {"state": run_state(run), "reason": "Juni nur Testdaten"})
    assert "Der Lauf hat 2 blockierende Probleme (z. B. fehlende Messwerte)" in text(response)
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)


def test_approve_with_reason_and_override_issues_the_invoices(staff, staff_user, run):
    data = {"state": run_state(run), "override_missing": "on", "reason": "Juni nur Testdaten"}
    response = staff.post(action_url("approve", run), data, follow=True)
    assert response.redirect_chain == [(page_of(run), 302)]
    run.refresh_from_db()
    assert (run.status, run.approved_by, run.approval_reason) == ("issued", staff_user, "Juni nur Testdaten")
    kinds = list(Invoice.objects.filter(run=run).order_by("number").values_list("kind", "total_chf"))
    assert kinds == [("invoice", Decimal("1.41")), ("credit_statement", Decimal("-0.84"))]
    rendering = RunPdfRendering.objects.get(run=run)  # the PDFs are asked for by the click, not by a task
    assert (rendering.door, rendering.requested_by) == ("admin", staff_user)
    page = text(response)
    assert "Der Lauf " in page and "ist freigegeben; 2 Rechnungen und Gutschriften wurden ausgestellt." in page
    assert table_row(page, f"{run.community_id}-000001")[1:4] == ["Rechnung", name_of(run, "consumer"), "1.41"]
    assert "Freigeben und verrechnen</a>" not in page and "Neu berechnen" not in page
    # A second approval (double submit, stale tab) changes nothing.
    again = staff.post(action_url("approve", run), data, follow=True)
    assert "Nur Entwürfe können freigegeben werden." in text(again)
    assert Invoice.objects.count() == 2


def test_approve_of_a_run_recomputed_meanwhile_asks_to_check_again(staff, run):
    state = run_state(run)
    billing_run_start(community=run.community, year=2026, month=6)
    data = {"state": state, "override_missing": "on", "reason": "Juni nur Testdaten"}
    response = staff.post(action_url("approve", run), data)
    assert "Der Lauf wurde geändert, seit diese Seite geöffnet wurde." in text(response)
    run.refresh_from_db()
    assert run.status == "draft"


# -- cancel and recompute --------------------------------------------------------------------------------------------


def test_cancel_of_an_issued_run_credits_its_invoices(staff, run):
    billing_run_approve(run=run, actor=None, reason="Test", override_missing=True)
    run.refresh_from_db()
    numbers = sorted(invoice.display_number for invoice in Invoice.objects.filter(run=run))
    page = text(staff.get(action_url("cancel", run)))
    assert "Die Stornierung stellt für 2 Belege je einen Stornobeleg aus (Summe der stornierten Beträge CHF 0.57)." in (
        page
    )
    assert all(number in page for number in numbers)

    refused = staff.post(action_url("cancel", run), {"state": run_state(run), "reason": ""})
    assert CANCEL_REASON_REQUIRED in text(refused)
    assert Invoice.objects.filter(kind="credit_note").count() == 0

    response = staff.post(action_url("cancel", run), {"state": run_state(run), "reason": "Falscher Tarif"}, follow=True)
    assert response.redirect_chain == [(page_of(run), 302)]
    run.refresh_from_db()
    assert (run.status, run.cancel_reason) == ("cancelled", "Falscher Tarif")
    notes = Invoice.objects.filter(run=run, kind="credit_note").order_by("number")
    assert [(note.corrects.display_number, note.total_chf) for note in notes] == [
        (invoice.display_number, -invoice.total_chf)
        for invoice in Invoice.objects.filter(run=run, kind__in=["invoice", "credit_statement"]).order_by("number")
    ]
    # nothing was paid: each original and its credit note settle each other to zero
    assert set(open_amounts(Invoice.objects.filter(run=run).values_list("pk", flat=True)).values()) == {Decimal(0)}
    assert "2 Stornobelege wurden ausgestellt." in text(response)
    assert "Stornieren</a>" not in text(response)


def test_cancel_of_a_draft_issues_no_credit_notes(staff, run):
    page = text(staff.get(action_url("cancel", run)))
    assert "keine Rechnungen ausgestellt; der Lauf wird ohne Stornobelege verworfen" in page
    staff.post(action_url("cancel", run), {"state": run_state(run), "reason": "Doppelt erfasst"})
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("cancelled", 0)


def test_recompute_replaces_the_draft(staff, run):
    RunDay.objects.filter(run=run).delete()
    response = staff.post(action_url("recompute", run), follow=True)
    assert response.redirect_chain == [(page_of(run), 302)]
    assert "wurde neu berechnet: 2 blockierende Probleme, 0 Abweichungen." in text(response)
    assert RunDay.objects.filter(run=run).count() == 60
    assert staff.get(action_url("recompute", run)).status_code == 405


def test_recompute_of_an_issued_run_is_refused(staff, run):
    billing_run_approve(run=run, actor=None, reason="Test", override_missing=True)
    response = staff.post(action_url("recompute", run), follow=True)
    assert "Nur Entwürfe können neu berechnet werden." in text(response)


# -- who gets in -----------------------------------------------------------------------------------------------------


def test_utility_users_are_sent_away_from_all_of_it(client, utility_user, run):
    client.force_login(utility_user)
    urls = [
        reverse("admin:billing_billingrun_changelist"),
        page_of(run),
        action_url("approve", run),
        action_url("cancel", run),
        reverse("admin:billing_invoice_changelist"),
        reverse("admin:billing_allocationsetting_changelist"),
    ]
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, reverse("admin:login")), url
    data = {"state": run_state(run), "override_missing": "on", "reason": "x"}
    for name in ("approve", "cancel", "recompute"):
        assert client.post(action_url(name, run), data).status_code == 302
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)


def test_staff_without_change_permission_may_look_but_not_act(client, run):
    from django.contrib.auth.models import Permission

    from tests.accounts.factories import StaffUserFactory

    viewer = StaffUserFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_billingrun"))
    client.force_login(viewer)
    page = text(client.get(page_of(run)))
    assert "aria-label=" in page and "Freigeben und verrechnen" not in page
    assert client.get(action_url("approve", run)).status_code == 403
    data = {"state": run_state(run), "override_missing": "on", "reason": "x"}
    assert client.post(action_url("approve", run), data).status_code == 403
    run.refresh_from_db()
    assert run.status == "draft"


# -- invoices and allocation settings --------------------------------------------------------------------------------


def test_invoices_are_read_only(staff, run):
    billing_run_approve(run=run, actor=None, reason="Test", override_missing=True)
    invoice = Invoice.objects.filter(run=run).order_by("number").first()
    page = text(staff.get(reverse("admin:billing_invoice_changelist")))
    assert table_row(page, invoice.display_number)[:5] == [
        invoice.display_number,
        "Rechnung",
        str(run.community),
        name_of(run, "consumer"),
        "1.41",
    ]
    assert reverse("admin:billing_invoice_add") not in page
    detail = text(staff.get(reverse("admin:billing_invoice_change", args=[invoice.pk])))
    assert table_row(detail, "1. LEG-Strom")[1:8] == ["1", "LEG-Strom", "LEG-Strom", "7.026", "kWh", "20.00", "1.41"]
    assert 'name="_save"' not in detail and 'name="lines-0-label"' not in detail
    assert staff.get(reverse("admin:billing_invoice_add")).status_code == 403
    assert staff.post(reverse("admin:billing_invoice_delete", args=[invoice.pk]), {"post": "yes"}).status_code == 403


def test_allocation_keys_are_edited_with_their_setting_and_audited(staff, sample_month):
    from communities.models import AuditEntry

    consumer = sample_month.participants.get(role="consumer")
    response = staff.post(
        reverse("admin:billing_allocationsetting_add"),
        {
            "community": sample_month.pk,
            "method": "static",
            "effective_from": "01.06.2026",
            "keys-TOTAL_FORMS": "1",
            "keys-INITIAL_FORMS": "0",
            "keys-MIN_NUM_FORMS": "0",
            "keys-MAX_NUM_FORMS": "1000",
            "keys-0-participant": consumer.pk,
            "keys-0-weight": "1",
            "keys-0-rank": "",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    setting = AllocationSetting.objects.get()
    assert [(key.participant, key.weight) for key in AllocationKey.objects.filter(setting=setting)] == [(consumer, 1)]
    entries = AuditEntry.objects.filter(model__startswith="billing.").order_by("pk")
    assert list(entries.values_list("model", "door", "community")) == [
        ("billing.AllocationSetting", "admin", sample_month.pk),
        ("billing.AllocationKey", "admin", sample_month.pk),
    ]


def test_allocation_key_needs_a_weight_for_static_methods(staff, sample_month):
    consumer = sample_month.participants.get(role="consumer")
    response = staff.post(
        reverse("admin:billing_allocationsetting_add"),
        {
            "community": sample_month.pk,
            "method": "static",
            "effective_from": "01.06.2026",
            "keys-TOTAL_FORMS": "1",
            "keys-INITIAL_FORMS": "0",
            "keys-MIN_NUM_FORMS": "0",
            "keys-MAX_NUM_FORMS": "1000",
            "keys-0-participant": consumer.pk,
            "keys-0-weight": "",
            "keys-0-rank": "",
        },
    )
    assert response.status_code == 200
    assert "Für dieses Verfahren braucht jede Person einen Schlüssel." in text(response)
    assert AllocationSetting.objects.count() == 0


def test_an_allocation_setting_used_by_an_approved_run_is_read_only(staff, sample_month):
    setting = AllocationSetting.objects.create(
        community=sample_month, method="proportional", effective_from="2026-01-01"
    )
    url = reverse("admin:billing_allocationsetting_change", args=[setting.pk])
    assert 'name="method"' in text(staff.get(url))
    run = billing_run_start(community=sample_month, year=2026, month=6)
    billing_run_approve(run=run, actor=None, reason="Test", override_missing=True)
    assert 'name="method"' not in text(staff.get(url))
    assert (
        staff.post(reverse("admin:billing_allocationsetting_delete", args=[setting.pk]), {"post": "yes"}).status_code
        == 403
    )
    later = AllocationSetting.objects.create(community=sample_month, method="proportional", effective_from="2026-07-01")
    assert 'name="method"' in text(staff.get(reverse("admin:billing_allocationsetting_change", args=[later.pk])))
