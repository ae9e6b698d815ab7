"""Starting and restarting billing runs from the console: choose, confirm (nothing before), follow the batch."""

import logging
import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import BillingRun, RunBatch, RunBatchItem
from billing.run_start import run_batch_item_compute, run_batch_start
from billing.services import billing_run_approve, billing_run_cancel, billing_run_start
from openleg.errors import DomainError
from tests.accounts.factories import StaffUserFactory
from tests.billing.test_admin import table_row, text
from tests.billing.test_run_start import NO_MEMBERS, NOT_STARTED, rebhalde, without_members  # noqa: F401
from tests.communities.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

START = reverse("admin:billing_billingrun_start")
CONFIRM = reverse("admin:billing_billingrun_start_confirm")
LATER = "LEG Später ist noch nicht gestartet (Status: Aktiv, Start 01.04.2026); für 03/2026 wurde kein Lauf erstellt."


def active(name: str, members: int = 1, start: date = date(2026, 1, 1)):
    community = CommunityFactory(name=name, status="active", start_date=start)
    for _ in range(members):
        MembershipFactory(participant__community=community, valid_from=start)
    return community


def progress_url(batch) -> str:
    return reverse("admin:billing_runbatch_progress", args=[batch.pk])


@pytest.fixture
def month(monkeypatch):
    monkeypatch.setattr("billing.admin_start.previous_month", lambda: (2026, 3))


@pytest.fixture
def viewer(client):
    user = StaffUserFactory(is_superuser=False)
    user.user_permissions.add(Permission.objects.get(codename="view_billingrun"))
    client.force_login(user)
    return client


# -- where it starts -------------------------------------------------------------------------------------------------


def test_the_run_list_and_a_community_lead_to_the_start_page(staff, rebhalde):  # noqa: F811
    page = text(staff.get(reverse("admin:billing_billingrun_changelist")))
    assert f'<a class="ol-btn ol-btn-primary" href="{START}">Abrechnung starten</a>' in page
    filtered = text(staff.get(reverse("admin:billing_billingrun_changelist") + f"?community__id__exact={rebhalde.pk}"))
    assert f'<a class="ol-btn ol-btn-primary" href="{START}?community={rebhalde.pk}">Abrechnung starten</a>' in filtered
    page = text(staff.get(reverse("admin:communities_community_change", args=[rebhalde.pk])))
    assert f'<a class="ol-btn ol-btn-secondary" href="{START}?community={rebhalde.pk}">Abrechnung starten</a>' in page


def test_the_start_page_proposes_the_last_closed_month_and_all_active_communities(staff, month, rebhalde):  # noqa: F811
    page = text(staff.get(START))
    assert re.search(r'<input type="month" name="period" value="2026-03"', page)
    assert '<option value="" selected>alle aktiven Gemeinschaften</option>' in page
    page = text(staff.get(START + f"?community={rebhalde.pk}"))
    assert f'<option value="{rebhalde.pk}" selected>LEG Rebhalde</option>' in page


@pytest.mark.parametrize(
    ("period", "error"),
    [
        ("2027-01", "Der Monat 01/2027 ist noch nicht abgeschlossen."),
        ("März", "«März» ist kein Monat: bitte als JJJJ-MM angeben, z. B. 2026-03."),
        ("2026-13", "«2026-13» ist kein Monat: bitte als JJJJ-MM angeben, z. B. 2026-03."),
    ],
)
def test_a_month_that_cannot_be_billed_is_refused_by_the_form(staff, period, error):
    page = text(staff.get(CONFIRM, {"period": period}))
    assert '<ul class="errorlist"' in page and error in page
    assert RunBatch.objects.count() == 0


# -- the confirmation page -------------------------------------------------------------------------------------------


def test_confirmation_lists_what_will_happen_per_community_and_starts_nothing(
    staff,
    without_members,  # noqa: F811
    rebhalde,  # noqa: F811
):
    drafted, issued = active("LEG Entwurf"), active("LEG Fertig")
    active("LEG Frisch")
    active("LEG Später", start=date(2026, 4, 1))
    draft = billing_run_start(community=drafted, year=2026, month=3)
    done = billing_run_approve(
        run=billing_run_start(community=issued, year=2026, month=3), actor=None, reason="Test", override_missing=True
    )
    page = text(staff.get(CONFIRM, {"period": "2026-03", "community": ""}))
    assert "2 Gemeinschaften werden berechnet, 3 abgelehnt." in page  # rebhalde is not active: not among "all"
    assert table_row(page, "LEG Entwurf") == ["LEG Entwurf", f"Der Entwurf {draft} wird neu berechnet.", "Entwurf"]
    assert table_row(page, "LEG Fertig") == [
        "LEG Fertig",
        f"Der Lauf {done} ist bereits verrechnet und wird nicht neu berechnet; "
        "für eine neue Abrechnung muss er zuerst storniert werden.",
        "verrechnet",
    ]
    assert table_row(page, "LEG Frisch") == ["LEG Frisch", "Ein neuer Lauf für 03/2026 wird erstellt.", "–"]
    assert table_row(page, "LEG Leer") == ["LEG Leer", NO_MEMBERS, "–"]
    assert table_row(page, "LEG Später") == ["LEG Später", LATER, "–"]
    assert "LEG Rebhalde" not in page
    assert 'value="Abrechnung starten"' in page
    assert (RunBatch.objects.count(), BillingRun.objects.count()) == (0, 2)


