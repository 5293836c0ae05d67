"""Local operational state: sync checkpoints, sync history, query timings and quarantine.

A small SQLite file under the data dir. It holds nothing a search needs (the index does),
only what lets a sync continue where it stopped and what `sophia stats` reports. SQLite
because the CLI, the bot and the scheduler may be separate processes on one machine.

Searches never depend on it: on a full or read-only disk the query timings and feedback it
cannot write are logged and counted (`sophia_state_write_failures_total`), not raised, and a
state DB that cannot be opened for writing is opened read-only (or, failing that, held in
memory). Only the writers that need it (sync, ingest, reindex) then stop, with a message.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sophia.core.clock import Clock, SystemClock
from sophia.core.errors import StateError
from sophia.core.metrics import STATE_WRITE_FAILURES
from sophia.core.quarantine import Quarantined, QuarantineEntry

__all__ = ["QueryTimings", "StateDB"]

log = logging.getLogger("sophia.state")

# Server-side request times by surface; `cached` is NULL for requests other than searches.
_TIMES = """request_times (
    at REAL NOT NULL, ms REAL NOT NULL, surface TEXT NOT NULL, kind TEXT NOT NULL, cached INTEGER
)"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {_TIMES};
CREATE TABLE IF NOT EXISTS syncs (at REAL NOT NULL, summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    at REAL NOT NULL, about TEXT NOT NULL, vote TEXT NOT NULL, surface TEXT NOT NULL, user TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
    source TEXT NOT NULL, record_id TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL,
    payload TEXT, first_at REAL NOT NULL, last_at REAL NOT NULL, attempts INTEGER NOT NULL,
    PRIMARY KEY (source, record_id)
);
CREATE TABLE IF NOT EXISTS indexed_calls (
    call_id TEXT PRIMARY KEY, started REAL NOT NULL, available REAL NOT NULL,
    indexed REAL NOT NULL, posted REAL
);
"""
# Freshness is reported over the most recent calls indexed live.
_KEEP_LAGS = 1000
_WATCHING_SINCE = "freshness.watching_since"
# Stats describe recent behaviour; older rows are trimmed so the file stays small.
_KEEP_QUERIES = 10_000
_KEEP_SYNCS = 100


@dataclass(frozen=True)
class QueryTimings:
    """Server-side times (ms) of recent requests by surface, and how many searches the
    result cache answered."""

    ms_by_surface: dict[str, list[float]]
    searches: int
    cached_searches: int


class StateDB:
    """Key-value checkpoints plus query and sync logs in one SQLite file."""

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self.path = path
        # Why the file cannot be written (None while it can): read-only mode.
        self.problem: str | None = None
        self._failures = 0
        try:
            self._db = _open_writable(path)
        except (sqlite3.Error, OSError) as exc:
            self.problem = _reason(exc)
            self._db = _open_read_only(path)
            log.warning(
                "the state DB %s cannot be written (%s): searches are served, but query "
                "timings and feedback are not kept, and sync, ingest and reindex stop",
                path,
                self.problem,
            )

    def close(self) -> None:
        self._db.close()

    def _required(self, what: str) -> None:
        if self.problem is not None:
            raise StateError(
                f"The state DB {self.path} cannot be written ({self.problem}); {what} needs "
                "it. Free disk space or make SOPHIA_DATA_DIR writable, then run it again."
            )

    def _best_effort(self, what: str, write: Callable[[], object]) -> bool:
        """Run a write the read path can do without; a failure is logged and counted."""
        problem = self.problem
        if problem is None:
            try:
                write()
                return True
            except (sqlite3.Error, OSError) as exc:
                problem = _reason(exc)
        STATE_WRITE_FAILURES.labels(what).inc()
        self._failures += 1
        # Once, then every 1000th: a full disk must not also flood the log.
        if self._failures % 1000 == 1:
            log.warning("cannot record %s in %s (%s); answering anyway", what, self.path, problem)
        return False

    def get_json(self, key: str) -> Any | None:
        """The JSON value stored under `key`, or None."""
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put_json(self, key: str, value: Any) -> None:
        """Store `value` (JSON-serialisable) under `key`, atomically."""
        self._required("saving a checkpoint")
        with self._writing("saving a checkpoint"):
            self._db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def record_query(self, ms: float, *, surface: str, kind: str, cached: bool | None) -> bool:
        """Log one request's server-side time (`cached`: a search the cache answered, None
        for other kinds); False (logged, counted) when it cannot be written."""

        def write() -> None:
            cursor = self._db.execute(
                "INSERT INTO request_times (at, ms, surface, kind, cached) VALUES (?, ?, ?, ?, ?)",
                (self._clock.now().timestamp(), ms, surface, kind, cached),
            )
            if cursor.lastrowid is not None and cursor.lastrowid % 500 == 0:
                self._db.execute(
                    "DELETE FROM request_times "
                    "WHERE rowid <= (SELECT MAX(rowid) FROM request_times) - ?",
                    (_KEEP_QUERIES,),
                )

        return self._best_effort("query_timing", write)

    def query_timings(self) -> QueryTimings:
        """The recent requests' times by surface, fastest first."""
        by_surface: dict[str, list[float]] = {}
        searches = cached = 0
        for surface, ms, hit in self._db.execute(
            "SELECT surface, ms, cached FROM request_times ORDER BY ms"
        ):
            by_surface.setdefault(surface, []).append(ms)
            if hit is not None:
                searches += 1
                cached += hit
        return QueryTimings(by_surface, searches, cached)

    def record_sync(self, summary: dict[str, Any]) -> None:
        """Log the summary of a finished ingest or sync."""
        self._required("recording the run")
        with self._writing("recording the run"):
            now = self._clock.now().timestamp()
            self._db.execute(
                "INSERT INTO syncs (at, summary) VALUES (?, ?)", (now, json.dumps(summary))
            )
            # The end of the first run: calls available before it are history, not lag.
            self._db.execute(
                "INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)", (_WATCHING_SINCE, now)
            )
            self._db.execute(
                "DELETE FROM syncs WHERE rowid <= (SELECT MAX(rowid) FROM syncs) - ?",
                (_KEEP_SYNCS,),
            )

    def record_feedback(self, about: str, vote: str, surface: str, user: str | None) -> bool:
        """A 👍/👎 on the answer of request `about`; False (logged, counted) if not kept."""
        return self._best_effort(
            "feedback",
            lambda: self._db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
                (self._clock.now().timestamp(), about, vote, surface, user),
            ),
        )

    def feedback_counts(self) -> dict[str, int]:
        """Votes so far, by vote."""
        rows = self._db.execute("SELECT vote, COUNT(*) FROM feedback GROUP BY vote").fetchall()
        return {vote: count for vote, count in rows}

    def quarantine(self, records: Sequence[Quarantined]) -> None:
        """Set these records aside (again: the reason is updated and the attempt counted)."""
        now = self._clock.now().timestamp()
        self._required("quarantining records")
        with self._writing("quarantining records"):
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
        if not ids:
            return 0
        self._required("updating the quarantine")
        with self._writing("updating the quarantine"):
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

    @contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise StateError(
                f"The state DB {self.path} failed while {what} ({_reason(exc)}); free disk "
                "space or make SOPHIA_DATA_DIR writable, then run it again."
            ) from exc

    def record_first_indexed(self, calls: Sequence[tuple[str, datetime, datetime]]) -> list[str]:
        """Note calls (id, started, available in the source) searchable from now on; returns
        the ids indexed for the first time ever (the others were indexed before)."""
        now = self._clock.now().timestamp()
        new = []
        with self._writing("recording indexed calls"):
            for call_id, started, available in calls:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO indexed_calls (call_id, started, available, indexed) "
                    "VALUES (?, ?, ?, ?)",
                    (call_id, started.timestamp(), available.timestamp(), now),
                )
                if cursor.rowcount:
                    new.append(call_id)
        return new

    def lags(self) -> list[float]:
        """Seconds from available to searchable of the recent calls indexed live, fastest
        first: calls available after the first run ended (not backfilled history)."""
        rows = self._db.execute(
            "SELECT indexed - available FROM indexed_calls "
            "WHERE available >= (SELECT CAST(value AS REAL) FROM kv WHERE key = ?) "
            "ORDER BY indexed DESC LIMIT ?",
            (_WATCHING_SINCE, _KEEP_LAGS),
        ).fetchall()
        return sorted(max(lag, 0.0) for (lag,) in rows)

    def newest_indexed(self) -> tuple[str, datetime, datetime] | None:
        """The most recently started call indexed: its id, start and when it was indexed."""
        row = self._db.execute(
            "SELECT call_id, started, indexed FROM indexed_calls ORDER BY started DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return row[0], datetime.fromtimestamp(row[1], UTC), datetime.fromtimestamp(row[2], UTC)

    def uncarded(self, ended_after: datetime) -> list[str]:
        """Calls indexed but never carded that ended after `ended_after`, oldest first."""
        rows = self._db.execute(
            "SELECT call_id FROM indexed_calls WHERE posted IS NULL AND available > ? "
            "ORDER BY available",
            (ended_after.timestamp(),),
        )
        return [call_id for (call_id,) in rows]

    def claim_card(self, call_id: str) -> bool:
        """Take the one card of `call_id` (False: another run took it): once, ever."""
        with self._writing("claiming a call card"):
            cursor = self._db.execute(
                "UPDATE indexed_calls SET posted = ? WHERE call_id = ? AND posted IS NULL",
                (self._clock.now().timestamp(), call_id),
            )
        return cursor.rowcount == 1

    def last_sync(self) -> dict[str, Any] | None:
        """The most recent sync summary, with its time under `at` (epoch seconds)."""
        row = self._db.execute(
            "SELECT at, summary FROM syncs ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        return None if row is None else {"at": row[0], **json.loads(row[1])}


def _open_writable(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        # Search times from before they named their surface mixed a CLI's cold start with
        # REST's warm answers: not reported (a downgrade recreates the table, empty).
        db.execute("DROP TABLE IF EXISTS queries")
        # A read-only file opens; the first write says so. Ask now, not mid-sync.
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
    except BaseException:
        db.close()
        raise
    return db


def _open_read_only(path: Path) -> sqlite3.Connection:
    """The file as it is, read-only (nothing else can write a read-only directory either);
    an empty in-memory state when even that fails."""
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if {"kv", "syncs", "feedback", "quarantine"} <= tables:
            if "request_times" not in tables:  # written by an earlier version: no times yet
                db.execute(f"CREATE TEMP TABLE {_TIMES}")
            return db
        db.close()
    except (sqlite3.Error, OSError):
        pass
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(_SCHEMA)
    return db


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
