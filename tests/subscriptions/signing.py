"""Stripe's webhook signature, computed as Stripe computes it: ``t=<unix time>,v1=HMAC-SHA256(secret, "t.payload")``."""

import hashlib
import hmac
import json
import time


def signature_header(payload: str, secret: str, *, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def post_signed(client, url: str, event: dict, secret: str, *, at: int | None = None):
    payload = json.dumps(event)
    return client.post(
        url,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature_header(payload, secret, at=at),
    )


def event(event_id: str, kind: str, obj: dict) -> dict:
    """A Stripe event of ``kind`` carrying ``obj``, in the shape of the pinned API version."""
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-05-27.dahlia",
        "created": 1796000000,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        "data": {"object": obj},
    }
