"""API keys and the rate limit: who gets in, who waits, and what the probes need."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sophia.api.auth import key_name
from sophia.api.rest_app import create_app
from sophia.core.config import Settings
from sophia.core.ratelimit import RateLimiter
from tests.fakes.sophia_api import FakeClock, api_client, assert_error, make_settings, open_sophia

pytest_plugins = ["tests.fakes.api_fixtures"]

KEYS = "reporting:sk-report-1234, ops:sk-ops-5678"
REPORTING = {"Authorization": "Bearer sk-report-1234"}
OPS = {"Authorization": "Bearer sk-ops-5678"}
SEARCH = {"query": "pricing"}


async def test_with_keys_every_endpoint_but_the_probes_needs_one(api_data_dir: Path) -> None:
    settings = make_settings(api_data_dir, sophia_api_keys=KEYS)
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        refused = {
            path: await http.get(path)
            for path in ("/api/gong/stats", "/metrics", "/docs", "/openapi.json", "/nowhere")
        }
        refused["search"] = await http.post("/api/gong/search", json=SEARCH)
        # A bad body is not even read without a key.
        refused["bad body"] = await http.post("/api/gong/search", content=b"{")
        health = await http.get("/api/gong/health")
        ready = await http.get("/api/gong/ready")
        allowed = [
            await http.get("/api/gong/stats", headers=REPORTING),
            await http.get("/metrics", headers=OPS),
            await http.get("/docs", headers=OPS),
            await http.get("/openapi.json", headers=OPS),
            await http.post("/api/gong/search", json=SEARCH, headers=REPORTING),
        ]
    for response in refused.values():
        error = assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in error["message"]
    assert health.status_code == 200 and ready.status_code == 200
    assert [r.status_code for r in allowed] == [200] * 5


@pytest.mark.parametrize(
    "header",
    [
        "Bearer sk-report-123",  # a prefix of a key
        "Bearer sk-report-12345",
        "Basic c2stcmVwb3J0LTEyMzQ=",
        "sk-report-1234",
        "Bearer ",
        "Bearer sk-répört",  # not ASCII: still just wrong
    ],
)
async def test_a_wrong_key_is_a_401_that_says_so(api_data_dir: Path, header: str) -> None:
    settings = make_settings(api_data_dir, sophia_api_keys=KEYS)
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        response = await http.post(
            "/api/gong/search", json=SEARCH, headers={"Authorization": header.encode()}
        )
    error = assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert error["message"] == "The API key is not valid."
    assert "sk-" not in response.text


async def test_without_keys_no_header_is_needed_and_the_schema_declares_none(
    api_data_dir: Path,
) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        search = await http.post("/api/gong/search", json=SEARCH)
        spec = (await http.get("/openapi.json")).json()
    assert search.status_code == 200
    assert "securitySchemes" not in spec["components"]


async def test_with_keys_the_schema_declares_bearer_auth_except_on_probes(
    api_data_dir: Path,
) -> None:
    settings = make_settings(api_data_dir, sophia_api_keys=KEYS)
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        spec = (await http.get("/openapi.json", headers=OPS)).json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    paths = spec["paths"]
    assert paths["/api/gong/search"]["post"]["security"] == [{"bearer": []}]
    assert paths["/metrics"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/gong/health"]["get"]
    assert "security" not in paths["/api/gong/ready"]["get"]


def test_key_names_come_from_settings_and_match_exactly() -> None:
    settings = Settings(_env_file=None, sophia_api_keys=f"{KEYS}, bare-key")
    keys = {name: key.encode() for name, key in settings.api_keys.items()}
    assert key_name(b"Bearer sk-ops-5678", keys) == "ops"
    assert key_name(b"bearer   sk-report-1234 ", keys) == "reporting"  # scheme is case-blind
    bare = key_name(b"Bearer bare-key", keys)
    assert bare is not None and bare.startswith("key-") and "bare" not in bare
    assert key_name(b"Bearer sk-ops-567", keys) is None
    assert key_name(None, keys) is None


# --- rate limit -------------------------------------------------------------------------------


async def test_over_the_limit_is_a_429_with_an_honest_retry_after(api_data_dir: Path) -> None:
    clock = FakeClock()
    settings = make_settings(api_data_dir, sophia_api_keys=KEYS, api_rate_limit=3)
    async with open_sophia(settings) as sophia, api_client(sophia, clock=clock) as http:
        firsts = [await http.get("/api/gong/stats", headers=REPORTING) for _ in range(3)]
        limited = await http.post("/api/gong/search", json=SEARCH, headers=REPORTING)
        other_key = await http.get("/api/gong/stats", headers=OPS)
        probes = [await http.get("/api/gong/health") for _ in range(5)]
        probes += [await http.get("/api/gong/ready") for _ in range(5)]
        # 3 a minute is one every 20 s: a second short of the wait is still too early.
        clock.advance(19)
        early = await http.get("/api/gong/stats", headers=REPORTING)
        clock.advance(1)
        on_time = await http.get("/api/gong/stats", headers=REPORTING)
    assert [r.status_code for r in firsts] == [200, 200, 200]
    error = assert_error(limited, 429, "rate_limited")
    assert limited.headers["retry-after"] == "20" and "3 requests a minute" in error["message"]
    assert other_key.status_code == 200, "each key has its own budget"
    assert all(r.status_code == 200 for r in probes), "probes are never limited"
    assert early.status_code == 429 and early.headers["retry-after"] == "1"
    assert on_time.status_code == 200


async def test_one_app_limits_each_address_separately(api_data_dir: Path) -> None:
    clock = FakeClock()
    settings = make_settings(api_data_dir, api_rate_limit=1)
    async with open_sophia(settings) as sophia:
        app = create_app(sophia, clock=clock)
        statuses = []
        for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2"):
            transport = httpx.ASGITransport(app=app, client=(address, 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                statuses.append((await http.get("/api/gong/stats")).status_code)
    assert statuses == [200, 429, 200]


async def test_a_rate_limit_of_zero_is_off(api_data_dir: Path) -> None:
    settings = make_settings(api_data_dir, api_rate_limit=0)
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        statuses = {(await http.get("/api/gong/stats")).status_code for _ in range(30)}
    assert statuses == {200}


def test_the_bucket_refills_continuously_and_says_whole_seconds() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock)  # one a second
    assert all(limiter.acquire("a") == 0 for _ in range(60))
    assert limiter.acquire("a") == 1
    clock.advance(0.5)
    assert limiter.acquire("a") == 1  # half a token: still a whole second to say
    clock.advance(0.5)
    assert limiter.acquire("a") == 0
    assert limiter.acquire("b") == 0
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(0)


# --- the access policy goes by the key's name ----------------------------------------------


async def test_the_policy_sees_the_api_key_name(api_data_dir: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Halden Energy:\n    api_keys: [ops]\n")
    settings = make_settings(api_data_dir, sophia_api_keys=KEYS, access_policy=policy)
    halden_call = {"call_id": "6823810680858523576"}
    ledgerly = {"query": "Ledgerly", "mode": "keyword", "limit": 20}
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        denied = await http.post("/api/gong/analyze/call", json=halden_call, headers=REPORTING)
        allowed = await http.post("/api/gong/analyze/call", json=halden_call, headers=OPS)
        hidden = await http.post("/api/gong/search", json=ledgerly, headers=REPORTING)
        shown = await http.post("/api/gong/search", json=ledgerly, headers=OPS)
    assert "access" in assert_error(denied, 403, "forbidden")["message"]
    assert allowed.status_code == 200
    assert "Halden Energy" not in {hit["account"] for hit in hidden.json()["hits"]}
    assert "Halden Energy" in {hit["account"] for hit in shown.json()["hits"]}
