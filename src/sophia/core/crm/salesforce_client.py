"""Salesforce's REST API as CRM enrichment uses it (SOQL query, sobject create and update),
through simple-salesforce on a requests session: each call off the event loop (requests
blocks), under one throttle, retried on 429, REQUEST_LIMIT_EXCEEDED, 5xx and lost
connections; what is left becomes one of core/errors.py's `CrmError`s."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from aiolimiter import AsyncLimiter
from pydantic import SecretStr

from sophia.core.config import Settings
from sophia.core.errors import (
    ConfigError,
    CrmAuthFailed,
    CrmError,
    CrmRecordGone,
    CrmUnreachable,
    ExtraNotInstalled,
)
from sophia.core.retry import Retrier, Transient

__all__ = ["SalesforceClient"]

log = logging.getLogger("sophia.crm")

T = TypeVar("T")

# Error codes of a record that is no longer there: the write is skipped, not retried.
_GONE = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY"})


class _TimedSession(requests.Session):
    """A requests session with a default timeout (simple-salesforce passes none) whose own
    `verify` wins over REQUESTS_CA_BUNDLE (requests lets the environment override it)."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        kwargs.setdefault("verify", self.verify)
        return super().request(*args, **kwargs)


class SalesforceClient:
    """One signed-in connection to Salesforce for one enrichment run."""

    def __init__(self, settings: Settings) -> None:
        if not settings.salesforce_configured:
            raise ConfigError(
                "Salesforce is not configured: set SALESFORCE_LOGIN_URL, SALESFORCE_CLIENT_ID "
                "and SALESFORCE_CLIENT_SECRET"
            )
        try:
            import simple_salesforce  # noqa: F401  (only to say which extra is missing)
        except ImportError:
            raise ExtraNotInstalled(
                "CRM enrichment needs the crm extra: pip install 'sophia[crm]'"
            ) from None
        self._settings = settings
        self._session = _TimedSession(settings.salesforce_timeout_s)
        if settings.salesforce_ca_bundle is not None:
            self._session.verify = str(settings.salesforce_ca_bundle)
        self._limiter = AsyncLimiter(settings.salesforce_rate_limit, 1)
        self._retrier = Retrier(
            attempts=settings.salesforce_max_attempts,
            backoff_s=settings.salesforce_backoff_s,
            max_backoff_s=max(60.0, settings.salesforce_backoff_s),
            max_retry_after_s=120.0,
        )
        self._api: Any = None

    async def find_task(self, key_field: str, key: str) -> str | None:
        """The Id of the Task whose `key_field` is `key`, if one exists (any owner)."""
        # `key` is "gong:" and a Gong call's digits, `key_field` a checked API name.
        soql = f"SELECT Id FROM Task WHERE {key_field} = '{key}' LIMIT 1"
        result = await self._call(lambda api: api.query(soql), "looking up a Task")
        records = result.get("records") or []
        return str(records[0]["Id"]) if records else None

    async def create(self, sobject: str, fields: dict[str, Any]) -> str:
        """Create a record; returns its Id."""
        result = await self._call(
            lambda api: getattr(api, sobject).create(fields), f"creating a {sobject}"
        )
        return str(result["id"])

    async def update(self, sobject: str, record_id: str, fields: dict[str, Any]) -> None:
        """Set these fields of one record."""
        await self._call(
            lambda api: getattr(api, sobject).update(record_id, fields),
            f"updating {sobject} {record_id}",
        )

    def close(self) -> None:
        self._session.close()

    async def _call(self, work: Callable[[Any], T], what: str) -> T:
        async def attempt() -> T:
            from simple_salesforce.exceptions import SalesforceExpiredSession

            try:
                return await self._once(work, what)
            except SalesforceExpiredSession:
                # The token expired (or was revoked): sign in again, once.
                self._api = None
                try:
                    return await self._once(work, what)
                except SalesforceExpiredSession as exc:
                    raise CrmAuthFailed(
                        f"Salesforce refused the session while {what} ({_code(exc)})"
                    ) from None

        def give_up(error: Transient, attempts: int) -> Exception:
            # No HTTP status: never reached (connection, TLS, timeout).
            kind = CrmError if error.status is not None else CrmUnreachable
            return kind(f"Salesforce kept failing while {what} ({error.what}, {attempts} tries)")

        def on_retry(error: Transient, wait_s: float, attempt_number: int) -> None:
            log.info(
                "Salesforce %s while %s; try %d again in %.1f s",
                error.what,
                what,
                attempt_number + 1,
                wait_s,
            )

        return await self._retrier.run(attempt, give_up=give_up, on_retry=on_retry)

    async def _once(self, work: Callable[[Any], T], what: str) -> T:
        from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession

        try:
            if self._api is None:
                async with self._limiter:
                    self._api = await asyncio.to_thread(self._sign_in)
            api = self._api
            async with self._limiter:
                return await asyncio.to_thread(work, api)
        except SalesforceExpiredSession:
            raise
        except SalesforceError as exc:
            raise _classified(exc, what) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(f"connection failed ({type(exc).__name__})") from None

    def _sign_in(self) -> Any:
        """OAuth 2.0 client credentials at SALESFORCE_LOGIN_URL, by simple-salesforce's own
        token login (its login helpers build salesforce.com host names: a My Domain URL or
        a proxy would not fit), then a client on the instance the token is for."""
        from simple_salesforce.api import Salesforce
        from simple_salesforce.exceptions import SalesforceAuthenticationFailed
        from simple_salesforce.login import token_login

        settings = self._settings
        key = settings.salesforce_client_id or ""
        pair = f"{key}:{_secret(settings.salesforce_client_secret)}"
        url = f"{str(settings.salesforce_login_url).rstrip('/')}/services/oauth2/token"
        headers = {"Authorization": f"Basic {base64.b64encode(pair.encode()).decode()}"}
        try:
            token, instance = token_login(
                url,
                {"grant_type": "client_credentials"},
                "login",
                key,
                headers,
                None,
                self._session,
            )
        except SalesforceAuthenticationFailed as exc:
            if isinstance(exc.code, int) and (exc.code >= 500 or exc.code == 429):
                raise Transient(f"sign-in answered {exc.code}", status=exc.code) from None
            raise CrmAuthFailed(
                f"Salesforce refused the connected app's credentials at {url}: "
                f"{exc.code or 'error'}: {exc.auth_message[:200]}"
            ) from None
        return Salesforce(
            instance=instance,
            session_id=token,
            session=self._session,
            version=settings.salesforce_api_version,
        )


def _classified(exc: Any, what: str) -> Exception:
    """The failure a simple-salesforce error stands for: worth another try or not."""
    code = _code(exc)
    status = int(exc.status)
    if status == 429 or status >= 500 or code == "REQUEST_LIMIT_EXCEEDED":
        return Transient(f"answered {status} {code}".strip(), status=status)
    if code in _GONE or status == 404:
        return CrmRecordGone(f"{what}: the record is gone ({code or status})")
    return CrmError(f"Salesforce refused {what}: {code or status}: {_message(exc)}")


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def _code(exc: Any) -> str:
    return str(_first_error(exc).get("errorCode", ""))


def _message(exc: Any) -> str:
    first = _first_error(exc)
    return str(first.get("message", "") if first else getattr(exc, "content", None))[:200]


def _first_error(exc: Any) -> dict[str, Any]:
    """The first entry of Salesforce's error list (`[{"errorCode": …, "message": …}]`)."""
    content = getattr(exc, "content", None)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0]
    return {}
