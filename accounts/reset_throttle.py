"""Password-reset throttling: at most a few reset e-mails per e-mail address, and a bounded number of reset
requests per client address, within ``PASSWORD_RESET_THROTTLE_WINDOW_SECONDS``.

A request over the e-mail address's limit is answered like any other but sends nothing, so that the answer never
tells whether an account exists; a client address over its limit is told to wait. E-mail addresses are counted
case-insensitively and stored hashed.
"""

import hashlib

from django.conf import settings

from accounts.cache_counts import count_within
from accounts.login_throttle import client_address

PREFIX = "reset-throttle"


def request_refused(request) -> bool:
    """Count this reset request for its client address; True when the address asked too often."""
    key = f"{PREFIX}:address:{client_address(request)}"
    return count_within(key, settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS) > (
        settings.PASSWORD_RESET_THROTTLE_ADDRESS_REQUESTS
    )


def mail_allowed(email: str) -> bool:
    """Count a reset mail to ``email``; False when this address had its share of mails in the window."""
    key = f"{PREFIX}:email:{hashlib.sha256(email.strip().casefold().encode()).hexdigest()}"
    return count_within(key, settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS) <= (
        settings.PASSWORD_RESET_THROTTLE_EMAIL_MAILS
    )


def window_minutes() -> int:
    return max(1, -(-settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS // 60))