def test_a_single_community_not_started_is_refused_with_its_sentence(staff, rebhalde):  # noqa: F811
    page = text(staff.get(CONFIRM, {"period": "2026-03", "community": rebhalde.pk}))
    assert table_row(page, "LEG Rebhalde") == ["LEG Rebhalde", NOT_STARTED, "–"]
    assert "0 Gemeinschaften werden berechnet, 1 abgelehnt." in page
    assert 'value="Abrechnung starten"' not in page
    assert "Keine der gewählten Gemeinschaften kann für diesen Monat berechnet werden." in page
    response = staff.post(CONFIRM, {"period": "2026-03", "community": rebhalde.pk}, follow=True)
    assert "Für 03/2026 kann keine der gewählten Gemeinschaften berechnet werden; nichts wurde gestartet." in text(
        response
    )
    assert (RunBatch.objects.count(), BillingRun.objects.count()) == (0, 0)


def test_confirming_starts_a_batch_of_the_communities_to_compute(
    staff,
    staff_user,
    without_members,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    first, second = active("LEG A"), active("LEG B", members=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff.post(CONFIRM, {"period": "2026-03", "community": ""})
    batch = RunBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == progress_url(batch)
    assert len(callbacks) == 1  # one group, queued after commit
    assert (batch.year, batch.month, batch.created_by) == (2026, 3, staff_user)
    items = {item.community: item for item in batch.items.select_related("run")}
    assert set(items) == {first, second}  # the community without members is refused before, not queued
    for community, item in items.items():
        assert (item.state, item.run.community, item.run.status, item.run.created_by) == (
            "done",
            community,
            "draft",
            staff_user,
        )
    assert items[first].message == f"{items[first].run.blocking_issues} blockierende Probleme, 0 Abweichungen zum VNB."
    page = text(staff.get(progress_url(batch)))
    assert "<strong>2 von 2 berechnet</strong>" in page
    assert 'http-equiv="refresh"' not in page
    assert table_row(page, "LEG A")[:2] == ["LEG A", "berechnet"]
    assert f'href="{reverse("admin:billing_billingrun_change", args=[items[first].run.pk])}"' in page


def test_progress_refreshes_while_anything_waits_and_counts_each_state(staff):
    batch = RunBatch.objects.create(year=2026, month=3)
    states = ["done", "done", "done", "refused", "failed", "queued", "queued"]
    for index, state in enumerate(states):
        RunBatchItem.objects.create(batch=batch, community=active(f"LEG {index}"), state=state, message=f"M{index}")
    page = text(staff.get(progress_url(batch)))
    assert "<strong>3 von 7 berechnet, 1 abgelehnt, 1 fehlgeschlagen, 2 warten</strong>" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert table_row(page, "LEG 3")[:3] == ["LEG 3", "abgelehnt", "M3"]
    assert table_row(page, "LEG 5")[:3] == ["LEG 5", "wartet", "M5"]


def test_progress_page_queries_do_not_grow_with_the_batch(staff):
    counts = []
    for size in (1, 6):
        batch = RunBatch.objects.create(year=2026, month=3)
        for index in range(size):
            community = active(f"LEG {size}-{index}")
            run = billing_run_start(community=community, year=2026, month=3)
            RunBatchItem.objects.create(batch=batch, community=community, state="done", run=run)
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(progress_url(batch)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 6


def test_an_unknown_batch_is_not_found(staff):
    assert staff.get(reverse("admin:billing_runbatch_progress", args=[999])).status_code == 404


# -- the tasks of a batch --------------------------------------------------------------------------------------------


def test_a_community_refused_after_confirmation_is_recorded_with_its_sentence(rebhalde):  # noqa: F811
    ready = active("LEG Bereit")
    batch = run_batch_start(community_id=ready.pk, year=2026, month=3, actor=None)
    ready.status = "draft"
    ready.save()
    item = run_batch_item_compute(item_id=batch.items.get().pk)
    assert (item.state, item.run, item.message) == (
        "refused",
        None,
        "LEG Bereit ist noch nicht gestartet (Status: Entwurf, Start 01.01.2026); "
        "für 03/2026 wurde kein Lauf erstellt.",
    )
    assert item.finished_at is not None and BillingRun.objects.count() == 0


def test_a_failure_is_recorded_and_logged_and_the_other_communities_still_run(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    good, bad = active("LEG Gut"), active("LEG Kaputt")
    real = billing_run_start

    def failing(*, community, **kwargs):
        if community == bad:
            raise RuntimeError("Datenbank weg")
        return real(community=community, **kwargs)

    monkeypatch.setattr("billing.run_start.billing_run_start", failing)
    with caplog.at_level(logging.ERROR, logger="billing.run_start"), django_capture_on_commit_callbacks(execute=True):
        batch = run_batch_start(community_id=None, year=2026, month=3, actor=None)
    states = {item.community.name: (item.state, item.message) for item in batch.items.select_related("community")}
    assert states["LEG Kaputt"] == ("failed", "Unerwarteter Fehler: RuntimeError: Datenbank weg")
    assert states["LEG Gut"][0] == "done"
    assert [record.getMessage() for record in caplog.records if record.name == "billing.run_start"] == [
        f"billing run of community {bad.pk} for 03/2026 failed"
    ]
    assert BillingRun.objects.get().community == good


def test_a_task_run_twice_records_once(django_capture_on_commit_callbacks):
    community = active("LEG Zweimal")
    with django_capture_on_commit_callbacks(execute=True):
        batch = run_batch_start(community_id=community.pk, year=2026, month=3, actor=None)
    item = batch.items.get()
    first = (item.state, item.run_id, item.message, item.finished_at)
    again = run_batch_item_compute(item_id=item.pk)
    assert (again.state, again.run_id, again.message, again.finished_at) == first
    assert BillingRun.objects.count() == 1


def test_nothing_to_start_is_refused_by_the_service(without_members):  # noqa: F811
    with pytest.raises(DomainError) as caught:
        run_batch_start(community_id=without_members.pk, year=2026, month=3, actor=None)
    assert caught.value.code == "nothing_to_start"
    with pytest.raises(DomainError, match=r"^Der Monat 01/2027 ist noch nicht abgeschlossen\.$"):
        run_batch_start(community_id=None, year=2027, month=1, actor=None)
    assert RunBatch.objects.count() == 0


# -- restart after cancellation --------------------------------------------------------------------------------------


def test_a_cancelled_run_leads_to_billing_the_month_again(staff, staff_user, django_capture_on_commit_callbacks):
    community = active("LEG Nochmal")
    run = billing_run_cancel(
        run=billing_run_start(community=community, year=2026, month=3), actor=staff_user, reason="falscher Tarif"
    )
    page = text(staff.get(reverse("admin:billing_billingrun_change", args=[run.pk])))
    restart = f"{CONFIRM}?community={community.pk}&amp;period=2026-03"
    assert f'<a href="{restart}" class="ol-btn ol-btn-secondary">Monat neu abrechnen</a>' in page
    assert "Der Monat kann mit «Monat neu abrechnen» (oben rechts) wieder verrechnet werden." in page
    page = text(staff.get(CONFIRM, {"community": community.pk, "period": "2026-03"}))
    assert table_row(page, "LEG Nochmal") == ["LEG Nochmal", "Ein neuer Lauf für 03/2026 wird erstellt.", "–"]
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(CONFIRM, {"community": community.pk, "period": "2026-03"})
    assert list(BillingRun.objects.filter(community=community).order_by("pk").values_list("status", flat=True)) == [
        "cancelled",
        "draft",
    ]
    assert RunBatchItem.objects.get().run == BillingRun.objects.get(status="draft")


def test_a_live_run_page_offers_no_restart(staff):
    run = billing_run_start(community=active("LEG Live"), year=2026, month=3)
    assert "Monat neu abrechnen" not in text(staff.get(reverse("admin:billing_billingrun_change", args=[run.pk])))


# -- permissions -----------------------------------------------------------------------------------------------------


def test_staff_without_change_permission_may_follow_a_batch_but_not_start(viewer, rebhalde):  # noqa: F811
    assert viewer.get(START).status_code == 403
    assert viewer.get(CONFIRM, {"period": "2026-03"}).status_code == 403
    assert viewer.post(CONFIRM, {"period": "2026-03", "community": rebhalde.pk}).status_code == 403
    assert "Abrechnung starten" not in text(viewer.get(reverse("admin:billing_billingrun_changelist")))
    batch = RunBatch.objects.create(year=2026, month=3)
    assert viewer.get(progress_url(batch)).status_code == 200
    assert RunBatch.objects.count() == 1


def test_utility_users_are_sent_to_the_login(client, utility_user):
    client.force_login(utility_user)
    response = client.get(START)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
