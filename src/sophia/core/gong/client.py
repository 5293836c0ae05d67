"""The Gong REST client: auth, one shared throttle, retries and cursor paging (docs/gong-api.md).

Every request goes through `_attempt`, which waits for the client's throttle first, so
retries and concurrent pages share Gong's per-company budget. Pages come back raw; turning
them into models is `core.gong.parsing`'s job.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, Unpack

import httpx
from aiolimiter import AsyncLimiter

from sophia.core.clock import Clock, SystemClock
from sophia.core.errors import AuthFailed, ConfigError, RateLimited, SourceError
from sophia.core.gong.parsing import parse_users
from sophia.core.metrics import GONG_RATE_LIMITED
from sophia.core.retry import Retrier, RetryDefaults, RetryOptions, Transient, retry_after_s

if TYPE_CHECKING:
    from sophia.core.config import Settings

__all__ = ["CONTENT_SELECTOR", "DEFAULT_BASE_URL", "MAX_CALL_IDS", "GongClient"]

logger = logging.getLogger("sophia.gong")

DEFAULT_BASE_URL = "https://api.gong.io"
# Gong documents no limit on callIds per request (docs/gong-api.md §7); 100 is the safe batch.
MAX_CALL_IDS = 100
# What /v2/calls/extensive should return (docs/gong-api.md §4): "Extended" context carries the
# CRM fields that hold account and opportunity names (§6).
CONTENT_SELECTOR: dict[str, Any] = {
    "context": "Extended",
    "contextTiming": ["Now"],
    "exposedFields": {
        "parties": True,
        "content": {
            "brief": True,
            "keyPoints": True,
            "topics": True,
            "trackers": True,
            "outline": True,
            "highlights": True,
            "callOutcome": True,
            "structure": True,
        },
        "interaction": {"speakers": True, "personInteractionStats": True, "questions": True},
    },
}
_NO_CALLS = "no calls found corresponding to the provided filters"
_CURSOR_EXPIRED = "cursor has expired"
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Gong's limit is shared by the company's every key: back off long, and wait up to five
# minutes when it says so.
_RETRY = RetryDefaults(max_attempts=6, backoff_s=1.0, max_backoff_s=60.0, max_retry_after_s=300.0)


When = datetime | None
CallIds = Sequence[str] | None
# Pages of raw items, in Gong's order. A page can repeat after an expired cursor restarted
# the listing at page 0: dedupe by call id.
Pages = AsyncIterator[list[dict[str, Any]]]


class _CursorExpired(Exception):
    """Gong refused a cursor older than its lifetime; the pagination restarts at page 0."""


class GongClient:
    """Async client for the parts of Gong's v2 API that Sophia reads."""

    def __init__(
        self,
        *,
        access_key: str,
        access_secret: str,
        base_url: str = DEFAULT_BASE_URL,
        rate_per_s: float = 2.5,
        timeout_s: float = 30.0,
        max_cursor_restarts: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        **retry: Unpack[RetryOptions],
    ) -> None:
        """`retry` changes the retry budget (`_RETRY`) or the sleep between attempts."""
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        # Credentials shown in messages would leak; keep the URL without any userinfo.
        self._base_url = str(httpx.URL(base_url).copy_with(username=None, password=None))
        self._timeout_s = timeout_s
        self._max_cursor_restarts = max_cursor_restarts
        self._clock = clock or SystemClock()
        self._retrier = Retrier.configured(_RETRY, **retry)
        # A bucket of one that drains at rate_per_s: requests start at least 1/rate apart,
        # never in a burst, whichever task sends them.
        self._throttle = AsyncLimiter(1, 1 / rate_per_s)
        # httpx appends "/v2/..." to the base URL's path whether or not it ends with "/", so
        # tenant hosts and proxies with a path prefix both work.
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=httpx.BasicAuth(access_key, access_secret),
            timeout=timeout_s,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> GongClient:
        """A client configured from GONG_* settings; `overrides` go to the constructor."""
        if settings.gong_access_key is None or settings.gong_access_secret is None:
            raise ConfigError(
                "Gong is not configured: set GONG_ACCESS_KEY and GONG_ACCESS_SECRET "
                "(Gong company settings → Ecosystem → API)."
            )
        options: dict[str, Any] = {
            "base_url": settings.gong_base_url,
            "rate_per_s": settings.gong_rate_limit,
            "timeout_s": settings.gong_timeout_s,
            **overrides,
        }
        return cls(
            access_key=settings.gong_access_key.get_secret_value(),
            access_secret=settings.gong_access_secret.get_secret_value(),
            **options,
        )

    def __repr__(self) -> str:
        return f"GongClient(base_url={self._base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- endpoints ---------------------------------------------------------------------------

    def calls_extensive(self, from_dt: When, to_dt: When, call_ids: CallIds = None) -> Pages:
        """Raw `calls[]` items of POST /v2/calls/extensive started in [from_dt, to_dt)."""
        body = {"contentSelector": CONTENT_SELECTOR}
        return self._listing("/v2/calls/extensive", "calls", from_dt, to_dt, call_ids, body)

    def transcripts(self, from_dt: When, to_dt: When, call_ids: CallIds = None) -> Pages:
        """Raw `callTranscripts[]` items of POST /v2/calls/transcript, for the same calls."""
        return self._listing("/v2/calls/transcript", "callTranscripts", from_dt, to_dt, call_ids)

    async def users(self) -> dict[str, str]:
        """Every Gong user id mapped to "First Last" (users without a name are left out)."""
        names: dict[str, str] = {}
        async for page in self._pages("GET", "/v2/users", "users"):
            found, _ = parse_users(page)
            names.update(found)
        return names

    # --- paging ------------------------------------------------------------------------------

    async def _listing(
        self,
        path: str,
        items_key: str,
        from_dt: When,
        to_dt: When,
        call_ids: CallIds,
        body: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The pages of POST `path` for calls in the window (or among `call_ids`)."""
        for call_filter in _filters(from_dt, to_dt, call_ids):
            async for page in self._pages(
                "POST", path, items_key, {"filter": call_filter, **(body or {})}
            ):
                yield page

    async def _pages(
        self, method: str, path: str, items_key: str, body: Mapping[str, Any] | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Follow `records.cursor` until it is absent; restart at page 0 if it expires."""
        cursor: str | None = None
        restarts = 0
        while True:
            try:
                payload = await self._page(method, path, body, cursor)
            except _CursorExpired:
                restarts += 1
                if restarts > self._max_cursor_restarts:
                    raise SourceError(
                        f"Gong's paging cursor for {method} {path} expired {restarts} times in "
                        "one listing; try a narrower SYNC_WINDOW_DAYS."
                    ) from None
                logger.warning("Gong cursor expired on %s %s; restarting at page 0", method, path)
                cursor = None
                continue
            if payload is None:
                return
            yield [item for item in payload.get(items_key) or () if isinstance(item, dict)]
            cursor = _next_cursor(payload)
            if cursor is None:
                return

    async def _page(
        self, method: str, path: str, body: Mapping[str, Any] | None, cursor: str | None
    ) -> dict[str, Any] | None:
        """One page as JSON, or None for Gong's "no calls found" 404."""
        params: dict[str, str] | None = None
        if cursor is not None and method == "GET":
            params = {"cursor": cursor}
        elif cursor is not None:
            body = {**(body or {}), "cursor": cursor}
        response = await self._send(method, path, params, body)
        if response.is_success:
            return _json_object(response, method, path)
        self._raise_unless_empty(response, method, path, cursor_sent=cursor is not None)
        return None

    def _raise_unless_empty(
        self, response: httpx.Response, method: str, path: str, *, cursor_sent: bool
    ) -> None:
        """Raise the error a final non-2xx answer means; return only for "no calls found".

        Only the documented message counts as empty: a wrong base URL also answers 404.
        """
        status = response.status_code
        if cursor_sent and 400 <= status < 500 and _CURSOR_EXPIRED in response.text.lower():
            raise _CursorExpired
        if status in (401, 403):
            raise AuthFailed(
                f"Gong refused the credentials ({status} on {method} {path}). Check "
                "GONG_ACCESS_KEY and GONG_ACCESS_SECRET: they must be a current API key and "
                "secret created by a Gong technical administrator."
            )
        errors = _errors(response)
        if status == 404 and any(_NO_CALLS in error.lower() for error in errors):
            return
        detail = "; ".join(errors)[:300] or response.reason_phrase
        if status == 404:
            raise SourceError(
                f"Gong answered 404 ({detail}) for {method} {path} at {self._base_url}. "
                "Check GONG_BASE_URL: it should be https://api.gong.io or your company's "
                "host such as https://us-12345.api.gong.io."
            )
        raise SourceError(f"Gong refused {method} {path} with {status}: {detail}")

    # --- sending with throttle and retries ---------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
    ) -> httpx.Response:
        """The final response after retrying 429, 5xx and network failures."""

        def log_retry(error: Transient, wait: float, attempt: int) -> None:
            # Method and path only: headers carry the credentials, bodies carry call ids.
            tried = f"attempt {attempt} of {self._retrier.attempts}"
            if error.status == 429:
                logger.warning(
                    "Gong %s %s: rate limited (429); waiting %.1f s (%s)", method, path, wait, tried
                )
            else:
                logger.info(
                    "Gong %s %s: %s; retrying in %.1f s (%s)", method, path, error, wait, tried
                )

        request = self._http.build_request(method, path, params=params, json=body)
        return await self._retrier.run(
            lambda: self._attempt(request),
            give_up=lambda error, attempts: self._gave_up(error, attempts, method, path),
            on_retry=log_retry,
        )

    async def _attempt(self, request: httpx.Request) -> httpx.Response:
        async with self._throttle:
            try:
                response = await self._http.send(request)
            except httpx.TimeoutException as exc:
                raise Transient(
                    f"timed out after {self._timeout_s:g} s ({type(exc).__name__})"
                ) from exc
            except httpx.TransportError as exc:
                raise Transient(f"network error ({type(exc).__name__})") from exc
        status = response.status_code
        if status == 429:
            GONG_RATE_LIMITED.inc()
            retry_after = retry_after_s(response.headers, self._clock)
            raise Transient("rate limited (429)", status=429, retry_after_s=retry_after)
        if status in _RETRY_STATUSES:
            raise Transient(f"server error {status}", status=status)
        return response

    def _gave_up(self, error: Transient, attempts: int, method: str, path: str) -> SourceError:
        if error.status == 429 and self._retrier.asks_too_long(error):
            return RateLimited(
                f"Gong's rate limit asks to wait {error.retry_after_s:.0f} s before {method} "
                f"{path}, longer than the {self._retrier.max_retry_after_s:.0f} s we wait at "
                "most (the company's daily API quota is probably used up). Try again later.",
                retry_after_s=error.retry_after_s,
            )
        if error.status == 429:
            return RateLimited(
                f"Gong kept answering 429 (rate limited) to {method} {path} after {attempts} "
                "attempts; its limit is shared by every API key of the company. Try again later.",
                retry_after_s=error.retry_after_s,
            )
        return SourceError(
            f"Gong failed {method} {path} after {attempts} attempts: {error.what}. Gong at "
            f"{self._base_url} may be down or unreachable; the next sync resumes from the "
            "last saved checkpoint."
        )


