"""The B2B figures' cache: answers kept in Redis (Django's cache) under a key that holds a generation number.

Any change the figures depend on (a billing run approved, meter data applied, a membership, participant, community
or formation step saved) bumps the generation after its transaction commits (``api.b2b.invalidation``): every key
of the old generation is simply never asked for again and expires. Bumping after commit matters: a figure computed
while the change was still uncommitted would otherwise be kept under the new generation and outlive it.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache

from openleg.periods import utc_now

GENERATION_KEY = "b2b:figures:generation"
TIMEOUT_SECONDS = 24 * 60 * 60  # a safety net: changes invalidate long before


def _fresh_start() -> int:
    # A counter lost (flushed, evicted) restarts from the clock in microseconds, above any value it reached (bumps
    # never come faster than one a microsecond): entries of an earlier generation are never read again.
    return int(utc_now().timestamp() * 1_000_000)


def generation() -> int:
    current = cache.get(GENERATION_KEY)
    if current is None:
        start = _fresh_start()
        cache.add(GENERATION_KEY, start, timeout=None)  # of two first callers, one sets it; both read that one
        current = cache.get(GENERATION_KEY, start)
    return int(current)


def bump_generation() -> None:
    """Make every cached figure stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (cache flushed or evicted)
        cache.add(GENERATION_KEY, _fresh_start(), timeout=None)


def _key(endpoint: str, query: dict) -> str:
    canonical = json.dumps(query, sort_keys=True, default=str, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return f"b2b:figures:{generation()}:{endpoint}:{digest}"


def cached(endpoint: str, query: dict, compute: Callable[[], dict]) -> tuple[dict, dict]:
    """The answer for ``endpoint`` and ``query`` and how fresh it is: ``{"computed_at": ISO UTC, "cached": bool}``.

    ``query`` must be made of plain values (ids, codes, numbers): it is the cache key.
    """
    key = _key(endpoint, query)
    stored = cache.get(key)
    if stored is not None:
        return stored["data"], {"computed_at": stored["computed_at"], "cached": True}
    computed_at = utc_now().isoformat().replace("+00:00", "Z")
    data = compute()
    cache.set(key, {"data": data, "computed_at": computed_at}, timeout=TIMEOUT_SECONDS)
    return data, {"computed_at": computed_at, "cached": False}


def plain_query(query: dict, utility_id: int | None = None) -> dict:
    """A validated figure query as cache-key material: model instances by primary key, and the asking utility
    where the answer depends on it."""
    plain = {name: getattr(value, "pk", value) for name, value in query.items()}
    return plain if utility_id is None else {**plain, "_utility": utility_id}


def cached_figures(figures, scope, query: dict) -> tuple[dict, dict]:
    """``figures`` (a module of ``api.b2b.figures``) answered for ``scope`` and its validated ``query``, cached.

    A module whose answer depends on the asking utility says so with ``PER_UTILITY = True``; the others share one
    entry among all clients."""
    utility_id = scope.utility_id if getattr(figures, "PER_UTILITY", False) else None
    return cached(figures.ENDPOINT, plain_query(query, utility_id), lambda: figures.compute(scope, query))
