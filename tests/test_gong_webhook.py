"""POST /api/gong/webhook: Gong's signed call webhook queues the call; anything unsigned,
badly signed, expired, replayed or oversized is refused, counted and never processed."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sophia.core.services import Sophia
from tests.conftest import NOW
from tests.fakes.sophia_api import api_client, make_settings, metric, open_sophia

URL = "/api/gong/webhook"
CALL_ID = "7782342274025937895"
POLICY = "restricted_accounts:\n  Moss & Co:\n    slack_users: [U0MOSS001]\n"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


GONG_KEY, OTHER_KEY = rsa_key(), rsa_key()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def payload(call_id: str = CALL_ID, *, account: str = "Acme", test: bool = False) -> bytes:
    account_object = {"objectType": "Account", "fields": [{"name": "Name", "value": account}]}
    call = {"metaData": {"id": call_id}, "context": [{"objects": [account_object]}]}
    return json.dumps({"callData": call, "isTest": test}).encode()


def signed(body: bytes, key: rsa.RSAPrivateKey = GONG_KEY, **claims: Any) -> dict[str, str]:
    """Headers carrying a token as Gong signs it: issued now, naming the body's digest."""
    now = NOW.timestamp()
    claims = {
        "iat": now,
        "exp": now + 300,
        "jti": hashlib.sha256(body + repr(claims).encode()).hexdigest(),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        **claims,
    }
    token = jwt.encode(claims, key, algorithm="RS256")
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


Post = Callable[..., Any]


@pytest.fixture
async def webhook(tmp_path: Path) -> AsyncIterator[tuple[Sophia, httpx.AsyncClient]]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    settings = make_settings(
        tmp_path / "data",
        gong_webhook_public_key=public_pem(GONG_KEY),
        gong_webhook_max_bytes=4096,
        access_policy=policy,
        api_keys="ops:" + "k" * 32,
    )
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        yield sophia, http


async def refused(http: httpx.AsyncClient, sophia: Sophia, status: int, outcome: str, **post: Any):
    before = metric(
        (await http.get("/metrics")).text, "sophia_gong_webhooks_total", outcome=outcome
    )
    response = await http.post(URL, **post)
    after = metric((await http.get("/metrics")).text, "sophia_gong_webhooks_total", outcome=outcome)
    assert response.status_code == status, response.text
    assert after == before + 1
    assert sophia.urgent.call_ids == []  # never processed
    return response


async def test_a_validly_signed_webhook_queues_its_call_without_an_api_key(webhook: Any) -> None:
    sophia, http = webhook
    body = payload()
    response = await http.post(URL, content=body, headers=signed(body))
    assert response.status_code == 202, response.text
    assert response.json() == {"queued": True}
    assert sophia.urgent.call_ids == [CALL_ID]


async def test_a_token_signed_with_another_key_is_refused(webhook: Any) -> None:
    sophia, http = webhook
    body = payload()
    await refused(http, sophia, 401, "bad_signature", content=body, headers=signed(body, OTHER_KEY))


async def test_an_unsigned_request_is_refused(webhook: Any) -> None:
    sophia, http = webhook
    await refused(http, sophia, 401, "unsigned", content=payload())


async def test_a_token_for_another_body_is_refused(webhook: Any) -> None:
    sophia, http = webhook
    headers = signed(payload("1111"))
    await refused(http, sophia, 401, "bad_signature", content=payload(), headers=headers)


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": (NOW - timedelta(seconds=1)).timestamp()},  # expired
        {"iat": (NOW - timedelta(minutes=10)).timestamp(), "exp": None},  # issued too long ago
    ],
)
async def test_an_expired_or_stale_token_is_refused(webhook: Any, claims: dict[str, Any]) -> None:
    sophia, http = webhook
    body = payload()
    headers = signed(body, **claims)
    await refused(http, sophia, 401, "expired", content=body, headers=headers)


async def test_a_replayed_token_is_refused(webhook: Any) -> None:
    sophia, http = webhook
    body = payload()
    headers = signed(body)
    assert (await http.post(URL, content=body, headers=headers)).status_code == 202
    sophia.urgent.take()
    await refused(http, sophia, 401, "replayed", content=body, headers=headers)


async def test_a_body_over_the_limit_is_refused_before_it_is_verified(webhook: Any) -> None:
    sophia, http = webhook
    body = payload() + b" " * 5000
    await refused(http, sophia, 413, "oversized", content=body, headers=signed(body))


async def test_a_test_from_gongs_ui_is_verified_but_fetches_nothing(webhook: Any) -> None:
    sophia, http = webhook
    body = payload(test=True)
    response = await http.post(URL, content=body, headers=signed(body))
    assert response.json() == {"queued": False, "test": True}
    assert sophia.urgent.call_ids == []


async def test_a_restricted_accounts_call_is_queued_and_nothing_about_it_is_echoed(
    webhook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sophia, http = webhook
    assert sophia.access.restricted
    body = payload(account="Moss & Co")
    with caplog.at_level(logging.DEBUG):
        response = await http.post(URL, content=body, headers=signed(body))
    assert response.status_code == 202
    assert "Moss" not in response.text
    assert not [r for r in caplog.records if "Moss" in r.getMessage()]
    # Fetched like any call; who may read it is the policy's business at search time.
    assert sophia.urgent.call_ids == [CALL_ID]


async def test_without_a_public_key_the_webhook_is_not_served(tmp_path: Path) -> None:
    async with open_sophia(make_settings(tmp_path / "data")) as sophia, api_client(sophia) as http:
        body = payload()
        response = await http.post(URL, content=body, headers=signed(body))
    assert response.status_code == 404
    assert sophia.urgent.call_ids == []
