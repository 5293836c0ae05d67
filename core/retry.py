"""What the HTTP clients share about retrying: which failures are transient, and how long
to wait before the next attempt (tenacity does the looping)."""

from __future__ import annotations

from collections.abc import Callable

from tenacity import RetryCallState

__all__ = ["Transient", "wait_for_retry"]


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
