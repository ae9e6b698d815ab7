"""/utility/billing/: only the approver role; without keys a plain sentence; the subscription, its next invoice and
past invoices from dj-stripe; the buttons lead to Stripe Checkout and the customer portal."""

import datetime as dt

import pytest
from djstripe.models import Customer, Invoice, Subscription

from tests.accounts.factories import UtilityUserFactory
from tests.subscriptions.stripe_fake import API, answer, our_calls

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PAGE = "/utility/billing/"
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_a1OpenLEGStarter0001#fidkdWxOYHwnPyd1blpxYHZxWjA0"
PORTAL_URL = "https://billing.stripe.com/p/session/test_YWNjdF8xVHN0T3BlbkxFRzAwMDE"


def stamp(*args) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp())


@pytest.fixture
def approver(client, utility):
    user = UtilityUserFactory(utility=utility, portal_role="approver", username="anna")
    client.force_login(user)
    return user


@pytest.fixture
def customer(utility):
    return Customer.objects.create(id="cus_TstUtility0001", livemode=False, subscriber=utility)


def test_only_the_approver_role_may_see_or_use_the_page(client, utility, stripe_http, staff_user):
    answers = {}
    for role in ("viewer", "desk"):
        client.force_login(UtilityUserFactory(utility=utility, portal_role=role))
        answers[role] = (client.get(PAGE).status_code, client.post(PAGE, {"manage": "1"}).status_code)
        assert "Abonnement" not in client.get("/utility/").content.decode()
    client.force_login(staff_user)
    answers["staff"] = (client.get(PAGE).status_code, client.post(PAGE, {"manage": "1"}).status_code)
    client.logout()
    anonymous = client.get(PAGE)

    assert answers == {"viewer": (403, 403), "desk": (403, 403), "staff": (403, 403)}
    assert (anonymous.status_code, anonymous.url) == (302, "/accounts/login/?next=/utility/billing/")
    assert len(stripe_http.calls) == 0


def test_without_keys_the_page_says_payments_are_not_set_up(client, approver, settings):
    settings.STRIPE_TEST_SECRET_KEY = ""
    settings.STRIPE_LIVE_SECRET_KEY = ""

    page = client.get(PAGE).content.decode()
    home = client.get("/utility/").content.decode()

    assert '<p class="muted">Zahlungen sind nicht eingerichtet.</p>' in page
    assert "Abonnieren" not in page
    assert '<a href="/utility/billing/">Abonnement</a>' in home


def test_without_a_subscription_the_plans_are_offered(client, approver, stripe_http):
    page = client.get(PAGE).content.decode()

    assert "Noch kein Abonnement." in page
    assert page.count(">Abonnieren</button>") == 6
    for amount in ("990.00", "9'900.00", "2'990.00", "29'900.00", "99'000.00"):
        assert f"CHF {amount} <button" in page
    assert (
        '<input type="hidden" name="plan" value="professional"><input type="hidden" name="interval" value="year">'
        in (page)
    )
    assert "Noch keine Rechnungen." in page
    assert len(stripe_http.calls) == 0  # the page reads dj-stripe's copies, not Stripe


def test_the_subscription_its_next_invoice_and_past_invoices(client, approver, customer, stripe_http):
    Subscription.objects.create(
        id="sub_1",
        customer=customer,
        livemode=False,
        created=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
        stripe_data={
            "id": "sub_1",
            "object": "subscription",
            "status": "trialing",
            "trial_end": stamp(2026, 12, 31, 9),
            "cancel_at_period_end": False,
            "cancel_at": None,
            "metadata": {"openleg_plan": "professional"},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": "si_1",
                        "object": "subscription_item",
                        "quantity": 1,
                        "current_period_start": stamp(2026, 12, 1, 9),
                        "current_period_end": stamp(2026, 12, 31, 9),
                        "price": answer(
                            "price",
                            id="price_pro_month",
                            unit_amount=299000,
                            lookup_key="openleg_professional_month",
                            metadata={"openleg_plan": "professional"},
                        ),
                    }
                ],
            },
        },
    )
    for number, day, total, status in (("OL-0001", 1, 0, "paid"), ("OL-0002", 2, 299000, "open")):
        Invoice.objects.create(
            id=f"in_{number}",
            customer=customer,
            livemode=False,
            created=dt.datetime(2026, 12, day, 9, tzinfo=dt.UTC),
            stripe_data={
                "id": f"in_{number}",
                "object": "invoice",
                "number": number,
                "status": status,
                "total": total,
                "hosted_invoice_url": f"https://invoice.stripe.com/i/{number}",
                "invoice_pdf": f"https://pay.stripe.com/invoice/{number}/pdf",
            },
        )

    page = client.get(PAGE).content.decode()

    assert "<dt>Plan</dt><dd>Professional, monatlich</dd>" in page
    assert '<dt>Status</dt><dd class="status trialing">Testphase</dd>' in page
    assert "<dt>Testphase bis</dt><dd>31.12.2026</dd>" in page
    assert "<dt>Nächste Rechnung</dt><dd>31.12.2026, CHF 2'990.00</dd>" in page
    assert ">Abonnement verwalten</button>" in page
    assert "Abonnieren" not in page
    rows = page.split("<tbody>")[-1]
    assert rows.index("OL-0002") < rows.index("OL-0001")
    assert '<td>OL-0002</td><td>02.12.2026</td><td class="num">CHF 2\'990.00</td><td>offen</td>' in rows
    assert '<td>OL-0001</td><td>01.12.2026</td><td class="num">CHF 0.00</td><td>bezahlt</td>' in rows
    assert 'href="https://pay.stripe.com/invoice/OL-0002/pdf"' in rows


