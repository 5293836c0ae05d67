"""The audit log: one line per question, answer or feedback click, rotated by size, read back
in time order by `sophia audit`, and never holding secrets, PII or transcript text."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sophia.cli.main import app
from sophia.core.audit import AuditEntry, AuditError, AuditLog, read_audit
from sophia.core.config import Settings
from sophia.core.errors import AccessDenied, BadQuery, CallNotFound
from sophia.core.query import build_request
from sophia.core.services import Sophia
from sophia.core.viewer import Viewer
from tests.conftest import raw_call, raw_transcript, write_folder

runner = CliRunner()
MOSS, OLYMPUS = "8200000000000000001", "8200000000000000002"
SECRET_LINE = "The renewal hinges on the Zephyr migration budget."


def entry(n: int, *, user: str = "U0A", at: datetime | None = None) -> AuditEntry:
    return AuditEntry(
        time=at or datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(seconds=n),
        surface="slack",
        user=user,
        request_id=f"r{n:05d}",
        kind="search",
        query=f"question {n}",
    )


def lines(log: AuditLog) -> list[dict]:
    return [json.loads(line) for path in log.files() for line in path.read_text().splitlines()]


# --- the file ----------------------------------------------------------------------------------


def test_each_write_is_one_json_line_and_absent_fields_are_left_out(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit", max_bytes=10_000, backups=2)
    log.write(entry(1))
    log.write(entry(2, user="U0B"))
    written = lines(log)
    assert [line["request_id"] for line in written] == ["r00001", "r00002"]
    assert "channel" not in written[0] and written[0]["outcome"] == "ok"
    assert oct(log.path.stat().st_mode & 0o777) == "0o600"


def test_the_log_rotates_by_size_and_keeps_its_backups(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit", max_bytes=1_000, backups=3)
    for n in range(60):
        log.write(entry(n))
    names = sorted(p.name for p in log.files())
    assert names == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3"]
    assert all(p.stat().st_size <= 1_000 for p in log.files())
    kept = [line["request_id"] for line in lines(log)]
    # The oldest lines went with the oldest file; what is kept is the newest, in order.
    assert kept == [f"r{n:05d}" for n in range(60 - len(kept), 60)]
    entries, unreadable = read_audit(log.directory)
    assert [e.request_id for e in entries] == kept and unreadable == 0


def test_reading_filters_by_day_and_user_and_skips_broken_lines(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit", max_bytes=10_000, backups=2)
    log.write(entry(1, at=datetime(2026, 11, 1, 23, tzinfo=UTC)))
    log.write(entry(2, user="U0B", at=datetime(2026, 11, 2, 1, tzinfo=UTC)))
    log.write(entry(3, at=datetime(2026, 11, 2, 2, tzinfo=UTC)))
    with log.path.open("a") as handle:
        handle.write("{not json\n")
    since = datetime(2026, 11, 2, tzinfo=UTC)
    entries, unreadable = read_audit(log.directory, since=since, user="U0A")
    assert [e.request_id for e in entries] == ["r00003"] and unreadable == 1


def test_an_unwritable_log_refuses_instead_of_dropping_lines(tmp_path: Path) -> None:
    blocked = tmp_path / "audit"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(AuditError, match="cannot be written"):
        AuditLog(blocked, max_bytes=10_000, backups=1).write(entry(1))


def test_threads_writing_at_once_lose_and_tear_no_line(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit", max_bytes=5_000, backups=100)
    start = threading.Barrier(4)

    def write(worker: int) -> None:
        start.wait(timeout=10)
        for n in range(100):
            log.write(entry(worker * 1000 + n))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(line["request_id"] for line in lines(log)) == sorted(
        f"r{w * 1000 + n:05d}" for w in range(4) for n in range(100)
    )


_WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from sophia.core.audit import AuditEntry, AuditLog
log = AuditLog(Path(sys.argv[1]), max_bytes=4_000, backups=100)
for n in range(150):
    log.write(AuditEntry(time=datetime(2026, 11, 2, tzinfo=UTC), surface="api", user=sys.argv[2],
                         request_id=f"{sys.argv[2]}-{n}", kind="search", query="q" * 40))
"""


def test_processes_writing_and_rotating_at_once_lose_no_line(tmp_path: Path) -> None:
    directory = tmp_path / "audit"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(directory), f"p{i}"]) for i in range(3)
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0, 0]
    entries, unreadable = read_audit(directory)
    assert unreadable == 0
    assert sorted(e.request_id for e in entries) == sorted(
        f"p{i}-{n}" for i in range(3) for n in range(150)
    )
    assert len(list(directory.glob("audit.jsonl.*"))) > 3  # it did rotate under contention


