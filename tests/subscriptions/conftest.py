from tests.subscriptions.stripe_fake import stripe_http, stripe_keys  # noqa: F401
