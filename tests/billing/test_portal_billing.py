"""Billing in the utility portal: the runs of a community, a run's page (ours vs the VNB's), compute, approve and
cancel behind confirmation pages, the invoice PDFs one by one and as a ZIP; roles, another utility's ids, a fixed
number of queries."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.forms import run_state
from billing.models import BillingRun, Invoice, RunDay
from billing.services import billing_run_approve, billing_run_start
from documents.models import RunPdfRendering
from tests.accounts.factories import UtilityUserFactory
from tests.billing.test_admin import community_of_size, table_row, text
from tests.billing.test_admin_pdfs import draft, issued, media_root  # noqa: F401  (fixtures: the March run, PDFs)
from tests.communities.factories import CommunityFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

REASON_REQUIRED = "Bitte begründen Sie die Freigabe: der Lauf hat Abweichungen oder Probleme."
BLOCKING = (
    "Der Lauf hat 2 blockierende Probleme (z. B. fehlende Messwerte); Freigabe nur mit ausdrücklicher Übersteuerung."
)
CHANGED = "Der Lauf wurde geändert, seit diese Seite geöffnet wurde. Bitte prüfen Sie die Angaben erneut."


@pytest.fixture
def run(sample_month):
    """June 2026 of the SDAT sample: a consumer and a producer, the VNB's split, 2 blocking issues (missing days)."""
    return billing_run_start(community=sample_month, year=2026, month=6)


def login(client, community, role: str = "approver"):
    user = UtilityUserFactory(utility=community.utility, portal_role=role)
    client.force_login(user)
    return user


def url(name: str, run: BillingRun, *extra) -> str:
    """``run``: the run's page (``portal:run``); else ``portal:billing-<name>`` of the run."""
    view = "portal:run" if name == "run" else f"portal:billing-{name}"
    return reverse(view, args=[run.community_id, run.pk, *extra])


def participant(run, role: str):
    return RunDay.objects.filter(run=run, participant__role=role).first().participant


def approve_data(run, **fields) -> dict:
    return {"state": run_state(run), **fields}


# -- the runs of a community and a run's page ------------------------------------------------------------------------


def test_the_billing_tab_lists_the_runs_newest_first_with_status_and_totals(client, run):
    login(client, run.community, "viewer")
    billing_run_approve(run=run, actor=None, reason="Juni nur Testdaten", override_missing=True)

    page = text(client.get(reverse("portal:billing", args=[run.community_id])))

    assert 'aria-current="page">Abrechnung</a>' in page
    assert table_row(page, "Juni 2026")[:7] == ["Juni 2026", "verrechnet", "18.359", "7.026", "0.57", "0", "2"]
    assert url("run", run) in page
    assert "Entwurf berechnen" not in page  # a viewer may not compute


def test_the_run_page_compares_ours_with_the_vnb_per_participant_in_kwh_and_chf(client, run):
    login(client, run.community, "viewer")
    consumer, producer = participant(run, "consumer"), participant(run, "producer")

    page = text(client.get(url("run", run)))

    assert table_row(page, consumer.display_name + " (") == [
        f"{consumer.display_name} ({consumer.customer_number}, Verbraucher)",
        "18.359",  # consumption
        "7.026",  # LEG share ours
        "7.026",  # LEG share VNB
        "0.000",
        "0.000",
        "–",  # the VNB delivered no production split for a consumer
        "0",
        "1.41",  # CHF the invoice will charge
    ]
    assert table_row(page, producer.display_name + " (")[1:] == [
        "0.000",
        "0.000",
        "–",
        "42.191",
        "7.026",
        "7.026",
        "0",
        "-0.84",
    ]
    assert table_row(page, "18.359") == ["18.359", "7.026", "11.333", "42.191", "7.026", "35.165"]
    # each participant's page, relative to the run's: …/billing/<run>/participants/<participant>/
    link = f'<a href="participants/{consumer.pk}/">{consumer.display_name}</a>'
    assert link in client.get(url("run", run)).content.decode()
    assert url("run", run) + f"participants/{consumer.pk}/" == reverse(
        "portal:run-participant", args=[run.community_id, run.pk, consumer.pk]
    )
    assert "Preis (Rp./kWh)" not in page  # the statement lines are on each participant's page
    assert page.count('<li class="message error"><strong>blockierend:</strong> Messpunkt CH10099912345') == 2
    assert 'role="img" aria-label="Energie der Gemeinschaft pro Tag 06/2026"' in page
    assert "Zu diesem Lauf sind keine Rechnungen ausgestellt." in page
    for name in ("export.xlsx", "participants.csv", "days.csv"):
        assert reverse("portal:run-export", args=[run.community_id, run.pk, name]) in page
    # a viewer sees no actions
    assert "Freigeben und verrechnen" not in page and "Stornieren" not in page and "Neu berechnen" not in page


