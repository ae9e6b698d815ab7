"""The two webhook doors: dj-stripe's per-endpoint URL and the plan's /webhook/stripe, both verified by signature."""

import json
import time

import pytest
from djstripe.models import Event, WebhookEndpoint, WebhookEventTrigger

from tests.subscriptions.signing import event, post_signed, signature_header

SECRET = "whsec_test_openleg"
URL = "/webhook/stripe"

pytestmark = pytest.mark.django_db


def balance_event(event_id: str = "evt_balance_1") -> dict:
    """An event dj-stripe stores without asking Stripe for anything (it has no handler)."""
    balance = {"object": "balance", "available": [], "pending": [], "livemode": False}
    return event(event_id, "balance.available", balance)


@pytest.fixture(autouse=True)
def stripe_settings(settings, stripe_webhook_http):
    settings.DJSTRIPE_WEBHOOK_SECRET = SECRET


def test_a_signed_event_is_stored_once(client):
    first = post_signed(client, URL, balance_event(), SECRET)
    second = post_signed(client, URL, balance_event(), SECRET)

    assert (first.status_code, second.status_code) == (200, 200)
    assert list(Event.objects.values_list("id", "type")) == [("evt_balance_1", "balance.available")]
    assert list(WebhookEventTrigger.objects.values_list("valid", "processed")) == [(True, True), (True, True)]


def test_the_settings_endpoint_follows_a_changed_secret(client, settings):
    post_signed(client, URL, balance_event("evt_a"), SECRET)
    settings.DJSTRIPE_WEBHOOK_SECRET = "whsec_rotated"

    assert post_signed(client, URL, balance_event("evt_b"), SECRET).status_code == 400
    assert post_signed(client, URL, balance_event("evt_c"), "whsec_rotated").status_code == 200
    assert WebhookEndpoint.objects.count() == 1
    assert sorted(Event.objects.values_list("id", flat=True)) == ["evt_a", "evt_c"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda payload: {"HTTP_STRIPE_SIGNATURE": signature_header(payload, "whsec_wrong")}, id="wrong"),
        pytest.param(lambda payload: {}, id="missing"),
        pytest.param(
            lambda payload: {"HTTP_STRIPE_SIGNATURE": signature_header(payload, SECRET, at=int(time.time()) - 301)},
            id="stale",
        ),
        pytest.param(lambda payload: {"HTTP_STRIPE_SIGNATURE": "t=1,v1=abc"}, id="garbage"),
    ],
)
def test_a_bad_signature_is_refused_and_changes_nothing(client, headers):
    payload = json.dumps(balance_event())

    response = client.post(URL, data=payload, content_type="application/json", **headers(payload))

    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_a_payload_changed_after_signing_is_refused(client):
    payload = json.dumps(balance_event())
    header = signature_header(payload, SECRET)

    response = client.post(
        URL,
        data=payload.replace("balance.available", "balance.changed"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_without_a_configured_secret_the_route_refuses_everything(client, settings):
    settings.DJSTRIPE_WEBHOOK_SECRET = ""

    response = post_signed(client, URL, balance_event(), "")

    assert response.status_code == 400
    assert (Event.objects.count(), WebhookEndpoint.objects.count()) == (0, 0)


def test_dj_stripes_own_endpoint_verifies_with_its_row_secret(client):
    endpoint = WebhookEndpoint.objects.create(
        id="we_registered",
        livemode=False,
        url="https://openleg.example/djstripe/webhook/",
        enabled_events=["*"],
        status="enabled",
        secret="whsec_row",
        api_version="2026-05-27.dahlia",
    )
    url = f"/djstripe/webhook/{endpoint.djstripe_uuid}/"

    assert post_signed(client, url, balance_event("evt_bad"), SECRET).status_code == 400
    assert post_signed(client, url, balance_event("evt_good"), "whsec_row").status_code == 200
    assert list(Event.objects.values_list("id", flat=True)) == ["evt_good"]


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405
