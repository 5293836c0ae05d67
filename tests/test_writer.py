"""One writer at a time per data dir, across processes: a second sync, ingest or reindex
says who is running (or waits, with --wait), and LanceDB commit conflicts are retried,
never shown raw."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import REGISTRY

from sophia.core.chunking import Chunk, ChunkLine, chunk_id
from sophia.core.clock import FixedClock
from sophia.core.errors import AlreadyRunning
from sophia.core.models import Affiliation, Call, CallDetails, Monologue, Sentence
from sophia.core.stores.base import IndexedCall, IndexInfo
from sophia.core.stores.lance import LanceStore
from sophia.core.writer import WriterLock
from tests.conftest import NOW, SAMPLES, raw_call, raw_transcript, write_folder
from tests.fakes.sophia_api import api_client, make_settings, open_sophia

pytest_plugins = ["tests.fakes.api_fixtures"]

SOPHIA = str(Path(sys.executable).with_name("sophia"))


def env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SOPHIA_DATA_DIR": str(data_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
    }


async def sophia_process(data_dir: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        SOPHIA,
        *args,
        env=env(data_dir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    async with asyncio.timeout(120):
        out, errors = await process.communicate()
    return process.returncode or 0, (out + errors).decode()


def small_folder(folder: Path, first: int) -> Path:
    ids = [str(6600000000000000000 + first + n) for n in range(3)]
    return write_folder(
        folder,
        [raw_call(call_id) for call_id in ids],
        [
            raw_transcript(call_id, [("2002", [f"Call {call_id} asked for SSO."])])
            for call_id in ids
        ],
    )


async def test_a_second_writer_says_who_is_running_and_a_waiting_one_runs_after(
    api_data_dir: Path,
) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia:
        async with sophia.writer.hold("sync"):  # as `sophia sync` in this process would
            refused = await finish(
                await sophia_process(api_data_dir, "ingest", "--from-dir", str(SAMPLES))
            )
            waiting = await sophia_process(
                api_data_dir, "-v", "ingest", "--from-dir", str(SAMPLES), "--wait"
            )
            assert waiting.stderr is not None
            async with asyncio.timeout(60):
                while b"waits: A sync is already running" not in (
                    line := await waiting.stderr.readline()
                ):
                    assert line, "the waiting ingest ended instead of waiting"
        waited = await finish(waiting)

    code, output = refused
    since = NOW.isoformat(timespec="seconds")
    assert code == 1
    assert f"A sync is already running (pid {os.getpid()}, since {since})" in output
    assert "Traceback" not in output and "--wait" in output
    assert waited[0] == 0, waited[1]
    assert "40 unchanged" in waited[1]


async def test_a_writer_that_may_wait_a_while_gives_up_after_it_and_says_who_runs(
    tmp_path: Path,
) -> None:
    def waits(outcome: str) -> float:
        labels = {"operation": "sync", "outcome": outcome}
        return REGISTRY.get_sample_value("sophia_writer_waits_total", labels) or 0.0

    before = {outcome: waits(outcome) for outcome in ("gave_up", "refused")}
    lock = WriterLock(tmp_path, FixedClock(NOW))
    async with lock.hold("reindex"):
        with pytest.raises(AlreadyRunning, match="waited 0 s for it and gave up") as waited:
            async with lock.hold("sync", wait=True, wait_s=0.3):
                pytest.fail("ran beside the reindex")
        with pytest.raises(AlreadyRunning, match="can wait for it"):
            async with lock.hold("sync"):
                pytest.fail("ran beside the reindex")
    assert f"A reindex is already running (pid {os.getpid()}" in str(waited.value)
    assert waits("gave_up") == before["gave_up"] + 1
    assert waits("refused") == before["refused"] + 1
    async with lock.hold("sync", wait=True, wait_s=0.3):  # free now: runs at once
        pass


async def test_writers_started_together_all_finish_one_after_another(
    api_data_dir: Path, tmp_path: Path
) -> None:
    first = small_folder(tmp_path / "a", 0)
    second = small_folder(tmp_path / "b", 10)
    processes = [
        await sophia_process(api_data_dir, "ingest", "--from-dir", str(first), "--wait"),
        await sophia_process(api_data_dir, "reindex", "--wait"),
        await sophia_process(api_data_dir, "ingest", "--from-dir", str(second), "--wait"),
        await sophia_process(api_data_dir, "ingest", "--from-dir", str(SAMPLES), "--wait"),
    ]
    results = await asyncio.gather(*(finish(p) for p in processes))

    for code, output in results:
        assert code == 0, output
        assert "conflict" not in output.lower() and "Traceback" not in output
    async with open_sophia(make_settings(api_data_dir)) as sophia:
        assert (await sophia.store.counts()).calls == 46


def indexed(call_id: str, n: int) -> IndexedCall:
    details = CallDetails(
        call_id=call_id, title=f"Call {n}", url="u", started=datetime(2026, 10, 5, tzinfo=UTC)
    )
    sentence = Sentence(start_ms=0, end_ms=10, text=f"pricing {n}")
    line = ChunkLine("Dana", Affiliation.INTERNAL, 0, 10, f"pricing {n}")
    return IndexedCall(
        Call(details=details, monologues=(Monologue(speaker_id="1", sentences=(sentence,)),)),
        f"hash-{n}",
        [Chunk(chunk_id(call_id, 0), call_id, 0, (line,))],
        np.ones((1, 4), np.float32),
    )


async def test_concurrent_commits_to_one_table_are_retried_not_lost(tmp_path: Path) -> None:
    # Two handles writing at once (no writer lock between them): LanceDB refuses the commit
    # that lands second ("Retryable commit conflict"); the store retries it.
    info = IndexInfo("test:unit-4", 4)
    one, two = LanceStore(tmp_path / "index"), LanceStore(tmp_path / "index")
    await one.ensure_index(info)
    await two.ensure_index(info)
    for r in range(8):
        await asyncio.gather(
            one.upsert([indexed(f"71{r}", r)]),
            two.upsert([indexed(f"72{r}", r)]),
            one.upsert([indexed(f"73{r}", r)]),
        )
    counts = await one.counts()
    assert (counts.calls, counts.chunks) == (24, 24)


def renamed(samples: Path, target: Path, mark: str) -> Path:
    """A copy of the samples whose every call title ends with `mark`."""
    target.mkdir()
    for name in ("calls.json", "transcripts.json", "folder.json"):
        (target / name).write_text((samples / name).read_text())
    calls = json.loads((target / "calls.json").read_text())
    items = calls["calls"] if isinstance(calls, dict) else calls
    for call in items:
        call["metaData"]["title"] = f"{call['metaData']['title']} {mark}"
    (target / "calls.json").write_text(json.dumps(calls))
    return target


async def test_no_answer_shows_a_call_under_two_titles_while_an_ingest_renames_them(
    api_data_dir: Path, tmp_path: Path
) -> None:
    folders = [renamed(SAMPLES, tmp_path / m, m) for m in ("(A)", "(B)")]
    mixed: list[dict[str, set[str]]] = []
    answers = 0
    settings = make_settings(api_data_dir, cache_ttl_s=0)
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        for folder in [*folders, *folders]:
            writer = await sophia_process(api_data_dir, "ingest", "--from-dir", str(folder))
            finished = asyncio.create_task(finish(writer))
            while not finished.done() or answers == 0:
                response = await http.post(
                    "/api/gong/search", json={"query": "pricing objections", "limit": 20}
                )
                answers += 1
                titles: dict[str, set[str]] = {}
                for hit in response.json()["hits"]:
                    titles.setdefault(hit["call_id"], set()).add(hit["title"])
                mixed += [t for t in [titles] if any(len(v) > 1 for v in t.values())]
            code, output = await finished
            assert code == 0, output
    assert answers > 4
    assert mixed == [], "one answer, one title per call"
