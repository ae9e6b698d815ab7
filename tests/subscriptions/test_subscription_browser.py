"""The approver's subscription in a real browser (Debian's Chromium through Playwright, live server): the plans,
subscribe → Stripe Checkout, the trial that Stripe's signed webhook reports, the customer portal, the cancellation.

Stripe is answered at the HTTP layer (``responses``, which also covers the live server's thread); Checkout's and the
customer portal's pages are Stripe's and stand here as a placeholder the browser is routed to.
"""

import pytest
from djstripe.models import Customer

from subscriptions.models import UtilitySubscription
from tests.accounts.factories import UtilityUserFactory
from tests.browser import BrowserSession, screenshot
from tests.communities.test_portal_journey_browser import log_in
from tests.subscriptions.conftest import plans_in_djstripe
from tests.subscriptions.signing import event, post_signed
from tests.subscriptions.stripe_fake import answer as portal_answer
from tests.subscriptions.stripe_http import API
from tests.subscriptions.stripe_http import answer as webhook_answer
from tests.subscriptions.test_effects import SECRET, stripe_now_says, subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKOUT = "https://checkout.stripe.com/**"
CUSTOMER_PORTAL = "https://billing.stripe.com/**"


def stripe_page(title: str):
    def fulfil(route):
        route.fulfill(status=200, content_type="text/html", body=f"<title>{title}</title><h1>{title}</h1>")

    return fulfil


@pytest.fixture
def walk(live_server, stripe_webhook_http, utility, settings):
    settings.DJSTRIPE_WEBHOOK_SECRET = SECRET
    stripe = stripe_webhook_http
    plans_in_djstripe(stripe)
    customer = Customer.sync_from_stripe_data(webhook_answer("customer"))
    customer.subscriber = utility
    customer.save()
    UtilityUserFactory(utility=utility, portal_role="approver", username="anna", password="anna-pass-123")
    stripe.get(f"{API}/customers/cus_OpenLEGEW1", json=webhook_answer("customer"))
    stripe.get(f"{API}/products/prod_OpenLEGStarter", json=webhook_answer("product_starter"))
    stripe.post(f"{API}/checkout/sessions", json=portal_answer("checkout_session"))
    stripe.post(f"{API}/billing_portal/sessions", json=portal_answer("billing_portal_session"))
    return stripe


def stripe_reports(client, stripe, event_id: str, kind: str, status: str) -> None:
    state = subscription(status)
    stripe_now_says(stripe, state)
    assert post_signed(client, "/webhook/stripe", event(event_id, kind, state), SECRET).status_code == 200


def test_an_approver_subscribes_manages_and_cancels(walk, live_server, client):
    browser = BrowserSession(live_server.url)

    def subscribe(page):
        page.route(CHECKOUT, stripe_page("Stripe Checkout"))
        log_in(page, "anna", "anna-pass-123")
        page.get_by_role("link", name="Abonnement").click()
        screenshot(page, "subscription-01-plans")
        plans = page.locator("table.plans").inner_text()
        page.get_by_role("row", name="Starter").get_by_role("button", name="Abonnieren").first.click()
        page.wait_for_url(CHECKOUT)
        return plans, page.title()

    plans, checkout = browser.run(subscribe)
    assert "Starter 3 30 Tage CHF 990.00 Abonnieren CHF 9'900.00 Abonnieren Professional" in " ".join(plans.split())
    assert checkout == "Stripe Checkout"

    stripe_reports(client, walk, "evt_created", "customer.subscription.created", "trialing")

    def manage(page):
        page.route(CUSTOMER_PORTAL, stripe_page("Stripe Kundenportal"))
        page.goto("/utility/billing/?checkout=success")
        screenshot(page, "subscription-02-trial")
        facts = page.locator("dl.facts").inner_text()
        message = page.locator("ul.messages li").inner_text()
        page.get_by_role("button", name="Abonnement verwalten").click()
        page.wait_for_url(CUSTOMER_PORTAL)
        return facts, message, page.title()

    facts, message, portal = browser.run(manage)
    assert " ".join(facts.split()) == (
        "Plan Starter, monatlich Status Testphase Testphase bis 30.12.2026 Nächste Rechnung 30.12.2026, CHF 990.00"
    )
    assert message.startswith("Danke! Stripe hat den Abschluss bestätigt")
    assert portal == "Stripe Kundenportal"

    stripe_reports(client, walk, "evt_deleted", "customer.subscription.deleted", "canceled")

    def after_cancellation(page):
        page.goto("/utility/billing/")
        screenshot(page, "subscription-03-canceled")
        return page.locator("main").inner_text()

    text = browser.run(after_cancellation)
    assert UtilitySubscription.objects.get().status == "canceled"
    ended = "Ihr Abonnement «Starter» ist gekündigt und endete am 15.01.2027. Sie können unten wieder abonnieren."
    assert ended in text
    assert text.count("Abonnieren") == 6
