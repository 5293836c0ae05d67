"""The REST API against a real Sophia (samples/, hashing embedder) through httpx's ASGI
transport: answers, errors in one shape, request ids, metrics and what reaches the logs."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sophia.api.rest_app import MAX_BODY_BYTES
from sophia.core.logs import JsonFormatter
from tests.fakes.sophia_api import api_client, assert_error, make_settings, metric, open_sophia

pytest_plugins = ["tests.fakes.api_fixtures"]

HALDEN_CALL = "6823810680858523576"  # mentions Ledgerly (samples/expected.json)


# --- answers -----------------------------------------------------------------------------


async def test_search_returns_cited_hits_inside_the_filters(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        response = await http.post(
            "/api/gong/search",
            json={
                "query": "Ledgerly forecasting module",
                "limit": 3,
                "mode": "keyword",
                "filters": {"account": "halden energy", "side": "customer"},
            },
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "keyword" and body["cached"] is False and body["notice"] is None
    hits = body["hits"]
    assert 1 <= len(hits) <= 3
    assert "Ledgerly" in hits[0]["snippet"]
    for hit in hits:
        assert hit["account"] == "Halden Energy" and hit["affiliation"] == "external"
        assert hit["speaker"] and hit["snippet"] in hit["text"]
        assert hit["start_ms"] <= hit["moment_ms"] < hit["end_ms"]
        assert hit["url"].startswith(hit["call_url"]) and "highlights=" in hit["url"]
        assert f"id={hit['call_id']}" in hit["call_url"]


async def test_search_dates_are_calendar_days_in_the_configured_zone(api_data_dir: Path) -> None:
    # 2026-09-01T16:03:42Z is Sept 2 in Tokyo: a day filter must follow SOPHIA_TIMEZONE.
    settings = make_settings(api_data_dir, sophia_timezone="Asia/Tokyo")
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        on_day = await http.post(
            "/api/gong/search",
            json={"query": "Ledgerly", "filters": {"from": "2026-09-02", "to": "2026-09-02"}},
        )
        day_before = await http.post(
            "/api/gong/search",
            json={"query": "Ledgerly", "filters": {"from": "2026-09-01", "to": "2026-09-01"}},
        )
    hits = on_day.json()["hits"]
    assert HALDEN_CALL in {hit["call_id"] for hit in hits}
    for hit in hits:
        local = datetime.fromisoformat(hit["date"]).astimezone(ZoneInfo("Asia/Tokyo"))
        assert local.date().isoformat() == "2026-09-02"
    assert HALDEN_CALL not in {hit["call_id"] for hit in day_before.json()["hits"]}


async def test_search_by_call_id_stays_in_that_call(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        response = await http.post(
            "/api/gong/search",
            json={"query": "forecast", "limit": 10, "filters": {"call_ids": [HALDEN_CALL]}},
        )
    hits = response.json()["hits"]
    assert hits and {hit["call_id"] for hit in hits} == {HALDEN_CALL}


async def test_analyze_call_accepts_an_id_or_a_gong_url(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        by_id = await http.post("/api/gong/analyze/call", json={"call_id": HALDEN_CALL})
        by_url = await http.post(
            "/api/gong/analyze/call",
            json={"call_id": f"https://us-4.app.gong.io/call?id={HALDEN_CALL}&tab=transcript"},
        )
    assert by_id.status_code == 200 and by_url.status_code == 200, by_url.text
    answer = by_id.json()
    assert answer["intent"] == "call_analysis" and answer["sections"]
    assert by_url.json()["understood"] == answer["understood"]
    assert answer["citations"]
    for citation in answer["citations"]:
        assert citation["call_id"] == HALDEN_CALL and citation["speaker"]
        assert "highlights=" in citation["url"]
    numbers = {c["number"] for c in answer["citations"]}
    cited = {n for s in answer["sections"] for b in s["bullets"] for n in b["citations"]}
    assert cited and cited <= numbers


async def test_brief_and_ask_give_cited_answers(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        brief = await http.post("/api/gong/brief", json={"topic": "Halden Energy"})
        ask = await http.post(
            "/api/gong/ask", json={"question": "which competitors came up with Halden Energy?"}
        )
    assert brief.status_code == 200 and ask.status_code == 200, ask.text
    assert brief.json()["intent"] == "account_brief"
    assert ask.json()["intent"] == "competitors"
    for answer in (brief.json(), ask.json()):
        assert answer["citations"]
        assert all(c["account"] == "Halden Energy" for c in answer["citations"])
    mentioned = " ".join(c["quote"] for c in ask.json()["citations"])
    assert "Ledgerly" in mentioned


async def test_stats_report_the_index_and_the_backends(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        await http.post("/api/gong/search", json={"query": "pricing"})
        await http.post("/api/gong/search", json={"query": "pricing"})
        stats = (await http.get("/api/gong/stats")).json()
    assert stats["calls_indexed"] == 40 and stats["total_chunks"] > 40
    assert stats["queries_measured"] == 2 and stats["cache_hit_rate"] == 0.5
    assert set(stats["query_times"]) == {"api"} and stats["query_times"]["api"]["queries"] == 2
    assert stats["query_times"]["api"]["p95_ms"] >= stats["query_times"]["api"]["p50_ms"] > 0
    assert stats["last_sync"] is not None
    assert stats["source"] == "folder" and stats["summarizer"] == "extractive"
    assert stats["embedder"].startswith("hashing") and stats["store"].startswith("LanceStore")
    assert stats["cache"] == "MemoryCache"


async def test_stats_name_gong_as_the_source_when_its_credentials_are_set(
    api_data_dir: Path,
) -> None:
    settings = make_settings(api_data_dir, gong_access_key="k", gong_access_secret="s")
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        stats = (await http.get("/api/gong/stats")).json()
    assert stats["source"] == "gong"


async def test_health_answers_without_touching_dependencies(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        # Even with the local state closed, liveness is about the process only.
        sophia.state.close()
        response = await http.get("/api/gong/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": "   "}, "query: must not be blank"),
        ({"query": ""}, "query"),
        ({"query": "x" * 1001}, "query"),
        ({"qurey": "pricing"}, "qurey: Extra inputs are not permitted"),
        ({"query": "pricing", "limit": 0}, "limit"),
        ({"query": "pricing", "limit": "5"}, "limit: must be an integer"),
        ({"query": "pricing", "limit": True}, "limit: must be an integer"),
        ({"query": "pricing", "filters": {"from": 0}}, "filters.from: must be a date"),
        ({"query": "pricing", "mode": "fuzzy"}, "mode"),
        ({"query": "pricing", "filters": {"from": "10/01/2026"}}, "filters.from"),
        ({"query": "pricing", "filters": {"from": "2026-10-05", "to": "2026-10-01"}}, "after"),
        ({"query": "pricing", "filters": {"side": "buyer"}}, "filters.side"),
        ({"query": "pricing", "filters": {"call_ids": ["1; drop"]}}, "not a Gong call id"),
        ({"query": "pricing", "filters": {"account": " "}}, "filters.account"),
        (["pricing"], "JSON object"),
    ],
)
async def test_bad_search_input_is_a_400_that_names_the_field(
    api_data_dir: Path, body: Any, field: str
) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        response = await http.post("/api/gong/search", json=body)
    error = assert_error(response, 400, "bad_request")
    assert field in error["message"]


async def test_a_body_that_is_not_json_is_a_400(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        response = await http.post(
            "/api/gong/ask", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert "not valid JSON" in assert_error(response, 400, "bad_request")["message"]


async def test_a_body_larger_than_any_valid_request_is_a_413(api_data_dir: Path) -> None:
    huge = json.dumps({"query": "x" * (MAX_BODY_BYTES + 1)}).encode()

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for start in range(0, len(huge), 8192):
            yield huge[start : start + 8192]

    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        declared = await http.post(
            "/api/gong/search", content=huge, headers={"content-type": "application/json"}
        )
        streamed = await http.post(
            "/api/gong/search", content=chunked(), headers={"content-type": "application/json"}
        )
        fine = await http.post("/api/gong/search", json={"query": "pricing"})
    for response in (declared, streamed):
        assert "larger than" in assert_error(response, 413, "too_large")["message"]
    assert "content-length" not in streamed.request.headers
    assert fine.status_code == 200


async def test_unknown_call_is_404_and_a_malformed_one_400(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        unknown = await http.post("/api/gong/analyze/call", json={"call_id": "1234567890"})
        malformed = await http.post("/api/gong/analyze/call", json={"call_id": "x' OR '1'='1"})
    assert "1234567890" in assert_error(unknown, 404, "not_found")["message"]
    assert "call id or call URL" in assert_error(malformed, 400, "bad_request")["message"]


async def test_unknown_routes_and_methods_get_the_error_shape(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        missing = await http.get("/api/gong/nothing-here")
        wrong_method = await http.get("/api/gong/search")
    assert_error(missing, 404, "not_found")
    assert_error(wrong_method, 405, "method_not_allowed")
    assert wrong_method.headers["allow"] == "POST"


async def test_an_unexpected_failure_is_a_500_that_shows_no_internals(
    api_data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        sophia.state.close()  # stats read the local state: now a sqlite3 error
        response = await http.get("/api/gong/stats")
    error = assert_error(response, 500, "internal")
    assert "sqlite" not in error["message"].lower() and "closed" not in error["message"]
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert failures, "the traceback belongs in the log"


# --- request ids, logs and metrics --------------------------------------------------------


async def test_request_ids_are_kept_when_sane_and_replaced_otherwise(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        kept = await http.get("/api/gong/health", headers={"X-Request-ID": "abc-123.trace:7"})
        forged = await http.get("/api/gong/health", headers={"X-Request-ID": "a\tb level=ERROR"})
        fresh = await http.get("/api/gong/health")
        error = await http.post(
            "/api/gong/search", json={"query": " "}, headers={"X-Request-ID": "req-42"}
        )
    assert kept.headers["x-request-id"] == "abc-123.trace:7"
    assert forged.headers["x-request-id"] not in ("a\tb level=ERROR", "")
    assert len(fresh.headers["x-request-id"]) >= 16
    assert error.json()["error"]["request_id"] == "req-42"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Every INFO+ line as `sophia run` writes it (JSON, formatted when logged)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_one_log_line_per_request_without_query_text_or_key(
    api_data_dir: Path, json_log: io.StringIO
) -> None:
    key = "sk-test-7f3a9c2e4b"
    settings = make_settings(api_data_dir, sophia_api_keys=f"reporting:{key}")
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        found = await http.post(
            "/api/gong/search",
            json={"query": "zanzibar-quokka pricing", "filters": {"account": "Moss & Co"}},
            headers={"Authorization": f"Bearer {key}", "X-Request-ID": "trace-1"},
        )
        refused = await http.post(
            "/api/gong/ask",
            json={"question": "zanzibar-quokka?"},
            headers={"Authorization": "Bearer sk-wrong-zanzibar"},
        )
    assert found.status_code == 200 and refused.status_code == 401
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    ours = [line for line in lines if line["logger"].startswith("sophia")]
    leaks = [line for line in lines if re.search(f"zanzibar|{key}|Moss", json.dumps(line))]
    assert not leaks
    access = [line for line in ours if line["logger"] == "sophia.api" and "route" in line]
    assert [(a["method"], a["route"], a["status"]) for a in access] == [
        ("POST", "/api/gong/search", 200),
        ("POST", "/api/gong/ask", 401),
    ]
    assert access[0]["request_id"] == "trace-1" and access[0]["api_key"] == "reporting"
    assert access[0]["ms"] >= 0 and access[1]["api_key"] is None


async def test_the_audit_line_carries_the_api_surface_key_name_and_request_id(
    api_data_dir: Path,
) -> None:
    settings = make_settings(api_data_dir, sophia_api_keys="reporting:sk-audit-1")
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        await http.post(
            "/api/gong/search",
            json={"query": "pricing"},
            headers={"Authorization": "Bearer sk-audit-1", "X-Request-ID": "audit-7"},
        )
        audit_path = sophia.audit.path
    lines = [json.loads(line) for line in audit_path.read_text().splitlines()]
    assert [(a["surface"], a["user"], a["request_id"]) for a in lines] == [
        ("api", "reporting", "audit-7")
    ]
    assert "sk-audit-1" not in audit_path.read_text()


async def test_probes_and_scrapes_log_at_debug_unless_they_fail(
    api_data_dir: Path, json_log: io.StringIO
) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        await http.get("/api/gong/health")
        await http.get("/metrics")
        sophia.state.close()  # the next stats fail: failures of any route are INFO or above
        await http.get("/api/gong/stats")
    routes = [
        (line["route"], line["status"])
        for line in map(json.loads, json_log.getvalue().splitlines())
        if line["logger"] == "sophia.api" and "route" in line
    ]
    assert routes == [("/api/gong/stats", 500)]


async def test_metrics_count_requests_by_route_and_query_latency(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        before = (await http.get("/metrics")).text
        await http.post("/api/gong/search", json={"query": "pricing objections"})
        await http.post("/api/gong/search", json={"query": "pricing objections"})
        await http.post("/api/gong/search", json={"query": " "})
        await http.get("/no/such/path/12345")
        response = await http.get("/metrics")
    after = response.text
    assert response.headers["content-type"].startswith("text/plain")

    def grew(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("sophia_api_requests_total", route="/api/gong/search", status="200") == 2
    assert grew("sophia_api_requests_total", route="/api/gong/search", status="400") == 1
    assert grew("sophia_api_requests_total", route="<unmatched>", status="404") == 1
    assert grew("sophia_query_seconds_count", surface="api", kind="search") == 2
    assert grew("sophia_cache_lookups_total", result="hit") == 1
    assert grew("sophia_cache_lookups_total", result="miss") == 1
    assert "/no/such/path" not in after  # raw paths never become label values
    for name in ("sophia_sync_runs_total", "sophia_gong_rate_limited_total"):
        assert f"# TYPE {name} counter" in after


# --- documentation ---------------------------------------------------------------------------


async def test_the_docs_page_loads_everything_from_the_api_itself(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        docs = await http.get("/docs")
        assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        loaded = [await http.get(asset) for asset in assets]
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert assets and all(asset.startswith("/") for asset in assets), assets  # no CDN
    assert [r.status_code for r in loaded] == [200] * len(assets)


async def test_openapi_schema_documents_the_real_errors(api_data_dir: Path) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        spec = (await http.get("/openapi.json")).json()
        docs = await http.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    search = spec["paths"]["/api/gong/search"]["post"]
    assert "422" not in search["responses"]
    assert {"200", "400", "401", "429", "500", "503"} <= set(search["responses"])
    assert "Retry-After" in search["responses"]["429"]["headers"]
    assert all("X-Request-ID" in r["headers"] for r in search["responses"].values())
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "securitySchemes" not in spec["components"]  # no keys configured
    analyze = spec["paths"]["/api/gong/analyze/call"]["post"]
    assert "404" in analyze["responses"]
