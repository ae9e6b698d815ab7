"""The plan's ``/webhook/stripe`` route, processed exactly as dj-stripe's own ``djstripe/webhook/<uuid>/`` endpoint.

dj-stripe 2.11 verifies a webhook with the secret of a ``WebhookEndpoint`` row and no longer reads
``DJSTRIPE_WEBHOOK_SECRET``. This route keeps one such row for the secret from the environment (created on first
use, its secret following the setting) and hands the request to dj-stripe's view with that row's UUID: the same
signature check, tolerance, event de-duplication and transaction.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from djstripe.models import WebhookEndpoint
from djstripe.views import ProcessWebhookView

logger = logging.getLogger(__name__)

SETTINGS_ENDPOINT_ID = "we_openleg_settings"  # ours, not Stripe's: Stripe's endpoint ids are never this


def settings_webhook_endpoint() -> WebhookEndpoint | None:
    """The endpoint row that carries ``DJSTRIPE_WEBHOOK_SECRET``; None while no secret is configured."""
    secret = settings.DJSTRIPE_WEBHOOK_SECRET
    if not secret:
        return None
    endpoint, created = WebhookEndpoint.objects.get_or_create(
        id=SETTINGS_ENDPOINT_ID,
        defaults={
            "livemode": settings.STRIPE_LIVE_MODE,
            "url": "/webhook/stripe",
            "enabled_events": ["*"],
            "status": "enabled",
            "secret": secret,
            "api_version": settings.STRIPE_API_VERSION,
        },
    )
    if not created and (endpoint.secret, endpoint.livemode) != (secret, settings.STRIPE_LIVE_MODE):
        endpoint.secret, endpoint.livemode = secret, settings.STRIPE_LIVE_MODE
        endpoint.save(update_fields=["secret", "livemode"])
    return endpoint


_process = ProcessWebhookView.as_view()


@csrf_exempt
@login_not_required
@require_POST
def stripe_webhook(request):
    endpoint = settings_webhook_endpoint()
    if endpoint is None:
        logger.error("Stripe webhook refused: DJSTRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseBadRequest()
    return _process(request, uuid=endpoint.djstripe_uuid)
