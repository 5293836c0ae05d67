"""Gong's automation-rule webhook, verified: a signed JWT names the body it came with.

What Gong documents and what is confirmed is in docs/gong-api.md §11. In short: the rule
POSTs `{"callData": <a /v2/calls/extensive call>, "isTest": bool}`; with "Signed JWT header"
authentication the request carries a JWT signed (RS256) with Gong's private key, checked
here with the public key Gong shows for the rule. Every time check uses the injected clock,
never PyJWT's own (which reads the wall clock).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt

from sophia.core.clock import Clock
from sophia.core.errors import SophiaError

__all__ = ["WebhookCall", "WebhookRejected", "WebhookVerifier"]

# Tokens remembered for replay detection: far more than Gong sends in one age window.
_MAX_REMEMBERED = 100_000


class WebhookRejected(SophiaError):
    """A webhook request that is not processed; `status` is what the endpoint answers and
    `reason` the label it is counted under."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class WebhookCall:
    """The call a verified webhook names; a test from Gong's UI is verified, not fetched."""

    call_id: str
    is_test: bool


class WebhookVerifier:
    """Checks size, signature, age, replay and shape of one webhook request."""

    def __init__(self, public_key: str, clock: Clock, *, max_age_s: float, max_bytes: int) -> None:
        self._key = public_key
        self._clock = clock
        self.max_age_s = max_age_s
        self.max_bytes = max_bytes
        # Token id -> the time after which it is too old to be accepted anyway.
        self._seen: OrderedDict[str, float] = OrderedDict()

    def verify(self, body: bytes, authorization: str | None) -> WebhookCall:
        """The call the request names; `WebhookRejected` for anything not to be processed."""
        if len(body) > self.max_bytes:
            raise WebhookRejected(413, "oversized", f"The body is over {self.max_bytes} bytes.")
        token = _token(authorization)
        claims = self._claims(token)
        now = self._clock.now().timestamp()
        self._check_times(claims, now)
        digest = claims.get("body_sha256")
        if digest is not None and not hmac.compare_digest(
            str(digest).lower(), hashlib.sha256(body).hexdigest()
        ):
            raise WebhookRejected(401, "bad_signature", "The token was signed for another body.")
        self._remember(str(claims.get("jti") or hashlib.sha256(token.encode()).hexdigest()), now)
        return _call_of(body)

    def _claims(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=["RS256"],
                # Times are checked against the injected clock below.
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidTokenError as exc:
            raise WebhookRejected(401, "bad_signature", f"The token is not valid: {exc}") from None
        return claims

    def _check_times(self, claims: dict[str, Any], now: float) -> None:
        issued, expires = _number(claims.get("iat")), _number(claims.get("exp"))
        if issued is None and expires is None:
            raise WebhookRejected(401, "expired", "The token carries neither iat nor exp.")
        if expires is not None and now >= expires:
            raise WebhookRejected(401, "expired", "The token has expired.")
        if issued is not None and not -60 <= now - issued <= self.max_age_s:
            raise WebhookRejected(401, "expired", "The token was not issued just now.")

    def _remember(self, token_id: str, now: float) -> None:
        while self._seen and next(iter(self._seen.values())) < now:
            self._seen.popitem(last=False)
        if token_id in self._seen:
            raise WebhookRejected(401, "replayed", "This token was used before.")
        self._seen[token_id] = now + self.max_age_s + 60
        if len(self._seen) > _MAX_REMEMBERED:
            self._seen.popitem(last=False)


def _token(authorization: str | None) -> str:
    if not authorization or not authorization.strip():
        raise WebhookRejected(401, "unsigned", "The request carries no signed token.")
    scheme, _, rest = authorization.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest else authorization.strip()


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _call_of(body: bytes) -> WebhookCall:
    try:
        payload = json.loads(body)
        call_data = payload["callData"]
        call_id = str(call_data["metaData"]["id"])
    except (ValueError, TypeError, KeyError) as exc:
        raise WebhookRejected(400, "malformed", f"Not a Gong call webhook ({exc!r}).") from None
    if not call_id.isdigit() or len(call_id) > 20:
        raise WebhookRejected(400, "malformed", "callData.metaData.id is not a Gong call id.")
    return WebhookCall(call_id, bool(payload.get("isTest")))
