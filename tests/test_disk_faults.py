"""A full disk and a read-only data dir: searches, stats and answers still come back; the
writes the read path can skip (query timings, feedback, the audit file) are logged and
counted instead. Each fault is made by the kernel for one child process
(tests/fakes/disk_faults.py), which then serves the REST API in process and reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.fakes.disk_faults import full_disk, landlock_available, read_only_filesystem

pytest_plugins = ["tests.fakes.api_fixtures"]

SOPHIA = str(Path(sys.executable).with_name("sophia"))
_PROBE = r"""
import asyncio, json, sys
from pathlib import Path
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from tests.fakes.sophia_api import api_client, make_settings, metric

async def main() -> None:
    sophia = await Sophia.open(make_settings(Path(sys.argv[1])))
    try:
        async with api_client(sophia) as http:
            searches = [
                await http.post("/api/gong/search", json={"query": query})
                for query in ("pricing objections", "security review", "pricing objections")
            ]
            stats = await http.get("/api/gong/stats")
            ready = await http.get("/api/gong/ready")
            ask = await http.post("/api/gong/ask", json={"question": "any pricing objections?"})
            await sophia.session(Viewer("slack", user="U1")).feedback("req-1", "up")
            scraped = (await http.get("/metrics")).text
        print(json.dumps({
            "searches": [[r.status_code, len(r.json().get("hits", []))] for r in searches],
            "stats": [stats.status_code, stats.json().get("calls_indexed")],
            "ready": ready.status_code,
            "ask": ask.status_code,
            "failures": {
                what: metric(scraped, "sophia_state_write_failures_total", what=what)
                for what in ("query_timing", "feedback", "audit")
            },
        }))
    finally:
        await sophia.aclose()

asyncio.run(main())
"""


def child_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "SOPHIA_DATA_DIR": str(data_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
    }


def run_child(args: list[str], data_dir: Path, fault: Callable[[], None]) -> Any:
    return subprocess.run(
        args,
        env=child_env(data_dir),
        cwd=ROOT,
        preexec_fn=fault,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(data_dir: Path, fault: Callable[[], None]) -> dict[str, Any]:
    done = run_child([sys.executable, "-c", _PROBE, str(data_dir)], data_dir, fault)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    result["log"] = done.stderr
    return result


def files(data_dir: Path) -> dict[str, int]:
    return {str(p.relative_to(data_dir)): p.stat().st_size for p in data_dir.rglob("*")}


def test_a_full_disk_still_answers_searches_stats_and_questions(api_data_dir: Path) -> None:
    result = probe(api_data_dir, full_disk)

    assert result["searches"] == [[200, 5], [200, 5], [200, 5]]
    assert result["stats"] == [200, 40] and result["ready"] == 200 and result["ask"] == 200
    # Counted: 3 searches (+1 inside `ask`), and every audit line that could not be appended.
    assert result["failures"]["query_timing"] >= 3
    assert result["failures"]["audit"] >= 4
    assert "cannot record query_timing" in result["log"]
    assert "audit line (the audit file cannot be written)" in result["log"]
    assert '"query":"pricing objections"' in result["log"], "the audit line is kept, in the log"


@pytest.mark.skipif(not landlock_available(), reason="the kernel offers no Landlock ABI 3")
def test_a_read_only_data_dir_still_answers_and_refuses_writers_in_one_line(
    api_data_dir: Path,
) -> None:
    before = files(api_data_dir)
    result = probe(api_data_dir, read_only_filesystem)
    stats = run_child([SOPHIA, "stats", "--json"], api_data_dir, read_only_filesystem)
    ingest = run_child(
        [SOPHIA, "ingest", "--from-dir", str(SAMPLES)], api_data_dir, read_only_filesystem
    )

    assert result["searches"] == [[200, 5], [200, 5], [200, 5]]
    assert result["stats"] == [200, 40] and result["ready"] == 200 and result["ask"] == 200
    assert result["failures"]["query_timing"] >= 3 and result["failures"]["feedback"] == 1
    assert "state DB" in result["log"] and "cannot be written" in result["log"]
    assert stats.returncode == 0 and json.loads(stats.stdout)["calls_indexed"] == 40
    assert ingest.returncode == 1 and "Traceback" not in ingest.stderr
    *warnings, error = ingest.stderr.strip().splitlines()
    assert error.startswith("Error:") and "make SOPHIA_DATA_DIR writable" in error, ingest.stderr
    assert all(" WARNING " in line for line in warnings), ingest.stderr
    assert files(api_data_dir) == before, "nothing in the data dir changed"