# --- what sessions write ------------------------------------------------------------------------


@pytest.fixture
async def sophia(settings: Settings, tmp_path: Path) -> AsyncIterator[Sophia]:
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Moss & Co:\n    slack_users: [U0MOSS001]\n")
    app_ = await Sophia.open(
        settings.model_copy(update={"access_policy": policy, "pii_extra_patterns": [r"ACCT-\d{6}"]})
    )
    folder = write_folder(
        tmp_path / "corpus",
        [raw_call(MOSS, account="Moss & Co"), raw_call(OLYMPUS, account="Olympus")],
        [
            raw_transcript(MOSS, [("2002", [SECRET_LINE, "Pricing is the last open point."])]),
            raw_transcript(OLYMPUS, [("2002", ["Pricing for Olympus is fine."])]),
        ],
    )
    await app_.ingest_folder(folder)
    yield app_
    await app_.aclose()


def audit_lines(sophia: Sophia) -> list[dict]:
    return lines(sophia.audit)


async def test_every_question_writes_exactly_one_line_with_who_what_and_which_calls(
    sophia: Sophia,
) -> None:
    viewer = Viewer("slack", user="U0MOSS001", channel="C0SALES")
    session = sophia.session(viewer, request_id="req-1")
    result = await session.search(
        build_request(query="Zephyr migration", filters={"account": "Moss & Co"})
    )
    assert [h.call_id for h in result.hits] == [MOSS]
    [line] = audit_lines(sophia)
    assert line["surface"] == "slack" and line["user"] == "U0MOSS001"
    assert line["channel"] == "C0SALES" and line["request_id"] == "req-1"
    assert line["kind"] == "search" and line["intent"] == "search"
    assert line["query"] == "Zephyr migration"
    assert line["filters"] == {"account": "Moss & Co"}
    assert line["call_ids"] == [MOSS] and line["outcome"] == "ok"
    assert line["latency_ms"] >= 0 and line["excluded_accounts"] == 0
    datetime.fromisoformat(line["time"])

    calls = [
        session.ask("what did Moss & Co say about pricing?"),
        session.brief("Olympus"),
        session.analyze_call(OLYMPUS),
        session.competitors("this quarter"),
        session.stalled(),
        session.coaching("pricing", "this quarter"),
    ]
    for n, call in enumerate(calls, start=2):
        await call
        assert len(audit_lines(sophia)) == n
    kinds = [line["kind"] for line in audit_lines(sophia)]
    assert kinds == ["search", "ask", "brief", "call", "competitors", "stalled", "coaching"]
    by_kind = {line["kind"]: line for line in audit_lines(sophia)}
    assert by_kind["ask"]["intent"] == "search" and MOSS in by_kind["ask"]["call_ids"]
    assert by_kind["call"]["call_ids"] == [OLYMPUS]
    assert by_kind["coaching"]["query"] == "pricing this quarter"


async def test_denials_errors_and_feedback_are_lines_too(sophia: Sophia) -> None:
    stranger = sophia.session(Viewer("api", user="reporting"), request_id="req-2")
    with pytest.raises(AccessDenied):
        await stranger.analyze_call(MOSS)
    with pytest.raises(AccessDenied):
        await stranger.analyze_call("8200000000000000009")
    operator = sophia.session(Viewer("cli", user="ops"))
    with pytest.raises(CallNotFound):
        await operator.analyze_call("8200000000000000009")
    with pytest.raises(BadQuery):
        await operator.ask("   ")
    await stranger.feedback("req-1", "down")
    denied, hidden_missing, missing, bad, vote = audit_lines(sophia)
    assert denied["outcome"] == "denied" and "error" not in denied
    assert denied["excluded_accounts"] == 1 and denied["query"] == MOSS
    # The viewer was told "no access" for both; the log keeps what really happened.
    assert (hidden_missing["outcome"], hidden_missing["error"]) == ("error", "CallNotFound")
    assert (missing["outcome"], missing["error"]) == ("error", "CallNotFound")
    assert (bad["outcome"], bad["error"]) == ("error", "BadQuery")
    assert vote["kind"] == "feedback" and (vote["about"], vote["vote"]) == ("req-1", "down")
    assert vote["request_id"] == "req-2" and vote["user"] == "reporting"


