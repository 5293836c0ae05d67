"""Prometheus metrics, defined once; every part of the process records into these.

The REST API exposes them at /metrics. They live in the default registry, so a process that
never serves them pays only for a few counters.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from sophia.core.ingest_summary import IngestSummary

__all__ = [
    "API_REQUESTS",
    "CACHE_LOOKUPS",
    "DEPENDENCY_UP",
    "FRESHNESS_LAG",
    "GONG_RATE_LIMITED",
    "GONG_WEBHOOKS",
    "NEWEST_CALL",
    "QUARANTINED",
    "QUERY_SECONDS",
    "SLACK_COMMANDS",
    "STATE_WRITE_FAILURES",
    "STORE_SECONDS",
    "STORE_WRITTEN_BYTES",
    "SYNC_CALLS",
    "SYNC_RUNS",
    "WRITER_WAITS",
    "observe_store_work",
    "observe_sync",
]

QUERY_SECONDS = Histogram(
    "sophia_query_seconds",
    "Time to answer one query, by surface and kind (search, ask, brief, ...).",
    ["surface", "kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CACHE_LOOKUPS = Counter(
    "sophia_cache_lookups_total", "Search cache lookups by result (hit or miss).", ["result"]
)
SYNC_RUNS = Counter(
    "sophia_sync_runs_total", "Ingest runs (sync, folder, reindex) by outcome.", ["outcome"]
)
SYNC_CALLS = Counter(
    "sophia_sync_calls_total",
    "Calls seen by ingest runs, by what happened to them (indexed, unchanged, rejected, ...).",
    ["result"],
)
STORE_SECONDS = Histogram(
    "sophia_store_seconds",
    "Store work of ingest runs and the daily purge, by operation (write, optimize).",
    ["operation"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)
STORE_WRITTEN_BYTES = Counter(
    "sophia_store_written_bytes_total",
    "Bytes the embedded store wrote to disk, by operation (write, optimize).",
    ["operation"],
)
GONG_RATE_LIMITED = Counter("sophia_gong_rate_limited_total", "429 answers from the Gong API.")
SLACK_COMMANDS = Counter(
    "sophia_slack_commands_total",
    "Slack requests handled, by kind (search, brief, mention...).",
    ["kind"],
)
API_REQUESTS = Counter(
    "sophia_api_requests_total", "REST requests by route and status code.", ["route", "status"]
)
QUARANTINED = Gauge(
    "sophia_quarantined_records",
    "Records set aside by ingest runs (read from the state DB when scraped).",
)
STATE_WRITE_FAILURES = Counter(
    "sophia_state_write_failures_total",
    "Writes the read path skipped because the data dir refused them (full or read-only), "
    "by what (query_timing, feedback, audit).",
    ["what"],
)
WRITER_WAITS = Counter(
    "sophia_writer_waits_total",
    "Writers that found another writer holding the data dir's lock, by operation and by "
    "what they did: refused (exit with 'already running'), ran (after waiting for it) or "
    "gave_up (waited as long as allowed).",
    ["operation", "outcome"],
)
DEPENDENCY_UP = Gauge(
    "sophia_dependency_up",
    "1 when the dependency answered the last readiness check, else 0 (store, cache, embedder).",
    ["dependency"],
)
FRESHNESS_LAG = Gauge(
    "sophia_freshness_lag_seconds",
    "Seconds from a call's end to searchable, over recent calls indexed live, by quantile "
    "(0.5, 0.95); read from the state DB when scraped, NaN before any.",
    ["quantile"],
)
NEWEST_CALL = Gauge(
    "sophia_newest_call_started_seconds",
    "Start (Unix time) of the most recently started call indexed; read when scraped.",
)
GONG_WEBHOOKS = Counter(
    "sophia_gong_webhooks_total",
    "Gong webhook requests by outcome: queued, test, or why refused (unsigned, bad_signature, "
    "expired, replayed, oversized, malformed).",
    ["outcome"],
)


def observe_sync(summary: IngestSummary) -> None:
    """What a finished ingest adds to the metrics: the run, its calls, its store work."""
    SYNC_RUNS.labels("ok").inc()
    for result, count in summary.call_counts().items():
        SYNC_CALLS.labels(result).inc(count)
    if summary.indexed:
        for operation, seconds, written in (
            ("write", summary.write_seconds, summary.write_bytes),
            ("optimize", summary.optimize_seconds, summary.optimize_bytes),
        ):
            STORE_SECONDS.labels(operation).observe(seconds)
            STORE_WRITTEN_BYTES.labels(operation).inc(written or 0)


def observe_store_work(
    operation: str, started: float, before: int | None, after: int | None
) -> None:
    """Time since `started` (perf_counter) and the bytes written, for store upkeep."""
    STORE_SECONDS.labels(operation).observe(time.perf_counter() - started)
    if before is not None and after is not None:
        STORE_WRITTEN_BYTES.labels(operation).inc(after - before)
