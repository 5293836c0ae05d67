"""Local operational state: sync checkpoints, sync history, query timings and quarantine.

A small SQLite file under the data dir. It holds nothing a search needs (the index does),
only what lets a sync continue where it stopped and what `sophia stats` reports. SQLite
because the CLI, the bot and the scheduler may be separate processes on one machine.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.clock import Clock, SystemClock
from core.quarantine import Quarantined, QuarantineEntry

__all__ = ["QueryStats", "StateDB"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queries (
    at REAL NOT NULL, ms REAL NOT NULL, cached INTEGER NOT NULL, mode TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS syncs (at REAL NOT NULL, summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    at REAL NOT NULL, about TEXT NOT NULL, vote TEXT NOT NULL, surface TEXT NOT NULL, user TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
    source TEXT NOT NULL, record_id TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL,
    payload TEXT, first_at REAL NOT NULL, last_at REAL NOT NULL, attempts INTEGER NOT NULL,
    PRIMARY KEY (source, record_id)
);
"""
# Stats describe recent behaviour; older rows are trimmed so the file stays small.
_KEEP_QUERIES = 10_000
_KEEP_SYNCS = 100


@dataclass(frozen=True)
class QueryStats:
    """Timings of recent searches."""

    count: int
    avg_ms: float | None
    p95_ms: float | None
    cache_hit_rate: float | None


class StateDB:
    """Key-value checkpoints plus query and sync logs in one SQLite file."""

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def get_json(self, key: str) -> Any | None:
        """The JSON value stored under `key`, or None."""
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put_json(self, key: str, value: Any) -> None:
        """Store `value` (JSON-serialisable) under `key`, atomically."""
        self._db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def record_query(self, ms: float, *, cached: bool, mode: str) -> None:
        """Log one search's latency."""
        cursor = self._db.execute(
            "INSERT INTO queries (at, ms, cached, mode) VALUES (?, ?, ?, ?)",
            (self._clock.now().timestamp(), ms, int(cached), mode),
        )
        if cursor.lastrowid is not None and cursor.lastrowid % 500 == 0:
            self._db.execute(
                "DELETE FROM queries WHERE rowid <= (SELECT MAX(rowid) FROM queries) - ?",
                (_KEEP_QUERIES,),
            )

    def query_stats(self) -> QueryStats:
        """Average and p95 latency and cache hit rate over the recent searches."""
        rows = self._db.execute("SELECT ms, cached FROM queries").fetchall()
        if not rows:
            return QueryStats(0, None, None, None)
        latencies = sorted(ms for ms, _ in rows)
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        hits = sum(cached for _, cached in rows)
        return QueryStats(len(rows), sum(latencies) / len(rows), p95, hits / len(rows))

    def record_sync(self, summary: dict[str, Any]) -> None:
        """Log the summary of a finished ingest or sync."""
        self._db.execute(
            "INSERT INTO syncs (at, summary) VALUES (?, ?)",
            (self._clock.now().timestamp(), json.dumps(summary)),
        )
        self._db.execute(
            "DELETE FROM syncs WHERE rowid <= (SELECT MAX(rowid) FROM syncs) - ?", (_KEEP_SYNCS,)
        )

    def record_feedback(self, about: str, vote: str, surface: str, user: str | None) -> None:
        """A 👍/👎 on the answer of request `about`."""
        self._db.execute(
            "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
            (self._clock.now().timestamp(), about, vote, surface, user),
        )

    def feedback_counts(self) -> dict[str, int]:
        """Votes so far, by vote."""
        rows = self._db.execute("SELECT vote, COUNT(*) FROM feedback GROUP BY vote").fetchall()
        return {vote: count for vote, count in rows}

    def quarantine(self, records: Sequence[Quarantined]) -> None:
        """Set these records aside (again: the reason is updated and the attempt counted)."""
        now = self._clock.now().timestamp()
        with self._db:
            self._db.executemany(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
                "ON CONFLICT(source, record_id) DO UPDATE SET stage = excluded.stage, "
                "reason = excluded.reason, payload = COALESCE(excluded.payload, payload), "
                "last_at = excluded.last_at, attempts = attempts + 1",
                [(r.source, r.record_id, r.stage, r.reason, r.payload, now, now) for r in records],
            )

    def release(self, record_ids: Iterable[str], *, source: str | None = None) -> int:
        """Forget quarantined records that have now been indexed; returns how many."""
        ids = list(record_ids)
        released = 0
        with self._db:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ", ".join("?" * len(part))
                where = f"record_id IN ({marks})" + (" AND source = ?" if source else "")
                params = [*part, source] if source else part
                released += self._db.execute(
                    f"DELETE FROM quarantine WHERE {where}", params
                ).rowcount
        return released

    def release_all_but(self, source: str, keep: Iterable[str]) -> int:
        """Forget `source`'s records except `keep`: a source read in full has just shown
        which of its records are still bad."""
        kept = set(keep)
        stale = [
            record_id
            for (record_id,) in self._db.execute(
                "SELECT record_id FROM quarantine WHERE source = ?", (source,)
            )
            if record_id not in kept
        ]
        return self.release(stale, source=source)

    def quarantined(self) -> list[QuarantineEntry]:
        """Every quarantined record, most recently failed first."""
        rows = self._db.execute(
            "SELECT record_id, source, stage, reason, first_at, last_at, attempts, payload "
            "FROM quarantine ORDER BY last_at DESC, source, record_id"
        ).fetchall()
        return [
            QuarantineEntry(
                record_id=row[0],
                source=row[1],
                stage=row[2],
                reason=row[3],
                first_at=datetime.fromtimestamp(row[4], UTC),
                last_at=datetime.fromtimestamp(row[5], UTC),
                attempts=row[6],
                payload=row[7],
            )
            for row in rows
        ]

    def quarantine_count(self) -> int:
        """How many records are quarantined."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM quarantine").fetchone()
        return int(count)

    def last_sync(self) -> dict[str, Any] | None:
        """The most recent sync summary, with its time under `at` (epoch seconds)."""
        row = self._db.execute(
            "SELECT at, summary FROM syncs ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        return None if row is None else {"at": row[0], **json.loads(row[1])}