def test_the_run_page_marks_deviating_participants(client, run):
    login(client, run.community, "viewer")
    consumer = participant(run, "consumer")
    RunDay.objects.filter(run=run, participant=consumer, day__in=["2026-06-01", "2026-06-02"]).update(vnb_leg_wh=2)

    page = text(client.get(url("run", run)))

    assert table_row(page, consumer.display_name + " (")[2:4] == ["7.026", "7.030"]
    assert table_row(page, consumer.display_name + " (")[7] == "2"


def test_a_participants_page_shows_its_lines_what_its_invoice_charges_and_its_deviating_days(client, run):
    login(client, run.community, "viewer")
    consumer = participant(run, "consumer")
    RunDay.objects.filter(run=run, participant=consumer, day__in=["2026-06-01", "2026-06-02"]).update(vnb_leg_wh=2)
    points = ", ".join(m.metering_point.mp_id for m in consumer.memberships.all())

    page = text(client.get(reverse("portal:run-participant", args=[run.community_id, run.pk, consumer.pk])))

    assert table_row(page, "LEG-Strom") == ["LEG-Strom", "7.026 kWh", "20.00", "1.41"]
    assert table_row(page, "Die Rechnung belastet") == ["Die Rechnung belastet", "1.41"]
    # the sample has data for 15.06 only: on 01.06 ours is 0, the VNB's 2 Wh; no delivery split for a consumer
    assert table_row(page, "01.06.2026") == ["01.06.2026", "0.000", "0.002", "-0.002", "0.000", "–", "–", points]
    assert reverse("portal:community-coverage", args=[run.community_id, "2026", "06"]) in page


def test_a_participant_of_another_community_is_not_found_in_a_run(client, run, sample_month):
    other = CommunityFactory(utility=run.community.utility)
    stranger = ParticipantFactory(community=other)
    login(client, run.community)

    response = client.get(reverse("portal:run-participant", args=[run.community_id, run.pk, stranger.pk]))

    assert response.status_code == 404


def test_the_approver_sees_the_actions_of_a_draft(client, run):
    login(client, run.community)
    page = text(client.get(url("run", run)))
    assert url("approve", run) in page and url("cancel", run) in page and "Neu berechnen" in page


# -- compute ---------------------------------------------------------------------------------------------------------


def test_compute_creates_the_draft_and_leads_to_its_page(client, sample_month):
    login(client, sample_month, "desk")

    response = client.post(
        reverse("portal:billing-compute", args=[sample_month.pk]), {"period": "2026-06"}, follow=True
    )

    run = BillingRun.objects.get(community=sample_month, year=2026, month=6)
    assert response.redirect_chain == [(url("run", run), 302)]
    assert (run.status, run.blocking_issues, run.deviations) == ("draft", 2, 0)
    assert run.totals["wh"] == {
        "consumption": 18359,
        "leg": 7026,
        "grid": 11333,
        "production": 42191,
        "delivered": 7026,
        "surplus": 35165,
    }
    assert run.totals["chf"]["energy"] == "1.41" and run.totals["chf"]["credit"] == "-0.84"
    assert f"Der Lauf {run} wurde neu berechnet: 2 blockierende Probleme, 0 Abweichungen." in text(response)


def test_compute_again_replaces_the_draft(client, run):
    login(client, run.community, "desk")
    RunDay.objects.filter(run=run).delete()

    client.post(reverse("portal:billing-compute", args=[run.community_id]), {"period": "2026-06"})

    assert BillingRun.objects.filter(community=run.community).count() == 1
    assert RunDay.objects.filter(run=run).count() == 60


