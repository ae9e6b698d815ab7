"""Login throttling: after too many wrong passwords for one account, or from one address, every try is refused
for a while, the right password too.

The counts live in Django's cache (Redis in production, so all uvicorn workers share them); each count starts
with its first failure and lasts ``LOGIN_THROTTLE_WINDOW_SECONDS``. Reaching a limit locks for that window.
A correct login clears the account's count, never the address's: one valid account must not reset the count of
an address that guesses others. Usernames are counted case-insensitively and stored hashed.

A try is counted before its password is checked (``login_try_begin``), atomically in the cache, and given back
when the password was right: so many tries arriving at once on several workers check exactly as many passwords
as the limit allows, not as many as were in flight before the first failure was counted.
"""

import contextlib
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from accounts.cache_counts import count_within

PREFIX = "login-throttle"


def locked_answer(response):
    """A login page that refused a locked try answers 429 with Retry-After (the form said how long to wait)."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    wait = getattr(form, "locked_seconds", 0)
    if wait:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


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


def login_try_begin(request, username: str) -> bool:
    """Count this try against the account's and the address's limits before the password is checked; False (and
    nothing counted) when either limit is used up, which locks it for the window."""
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    counted = []
    for key, limit in zip(failure_keys(request, username), _limits(), strict=True):
        counted.append(key)
        if count_within(key, window) > limit:
            cache.add(f"{key}:until", time.time() + window, timeout=window)
            for done in counted:
                _give_back(done)
            return False
    return True


def login_failed(request, username: str) -> None:
    """The try counted by ``login_try_begin`` failed: a limit reached now locks for the window."""
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key, limit in zip(failure_keys(request, username), _limits(), strict=True):
        if int(cache.get(key, 0)) >= limit:
            cache.add(f"{key}:until", time.time() + window, timeout=window)


def login_succeeded(request, username: str) -> None:
    """The account's count and lock end; the address's count gets back the try that was counted in advance."""
    account, address = failure_keys(request, username)
    cache.delete_many([account, f"{account}:until"])
    _give_back(address)


def _give_back(key: str) -> None:
    with contextlib.suppress(ValueError):  # the count ran out meanwhile: nothing to give back
        cache.decr(key)