def test_the_page_lets_its_forms_lead_to_stripes_pages_and_no_other_page_does(client, approver, stripe_http):
    policy = client.get(PAGE)["Content-Security-Policy"]
    home = client.get("/utility/")["Content-Security-Policy"]

    assert "form-action 'self' https://checkout.stripe.com https://billing.stripe.com" in policy
    assert "form-action 'self';" in home


def test_subscribe_goes_to_stripe_checkout(client, approver, utility, plan_prices, stripe_http, customer):
    stripe_http.post(f"{API}/checkout/sessions", json=answer("checkout_session"))

    response = client.post(PAGE, {"plan": "starter", "interval": "month"})

    assert (response.status_code, response.url) == (302, CHECKOUT_URL)
    sent = dict(our_calls(stripe_http))["POST /v1/checkout/sessions"]
    assert (sent["success_url"], sent["cancel_url"], sent["metadata[openleg_started_by]"]) == (
        "http://testserver/utility/billing/?checkout=success",
        "http://testserver/utility/billing/?checkout=cancel",
        "anna",
    )


def test_subscribe_with_a_live_subscription_goes_to_the_customer_portal(client, approver, customer, stripe_http):
    Subscription.objects.create(
        id="sub_1",
        customer=customer,
        livemode=False,
        created=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
        stripe_data={"id": "sub_1", "object": "subscription", "status": "active"},
    )
    stripe_http.post(f"{API}/billing_portal/sessions", json=answer("billing_portal_session"))

    response = client.post(PAGE, {"plan": "enterprise", "interval": "year"})

    assert (response.status_code, response.url) == (302, PORTAL_URL)
    assert our_calls(stripe_http) == [
        (
            "POST /v1/billing_portal/sessions",
            {"customer": "cus_TstUtility0001", "return_url": "http://testserver/utility/billing/"},
        )
    ]


def test_manage_goes_to_the_customer_portal_and_back_to_the_page(client, approver, customer, stripe_http):
    stripe_http.post(f"{API}/billing_portal/sessions", json=answer("billing_portal_session"))

    response = client.post(PAGE, {"manage": "1"})

    assert (response.status_code, response.url) == (302, PORTAL_URL)
    assert our_calls(stripe_http) == [
        (
            "POST /v1/billing_portal/sessions",
            {"customer": "cus_TstUtility0001", "return_url": "http://testserver/utility/billing/"},
        )
    ]


def test_a_refusal_comes_back_as_a_german_message(client, approver, customer, stripe_http):
    stripe_http.post(
        f"{API}/billing_portal/sessions",
        status=400,
        json={"error": {"type": "invalid_request_error", "message": "No configuration provided"}},
    )

    unsynced = client.post(PAGE, {"plan": "starter", "interval": "month"}, follow=True)
    refused = client.post(PAGE, {"manage": "1"}, follow=True)

    assert unsynced.redirect_chain == [("/utility/billing/", 302)]
    assert [str(m) for m in unsynced.context["messages"]] == [
        "Der Plan ist in Stripe noch nicht angelegt (python manage.py stripe_plans sync)."
    ]
    assert [str(m) for m in refused.context["messages"]] == [
        "Stripe hat die Anfrage nicht angenommen oder ist nicht erreichbar. Bitte später erneut versuchen."
    ]


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (
            "success",
            "Danke! Stripe hat den Abschluss bestätigt; das Abonnement erscheint hier, sobald Stripe es gemeldet hat.",
        ),
        ("cancel", "Der Abschluss wurde abgebrochen; es wurde nichts verrechnet."),
    ],
)
def test_the_return_from_checkout_is_acknowledged(client, approver, stripe_http, returned, message):
    response = client.get(f"{PAGE}?checkout={returned}")

    assert [str(m) for m in response.context["messages"]] == [message]
