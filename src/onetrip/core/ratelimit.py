"""Fixed-window rate limits on the shared cache (Redis in production, so across nodes)."""

from __future__ import annotations

from django.core.cache import cache


def rate_limit_hit(key: str, limit: int, window: int) -> bool:
    """Count one hit on ``key``; False once ``limit`` hits happened within ``window`` seconds."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit
