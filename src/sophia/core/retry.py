"""How every HTTP client retries (Gong, OpenAI embeddings, the LLM): transient failures
only, at most a bounded number of attempts, the server's Retry-After honoured exactly and
exponential backoff with jitter otherwise; what is left at the end becomes the client's own
exception. Tenacity does the looping."""

from __future__ import annotations

import asyncio
import email.utils
import math
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple, TypedDict, TypeVar, Unpack

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type
from tenacity.wait import wait_exponential_jitter

from sophia.core.clock import Clock

__all__ = ["Retrier", "RetryDefaults", "RetryOptions", "Sleep", "Transient", "retry_after_s"]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
# What a client says while it waits: the failure, the seconds it waits, the attempt that failed.
OnRetry = Callable[["Transient", float, int], None]
# The client's own exception for the failure it stopped on, after so many attempts.
GiveUp = Callable[["Transient", int], Exception]


class Transient(Exception):
    """A failure worth retrying: 429, 5xx, a timeout or a broken connection."""

    def __init__(
        self, what: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(what)
        self.what = what
        self.status = status
        self.retry_after_s = retry_after_s


class RetryDefaults(NamedTuple):
    """A client's own retry budget, where its caller says nothing else."""

    max_attempts: int
    backoff_s: float
    max_backoff_s: float
    max_retry_after_s: float


class RetryOptions(TypedDict, total=False):
    """What a client's caller may change of its retry budget (tests: a recording `sleep`)."""

    max_attempts: int
    backoff_s: float
    max_backoff_s: float
    max_retry_after_s: float
    sleep: Sleep


class Retrier:
    """One client's retry policy: `attempts` tries in all, waits between them as the server
    asks (up to `max_retry_after_s`) or backing off from `backoff_s` to `max_backoff_s`."""

    def __init__(
        self,
        *,
        attempts: int,
        backoff_s: float,
        max_backoff_s: float,
        max_retry_after_s: float,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.max_retry_after_s = max_retry_after_s
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_s, max=max_backoff_s, jitter=backoff_s
        )

    @classmethod
    def configured(cls, defaults: RetryDefaults, **options: Unpack[RetryOptions]) -> Retrier:
        """A client's retrier: its `defaults`, with what its caller set in `options`."""
        return cls(
            attempts=options.get("max_attempts", defaults.max_attempts),
            backoff_s=options.get("backoff_s", defaults.backoff_s),
            max_backoff_s=options.get("max_backoff_s", defaults.max_backoff_s),
            max_retry_after_s=options.get("max_retry_after_s", defaults.max_retry_after_s),
            sleep=options.get("sleep", asyncio.sleep),
        )

    def asks_too_long(self, error: Transient) -> bool:
        """Whether the server asked for a longer wait than we allow: then we stop at once."""
        return error.retry_after_s is not None and error.retry_after_s > self.max_retry_after_s

    async def run(
        self,
        attempt: Callable[[], Awaitable[T]],
        *,
        give_up: GiveUp,
        on_retry: OnRetry | None = None,
        attempts: int | None = None,
    ) -> T:
        """`attempt()` until it returns or raises something other than `Transient`; the last
        `Transient` (or one asking too long a wait) is raised as `give_up` makes it."""
        limit = attempts or self.attempts

        def stop(state: RetryCallState) -> bool:
            error = state.outcome.exception() if state.outcome else None
            too_long = isinstance(error, Transient) and self.asks_too_long(error)
            return too_long or state.attempt_number >= limit

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            if on_retry is not None and isinstance(error, Transient):
                on_retry(error, state.upcoming_sleep, state.attempt_number)

        retrying = AsyncRetrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(Transient),
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )

        async def once() -> T:
            # A coroutine function, so tenacity awaits what a lambda given to us returns.
            return await attempt()

        try:
            result: T = await retrying(once)
        except Transient as exc:
            raise give_up(exc, retrying.statistics.get("attempt_number", limit)) from None
        return result

    def _wait(self, state: RetryCallState) -> float:
        """The server's Retry-After exactly when it sent one, else backoff with jitter."""
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Transient) and error.retry_after_s is not None:
            return error.retry_after_s
        return float(self._backoff(state))


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