async def test_the_log_keeps_no_pii_and_no_transcript_text(sophia: Sophia) -> None:
    session = sophia.session(Viewer("slack", user="U0MOSS001"))
    await session.search(build_request(query="call me at (415) 555-0134 about ACCT-123456"))
    await session.search(build_request(query="Zephyr migration budget"))
    await session.brief("Moss & Co")
    text = sophia.audit.path.read_text()
    assert "555-0134" not in text and "ACCT-123456" not in text
    assert "[PHONE]" in text and "[REDACTED]" in text
    assert "renewal hinges" not in text  # the hit's quote is transcript text: never logged


async def test_sessions_running_at_once_write_one_line_each(sophia: Sophia) -> None:
    async def one(n: int) -> None:
        session = sophia.session(Viewer("slack", user=f"U0USER{n:03d}"), request_id=f"c{n}")
        await session.search(build_request(query=f"pricing {n}"))

    await asyncio.gather(*(one(n) for n in range(40)))
    assert sorted(line["request_id"] for line in audit_lines(sophia)) == sorted(
        f"c{n}" for n in range(40)
    )


async def test_stats_are_audited_and_times_are_kept_by_surface(sophia: Sophia) -> None:
    await sophia.session(Viewer("slack", user="U0A")).search(build_request(query="pricing"))
    await sophia.session(Viewer("api", user="ops")).ask("what did Olympus say about pricing?")
    stats = await sophia.session(Viewer("slack", user="U0A", channel="C0OPS")).stats()
    assert set(stats.query_times) == {"slack", "api"} and stats.queries_measured == 2
    assert stats.query_times["slack"].queries == stats.query_times["api"].queries == 1
    *_, line = audit_lines(sophia)
    assert (line["kind"], line["surface"], line["channel"]) == ("stats", "slack", "C0OPS")
    assert line["outcome"] == "ok" and "query" not in line
    # Reading the times does not move them.
    assert (await sophia.session(Viewer("cli")).stats()).queries_measured == 2


# --- sophia audit ------------------------------------------------------------------------------


def test_sophia_audit_shows_the_log_as_a_table_or_json_lines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = AuditLog(data / "audit", max_bytes=10_000, backups=2)
    log.write(entry(1, at=datetime(2026, 11, 1, 12, tzinfo=UTC)))
    later = entry(2, user="U0B", at=datetime(2026, 11, 3, 12, tzinfo=UTC))
    log.write(later.model_copy(update={"call_ids": ["8200000000000000001"], "latency_ms": 12.0}))
    env = {"SOPHIA_DATA_DIR": str(data), "COLUMNS": "200"}

    table = runner.invoke(app, ["audit"], env=env)
    assert table.exit_code == 0, table.output
    assert "2026-11-01 12:00:00" in table.output and "question 2" in table.output
    rows = [line.split() for line in table.output.splitlines() if "question" in line]
    # Calls returned are counted (ids are in --json); no latency was recorded for the first.
    assert rows[0][-2:] == ["0", "ok"] and rows[1][-3:] == ["1", "12", "ok"]

    as_json = runner.invoke(app, ["audit", "--json", "--since", "2026-11-02"], env=env)
    assert [json.loads(line)["request_id"] for line in as_json.output.splitlines()] == ["r00002"]
    by_user = runner.invoke(app, ["audit", "--json", "--user", "U0A"], env=env)
    assert [json.loads(line)["user"] for line in by_user.output.splitlines()] == ["U0A"]

    bad = runner.invoke(app, ["audit", "--since", "yesterday"], env=env)
    assert bad.exit_code == 1 and "--since must be a date" in bad.output
    empty = runner.invoke(app, ["audit", "--user", "nobody"], env=env)
    assert empty.exit_code == 0 and "No audit entries match" in empty.output


def test_cli_questions_are_audited_under_the_shell_user(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "corpus",
        [raw_call(OLYMPUS, account="Olympus")],
        [raw_transcript(OLYMPUS, [("2002", ["Pricing for Olympus is fine."])])],
    )
    env = {"SOPHIA_DATA_DIR": str(tmp_path / "data"), "SOPHIA_EMBEDDER": "hashing"}
    assert runner.invoke(app, ["ingest", "--from-dir", str(folder)], env=env).exit_code == 0
    assert runner.invoke(app, ["search", "pricing", "--json"], env=env).exit_code == 0
    assert runner.invoke(app, ["analyze", "8200000000000000009"], env=env).exit_code == 1
    shown = runner.invoke(app, ["audit", "--json"], env=env)
    search, call = (json.loads(line) for line in shown.output.splitlines())
    assert search["surface"] == "cli" and search["user"] and search["call_ids"] == [OLYMPUS]
    assert call["kind"] == "call" and call["error"] == "CallNotFound"
