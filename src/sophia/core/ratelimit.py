"""A token bucket per caller (API key, Slack user): N requests a minute, in this process only.

Each replica counts on its own (so N replicas allow up to N times the limit): enough to stop
a runaway script or a stuck client, without a shared store on every request's path. Both
API_RATE_LIMIT and SLACK_RATE_LIMIT use it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter"]

# Past this many callers, buckets that have refilled (and so hold no state) are dropped:
# keyed by client address, callers are unbounded.
_MAX_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`per_minute` requests per caller, refilled continuously; a burst may use them all."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self._rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def acquire(self, caller: str) -> int:
        """0 when `caller` may go ahead (a token is spent), else the whole seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(caller)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                self._forget_idle(now)
            bucket = self._buckets[caller] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self._rate))

    def _forget_idle(self, now: float) -> None:
        full = [
            caller
            for caller, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self._rate >= self.capacity
        ]
        for caller in full:
            del self._buckets[caller]
