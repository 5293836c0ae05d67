"""Request times in the state DB: kept by surface, and a file from an earlier version opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sophia.core.state import StateDB
from sophia.core.stats import QueryTimes

# What the state DB's timings looked like before they named their surface.
_EARLIER = """
CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE queries (
    at REAL NOT NULL, ms REAL NOT NULL, cached INTEGER NOT NULL, mode TEXT NOT NULL
);
CREATE TABLE syncs (at REAL NOT NULL, summary TEXT NOT NULL);
CREATE TABLE feedback (
    at REAL NOT NULL, about TEXT NOT NULL, vote TEXT NOT NULL, surface TEXT NOT NULL, user TEXT
);
CREATE TABLE quarantine (
    source TEXT NOT NULL, record_id TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL,
    payload TEXT, first_at REAL NOT NULL, last_at REAL NOT NULL, attempts INTEGER NOT NULL,
    PRIMARY KEY (source, record_id)
);
INSERT INTO queries VALUES (1.0, 3000.0, 0, 'hybrid');
INSERT INTO kv VALUES ('checkpoint', '{"cursor": "c1"}');
"""


def earlier_state(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(_EARLIER)
    return path


def test_times_are_kept_by_surface_and_searches_count_the_cache(tmp_path: Path) -> None:
    state = StateDB(tmp_path / "state.db")
    for ms, surface, kind, cached in [
        (12.0, "api", "search", False),
        (50.0, "api", "search", True),
        (3000.0, "cli", "ask", None),
    ]:
        assert state.record_query(ms, surface=surface, kind=kind, cached=cached)
    timings = state.query_timings()
    assert timings.ms_by_surface == {"api": [12.0, 50.0], "cli": [3000.0]}
    assert (timings.searches, timings.cached_searches) == (2, 1)
    api = QueryTimes.of(timings.ms_by_surface["api"])
    assert (api.queries, api.p50_ms, api.p95_ms, api.avg_ms) == (2, 12.0, 50.0, 31.0)
    assert api.line() == "p50 12 ms · p95 50 ms · avg 31 ms (2 queries)"


def test_an_earlier_file_opens_without_its_surfaceless_times(tmp_path: Path) -> None:
    state = StateDB(earlier_state(tmp_path / "state.db"))
    assert state.query_timings().ms_by_surface == {}
    assert state.get_json("checkpoint") == {"cursor": "c1"}
    assert state.record_query(20.0, surface="slack", kind="search", cached=False)
    assert state.query_timings().ms_by_surface == {"slack": [20.0]}