def test_compute_of_a_month_not_closed_or_not_started_says_why_and_creates_nothing(client, sample_month):
    login(client, sample_month, "desk")
    compute = reverse("portal:billing-compute", args=[sample_month.pk])

    future = client.post(compute, {"period": "2099-01"}, follow=True)
    early = client.post(compute, {"period": "2025-12"}, follow=True)
    garbage = client.post(compute, {"period": "Juni"}, follow=True)

    assert future.redirect_chain == [(reverse("portal:billing", args=[sample_month.pk]), 302)]
    assert "Der Monat 01/2099 ist noch nicht abgeschlossen." in text(future)
    assert f"{sample_month} ist noch nicht gestartet" in text(early).replace("&quot;", '"').replace("&#x27;", "'")
    assert "Bitte den Monat als JJJJ-MM angeben, z. B. 2026-03." in text(garbage)
    assert BillingRun.objects.count() == 0
    assert client.get(compute).status_code == 405


def test_compute_of_an_issued_month_is_refused(client, run):
    login(client, run.community, "desk")
    billing_run_approve(run=run, actor=None, reason="Test", override_missing=True)

    response = client.post(
        reverse("portal:billing-compute", args=[run.community_id]), {"period": "2026-06"}, follow=True
    )

    assert "Der Monat 06/2026 ist bereits verrechnet; er kann nicht neu berechnet werden." in text(response)


# -- approve ---------------------------------------------------------------------------------------------------------


def test_the_confirmation_page_shows_what_approval_issues(client, run):
    login(client, run.community)

    page = text(client.get(url("approve", run)))

    assert "Die Freigabe stellt 2 Rechnungen über insgesamt CHF 0.57 aus." in page
    assert table_row(page, participant(run, "consumer").display_name + " (")[1] == "1.41"
    assert table_row(page, participant(run, "producer").display_name + " (")[1] == "-0.84"
    assert re.search(r'<label for="id_reason">Begründung</label>', page)
    assert re.search(r'<textarea[^>]*name="reason"[^>]*required', page)
    assert '<label for="id_override_missing">fehlende Daten übersteuern</label>' in page
    assert f'name="state" value="{run_state(run)}"' in page
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)


def test_approve_needs_the_override_for_missing_data_and_a_reason_for_problems(client, run):
    login(client, run.community)

    without_override = client.post(url("approve", run), approve_data(run, reason="Juni nur Testdaten"))
    without_reason = client.post(url("approve", run), approve_data(run, override_missing="on", reason="  "))

    assert without_override.status_code == 200 and BLOCKING in text(without_override)
    assert without_reason.status_code == 200 and REASON_REQUIRED in text(without_reason)
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)


def test_approve_with_reason_issues_numbered_invoices_once(client, run):
    user = login(client, run.community)
    data = approve_data(run, override_missing="on", reason="Juni nur Testdaten")

    response = client.post(url("approve", run), data, follow=True)

    assert response.redirect_chain == [(url("run", run), 302)]
    run.refresh_from_db()
    assert (run.status, run.approved_by, run.approval_reason) == ("issued", user, "Juni nur Testdaten")
    number = f"{run.community_id}-00000"
    invoices = Invoice.objects.filter(run=run).order_by("number")
    assert [(i.display_number, i.kind, i.total_chf) for i in invoices] == [
        (f"{number}1", "invoice", Decimal("1.41")),
        (f"{number}2", "credit_statement", Decimal("-0.84")),
    ]
    assert RunPdfRendering.objects.get(run=run).door == "portal"
    page = text(response)
    assert f"Der Lauf {run} ist freigegeben; 2 Rechnungen und Gutschriften wurden ausgestellt." in page
    assert table_row(page, f"{number}1")[:3] == [f"{number}1", "Rechnung", participant(run, "consumer").display_name]
    assert f"durch {user}: Juni nur Testdaten" in page

    again = client.post(url("approve", run), data, follow=True)  # double submit

    assert again.redirect_chain == [(url("run", run), 302)]
    assert "Nur Entwürfe können freigegeben werden." in text(again)
    assert Invoice.objects.count() == 2


def test_approve_of_a_run_recomputed_meanwhile_is_refused(client, run):
    login(client, run.community)
    state = run_state(run)
    billing_run_start(community=run.community, year=2026, month=6)  # someone recomputes while the page is open

    response = client.post(url("approve", run), {"state": state, "override_missing": "on", "reason": "Test"})

    assert response.status_code == 200
    assert CHANGED in text(response)
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)


