"""What the HTTP clients share about retrying: which failures are transient, and how long
to wait before the next attempt (tenacity does the looping)."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from tenacity import RetryCallState

from sophia.core.clock import Clock

__all__ = ["Transient", "retry_after_s", "wait_for_retry"]


class Transient(Exception):
    """A failure worth retrying: 429, 5xx, a timeout or a broken connection."""

    def __init__(
        self, what: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(what)
        self.what = what
        self.status = status
        self.retry_after_s = retry_after_s


def wait_for_retry(state: RetryCallState, backoff: Callable[[RetryCallState], float]) -> float:
    """The server's Retry-After exactly when it sent one, else `backoff` (with its jitter)."""
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, Transient) and error.retry_after_s is not None:
        return error.retry_after_s
    return float(backoff(state))


def retry_after_s(headers: Mapping[str, str], clock: Clock) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms` (OpenAI's), else `Retry-After`
    as seconds or as an HTTP date (RFC 9110); None when it asks nothing readable."""
    milliseconds = _finite(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return max(0.0, milliseconds / 1000)
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return max(0.0, seconds)
    when = _http_date(value)
    if when is None:
        return None
    # Measured against the server's own Date when it sends one: a skewed (or pinned) clock
    # on our side then changes nothing.
    reference = _http_date(headers.get("date") or "")
    now = reference.timestamp() if reference is not None else clock.now().timestamp()
    return max(0.0, when.timestamp() - now)


def _finite(text: str | None) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _http_date(text: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
