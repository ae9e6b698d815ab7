"""Login throttling: after too many wrong passwords for one account, or from one address, every try is refused
for a while, the right password too.

The counts live in Django's cache (Redis in production, so all gunicorn workers share them); each count starts
with its first failure and lasts ``LOGIN_THROTTLE_WINDOW_SECONDS``. Reaching a limit locks for that window.
A correct login clears the account's count, never the address's: one valid account must not reset the count of
an address that guesses others. Usernames are counted case-insensitively and stored hashed.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from accounts.cache_counts import count_within

PREFIX = "login-throttle"


def client_address(request) -> str:
    """The address the request came from; behind our proxy, the one the proxy saw (it appends it last)."""
    if settings.OPENLEG_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def failure_keys(request, username: str) -> tuple[str, str]:
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"{PREFIX}:account:{account}", f"{PREFIX}:address:{client_address(request)}"


def _limits() -> tuple[int, int]:
    return settings.LOGIN_THROTTLE_ACCOUNT_FAILURES, settings.LOGIN_THROTTLE_ADDRESS_FAILURES


def seconds_locked(request, username: str) -> int:
    """How many seconds until this account may try again from this address; 0 when it may now."""
    untils = cache.get_many([f"{key}:until" for key in failure_keys(request, username)]).values()
    return max([0, *(math.ceil(until - time.time()) for until in untils)])


def login_failed(request, username: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key, limit in zip(failure_keys(request, username), _limits(), strict=True):
        if count_within(key, window) >= limit:
            cache.set(f"{key}:until", time.time() + window, timeout=window)


def login_succeeded(request, username: str) -> None:
    account, _address = failure_keys(request, username)
    cache.delete_many([account, f"{account}:until"])