def _filters(
    from_dt: datetime | None, to_dt: datetime | None, call_ids: Sequence[str] | None
) -> list[dict[str, Any]]:
    """One filter per batch of at most MAX_CALL_IDS ids (just one filter without ids)."""
    dates = {
        key: _iso_utc(value)
        for key, value in (("fromDateTime", from_dt), ("toDateTime", to_dt))
        if value is not None
    }
    if call_ids is None:
        return [dates]
    ids = list(dict.fromkeys(call_ids))
    # An empty callIds list would read as "no filter": ask for nothing instead.
    return [
        {**dates, "callIds": ids[start : start + MAX_CALL_IDS]}
        for start in range(0, len(ids), MAX_CALL_IDS)
    ]


def _iso_utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _next_cursor(payload: Mapping[str, Any]) -> str | None:
    records = payload.get("records")
    cursor = records.get("cursor") if isinstance(records, Mapping) else None
    return str(cursor) if cursor else None


def _json_object(response: httpx.Response, method: str, path: str) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise SourceError(f"Gong answered {method} {path} with something other than JSON")
    return payload


def _errors(response: httpx.Response) -> list[str]:
    """The `errors` strings of a Gong error body (docs/gong-api.md §7), if it has that shape."""
    try:
        payload = response.json()
    except ValueError:
        return []
    errors = payload.get("errors") if isinstance(payload, dict) else None
    return [str(error) for error in errors] if isinstance(errors, list) else []