# -- cancel ----------------------------------------------------------------------------------------------------------


def test_cancel_of_an_issued_run_issues_credit_notes(client, run):
    user = login(client, run.community)
    billing_run_approve(run=run, actor=None, reason="Test", override_missing=True)
    run.refresh_from_db()

    page = text(client.get(url("cancel", run)))
    refused = client.post(url("cancel", run), {"state": run_state(run), "reason": ""})
    response = client.post(url("cancel", run), {"state": run_state(run), "reason": "Falscher Tarif"}, follow=True)

    assert "Die Stornierung stellt für 2 Belege je einen Stornobeleg aus (Summe der stornierten Beträge CHF 0.57)." in (
        page
    )
    assert '<label for="id_reason">Grund der Stornierung</label>' in page
    assert "Bitte geben Sie einen Grund für die Stornierung an." in text(refused)
    assert response.redirect_chain == [(url("run", run), 302)]
    run.refresh_from_db()
    assert (run.status, run.cancelled_by, run.cancel_reason) == ("cancelled", user, "Falscher Tarif")
    notes = Invoice.objects.filter(run=run, kind="credit_note").order_by("number")
    assert [(note.corrects.total_chf, note.total_chf) for note in notes] == [
        (Decimal("1.41"), Decimal("-1.41")),
        (Decimal("-0.84"), Decimal("0.84")),
    ]
    assert f"Der Lauf {run} ist storniert; 2 Stornobelege wurden ausgestellt." in text(response)

    again = client.post(url("cancel", run), {"state": run_state(run), "reason": "Falscher Tarif"}, follow=True)
    assert "Der Lauf ist bereits storniert." in text(again)
    assert Invoice.objects.filter(kind="credit_note").count() == 2


# -- roles -----------------------------------------------------------------------------------------------------------


def test_the_desk_may_compute_but_not_approve_or_cancel(client, run):
    login(client, run.community, "desk")

    answers = [
        client.get(url("approve", run)).status_code,
        client.post(url("approve", run), approve_data(run, override_missing="on", reason="x")).status_code,
        client.get(url("cancel", run)).status_code,
        client.post(url("cancel", run), {"state": run_state(run), "reason": "x"}).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    run.refresh_from_db()
    assert run.status == "draft"
    page = text(client.get(url("run", run)))
    assert "Neu berechnen" in page and url("approve", run) not in page and url("cancel", run) not in page


def test_the_viewer_may_not_compute(client, sample_month):
    login(client, sample_month, "viewer")

    response = client.post(reverse("portal:billing-compute", args=[sample_month.pk]), {"period": "2026-06"})

    assert response.status_code == 403
    assert BillingRun.objects.count() == 0


def test_staff_get_403(client, staff_user, run):
    client.force_login(staff_user)
    assert client.get(url("run", run)).status_code == 403


# -- PDFs ------------------------------------------------------------------------------------------------------------


def test_while_the_pdfs_render_the_run_page_shows_progress_and_refreshes_itself(client, draft):  # noqa: F811
    login(client, draft.community, "viewer")
    billing_run_approve(run=draft, actor=None)  # the rendering waits for a commit that never comes

    page = text(client.get(url("run", draft)))

    assert "0 von 5 Rechnungen erstellt" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert url("invoices-zip", draft) not in page


def test_the_run_page_links_every_pdf_and_the_zip_once_rendered(client, issued):  # noqa: F811
    login(client, issued.community, "viewer")

    page = text(client.get(url("run", issued)))

    assert "5 von 5 Rechnungen erstellt" in page
    assert 'http-equiv="refresh"' not in page
    for invoice in Invoice.objects.filter(run=issued):
        assert url("invoice-pdf", issued, invoice.pk) in page
    assert url("invoices-zip", issued) in page
    assert "Alle Rechnungen und Gutschriften (ZIP)" in page


def test_an_invoice_pdf_and_the_zip_of_the_run(client, issued):  # noqa: F811
    login(client, issued.community, "viewer")
    invoice = Invoice.objects.filter(run=issued).order_by("number").first()

    pdf = client.get(url("invoice-pdf", issued, invoice.pk))
    archive = client.get(url("invoices-zip", issued))

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="Rechnung-{invoice.display_number}.pdf"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert archive["Content-Type"] == "application/zip"
    assert archive["Content-Disposition"] == f'attachment; filename="PDFs-{issued.community_id}-2026-03.zip"'
    prefix = f"{issued.community_id}-00000"
    assert zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist() == [
        f"Rechnung-{prefix}1.pdf",
        f"Rechnung-{prefix}2.pdf",
        f"Rechnung-{prefix}3.pdf",
        f"Gutschrift-{prefix}4.pdf",
        f"Gutschrift-{prefix}5.pdf",
    ]


def test_the_zip_after_a_cancellation_holds_the_credit_notes_too(client, issued, django_capture_on_commit_callbacks):  # noqa: F811
    user = login(client, issued.community)
    issued.refresh_from_db()  # the state the cancellation page shows: issued
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("cancel", issued), {"state": run_state(issued), "reason": "Falscher Tarif"})
    assert RunPdfRendering.objects.get(run=issued).requested_by == user

    archive = client.get(url("invoices-zip", issued))

    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert names[5:] == [f"Storno-{issued.community_id}-{number:06d}.pdf" for number in range(6, 11)]


