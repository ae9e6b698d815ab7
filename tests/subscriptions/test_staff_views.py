"""What staff see: each utility's subscription in the admin with MRR and events, and MRR on the pipeline dashboard."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from djstripe.models import Customer, Event

from subscriptions.models import UtilitySubscription
from subscriptions.revenue import subscription_figures
from tests.pipeline.factories import UtilityFactory
from tests.subscriptions.stripe_http import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriptions():
    rows = [
        ("ZH", "starter", "active"),
        ("ZH", "professional", "active"),
        ("BE", "professional", "past_due"),
        ("BE", "starter", "trialing"),
        ("ZH", "enterprise", "canceled"),
    ]
    return [
        UtilitySubscription.objects.create(
            utility=UtilityFactory(canton=canton, name=f"EW {plan} {status}"),
            plan_key=plan,
            status=status,
            stripe_subscription_id=f"sub_{plan}_{status}",
        )
        for canton, plan, status in rows
    ]


def test_the_subscription_figures_carry_mrr_and_subscriptions_per_plan(subscriptions):
    figures = subscription_figures()

    assert figures == {
        "mrr_chf": "6970.00",
        "plans": [
            {"plan": "starter", "label": "Starter", "subscriptions": 2, "mrr_chf": "990.00"},
            {"plan": "professional", "label": "Professional", "subscriptions": 2, "mrr_chf": "5980.00"},
            {"plan": "enterprise", "label": "Enterprise", "subscriptions": 0, "mrr_chf": "0.00"},
        ],
    }
    assert subscription_figures(canton="BE")["mrr_chf"] == "2990.00"


def test_the_dashboard_page_shows_mrr(staff, subscriptions):
    html = staff.get("/admin/pipeline/").content.decode()

    assert "<h2>Abonnemente</h2>" in html
    assert (
        '<td>Professional</td><td style="text-align:right">2</td><td style="text-align:right">5&#x27;980.00</td>'
        in html
        or (
            '<td>Professional</td><td style="text-align:right">2</td><td style="text-align:right">5\'980.00</td>'
            in html
        )
    )


def test_the_admin_lists_subscriptions_with_mrr_and_grace(staff, subscriptions):
    html = staff.get(reverse("admin:subscriptions_utilitysubscription_changelist")).content.decode()

    assert "EW professional past_due" in html
    assert "2&#x27;990.00" in html or "2'990.00" in html


def test_the_change_page_lists_the_utilitys_events_read_only(staff, stripe_webhook_http):
    utility = UtilityFactory(name="EW Ereignisse")
    customer = Customer.sync_from_stripe_data(answer("customer"))
    customer.subscriber = utility
    customer.save()
    record = UtilitySubscription.objects.create(
        utility=utility, plan_key="starter", status="active", stripe_subscription_id="sub_OpenLEGEW1"
    )
    for event_id, kind, obj in [
        (
            "evt_sub",
            "customer.subscription.updated",
            {"id": "sub_OpenLEGEW1", "object": "subscription", "customer": "cus_OpenLEGEW1"},
        ),
        ("evt_inv", "invoice.paid", {"id": "in_1", "object": "invoice", "customer": "cus_OpenLEGEW1"}),
        ("evt_other", "invoice.paid", {"id": "in_2", "object": "invoice", "customer": "cus_Someone"}),
    ]:
        Event.objects.create(
            id=event_id,
            type=kind,
            livemode=False,
            api_version="2026-05-27.dahlia",
            data={"object": obj},
            created=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        )

    response = staff.get(reverse("admin:subscriptions_utilitysubscription_change", args=[record.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "customer.subscription.updated" in html and "in_1" not in html
    assert html.count("01.12.2026 10:00 · invoice.paid") == 1  # 09:00 UTC, shown in Zurich time
    assert reverse("admin:djstripe_event_change", args=["evt_sub"]) in html
    assert 'name="_save"' not in html  # read only
