"""Counts in Django's cache that start with their first event and expire after a window (shared by all workers
through Redis in production): what the login and password-reset throttles count with."""

from django.core.cache import cache


def count_within(key: str, window_seconds: int) -> int:
    """Add one event under ``key`` and return how many the current window holds, this one included."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the count ran out between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1