# -- another utility's ids -------------------------------------------------------------------------------------------


def test_another_utilitys_run_and_invoice_are_not_found(client, issued, sample_month):  # noqa: F811
    own = billing_run_start(community=sample_month, year=2026, month=6)
    login(client, sample_month)
    foreign_invoice = Invoice.objects.filter(run=issued).first()
    data = {"state": run_state(issued), "reason": "x", "override_missing": "on", "period": "2026-03"}
    own_community = sample_month.pk

    foreign = [
        reverse("portal:billing", args=[issued.community_id]),
        reverse("portal:billing-compute", args=[issued.community_id]),
        url("run", issued),
        url("approve", issued),
        url("cancel", issued),
        url("invoice-pdf", issued, foreign_invoice.pk),
        url("invoices-zip", issued),
        # the own community with the other's run or invoice
        reverse("portal:run", args=[own_community, issued.pk]),
        reverse("portal:billing-approve", args=[own_community, issued.pk]),
        reverse("portal:billing-cancel", args=[own_community, issued.pk]),
        reverse("portal:billing-invoices-zip", args=[own_community, issued.pk]),
        reverse("portal:billing-invoice-pdf", args=[own_community, own.pk, foreign_invoice.pk]),
    ]

    assert {u: client.get(u).status_code for u in foreign} == dict.fromkeys(foreign, 404)
    assert {u: client.post(u, data).status_code for u in foreign} == dict.fromkeys(foreign, 404)
    assert Invoice.objects.filter(kind="credit_note").count() == 0
    assert BillingRun.objects.filter(community=issued.community).count() == 1


# -- a fixed number of queries ---------------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_pages_need_the_same_queries_for_3_and_30_participants(client, django_assert_num_queries):
    counts = []
    for size in (3, 30):
        community = community_of_size(size)
        login(client, community)
        computed = billing_run_start(community=community, year=2026, month=6)
        draft_pages = [_queries(client, url("run", computed)), _queries(client, url("approve", computed))]
        billing_run_approve(run=computed, actor=None, reason="Test", override_missing=True)
        assert Invoice.objects.filter(run=computed).count() == size
        member = community.participants.order_by("pk").last()
        counts.append(
            [
                *draft_pages,
                _queries(client, reverse("portal:billing", args=[community.pk])),
                _queries(client, url("run", computed)),
                _queries(client, url("cancel", computed)),
                _queries(client, reverse("portal:run-participant", args=[community.pk, computed.pk, member.pk])),
            ]
        )
    # draft page, approval page, the runs, issued page, cancel page, a participant's page; 6 of a run page compare
    # it with the data of now
    # sessions in Redis, as the dashboard test counts; each page one more for the subscription banner
    assert counts == [[22, 17, 6, 22, 7, 11]] * 2
    with django_assert_num_queries(22):
        client.get(url("run", computed))


def test_the_dashboards_to_do_leads_to_the_run_waiting_for_approval(client, run):
    login(client, run.community, "viewer")

    page = text(client.get(reverse("portal:home")))

    assert re.search(rf'<a href="{url("run", run)}">Die Abrechnung [^<]+ wartet auf Freigabe.</a>', page)
