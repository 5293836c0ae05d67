"""Concurrent clients against POST /api/gong/search while the index is written (loopback only).

    python benchmarks/load.py [--clients 20 50] [--seconds 30] [--phases idle ingest reindex]
                              [--corpus samples] [--embedder hashing|local]

Indexes the corpus into a fresh temporary data dir, starts `sophia run --no-bot
--no-scheduler` (real uvicorn, its own process) on a free 127.0.0.1 port with the query
cache off (every search reaches the index), then for each client count and phase sends
searches from that many concurrent clients for `--seconds`:

- idle: nothing else runs;
- ingest: `sophia ingest --wait` runs again and again in another process, alternating two
  copies of the corpus whose titles differ, so every call is rewritten each time;
- reindex: `sophia reindex --wait` runs again and again in another process.

It reports requests, throughput, p50/p95/p99 latency, errors (anything but 200, or no
answer) and empty answers (200 with no hits; the corpus answers every question), and the
load average. Bounded: at most 120 s a phase, only loopback, every process it starts is
stopped before it returns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from latency import QUESTIONS  # benchmarks/latency.py and timing.py, beside this script
from timing import percentile

ROOT = Path(__file__).resolve().parent.parent
SOPHIA = str(Path(sys.executable).with_name("sophia"))
MAX_SECONDS = 120


@dataclass(frozen=True)
class Phase:
    """What one phase measured: `clients` searching for `seconds` while `writes` writer runs
    finished; successful requests' `latencies` (ms), failed ones' `errors`, and how many
    answers were `empty`; the 1, 5 and 15 minute `load` average at its end."""

    clients: int
    name: str
    seconds: float
    latencies: list[float]
    errors: list[str]
    empty: int
    writes: int
    load: tuple[float, float, float]

    def row(self) -> list[str]:
        ms = self.latencies or [0.0]
        return [
            f"{self.clients}",
            self.name,
            f"{len(self.latencies) + len(self.errors)}",
            f"{len(self.latencies) / self.seconds:.1f}",
            f"{statistics.median(ms):.0f}",
            f"{percentile(ms, 0.95):.0f}",
            f"{percentile(ms, 0.99):.0f}",
            f"{len(self.errors)}",
            f"{self.empty}",
            f"{self.writes}",
            f"{self.load[0]:.1f}",
        ]


def env(data_dir: Path, embedder: str, **extra: str) -> dict[str, str]:
    variables = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOPHIA_", "GONG_", "SLACK_", "OPENAI_", "WEAVIATE_", "REDIS_"))
    }
    # Loopback only: no proxy may see the traffic, and no external service is configured.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        variables.pop(name, None)
    return {
        **variables,
        "SOPHIA_DATA_DIR": str(data_dir),
        "SOPHIA_EMBEDDER": embedder,
        "RETENTION_DAYS": "0",
        "CACHE_TTL_S": "0",
        "API_RATE_LIMIT": "0",
        "LOG_LEVEL": "INFO",  # as deployed; "sophia run: ready" is an INFO line
        **extra,
    }


def variant(corpus: Path, target: Path, mark: str) -> Path:
    """A copy of `corpus` whose call titles end with `mark` (so each call is rewritten)."""
    shutil.copytree(corpus, target, ignore=shutil.ignore_patterns("*.py", "*.md"))
    path = target / "calls.json"
    data = json.loads(path.read_text())
    calls = data["calls"] if isinstance(data, dict) else data
    for call in calls:
        call["metaData"]["title"] = f"{call['metaData'].get('title') or 'Call'} {mark}"
    path.write_text(json.dumps(data))
    return target


async def run_sophia(environment: dict[str, str], *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        SOPHIA, *args, env=environment, stdout=asyncio.subprocess.DEVNULL
    )
    if await process.wait() != 0:
        raise RuntimeError(f"sophia {' '.join(args)} failed ({process.returncode})")


@asynccontextmanager
async def api_server(environment: dict[str, str]) -> AsyncIterator[str]:
    """`sophia run` with only the REST API, on a free loopback port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await asyncio.create_subprocess_exec(
        SOPHIA,
        "run",
        "--no-bot",
        "--no-scheduler",
        env={**environment, "API_HOST": "127.0.0.1", "API_PORT": str(port)},
        stderr=asyncio.subprocess.PIPE,
    )
    assert server.stderr is not None
    drain: asyncio.Task[bytes] | None = None
    try:
        async with asyncio.timeout(120):
            while b"sophia run: ready" not in (line := await server.stderr.readline()):
                if not line:
                    raise RuntimeError("sophia run stopped before it was ready")
        # Read what it logs from now on, so a full pipe never blocks it.
        drain = asyncio.create_task(server.stderr.read())
        yield f"http://127.0.0.1:{port}"
    finally:
        if server.returncode is None:
            server.terminate()
            await server.wait()
        if drain is not None:
            await drain


async def writer_loop(
    kind: str, environment: dict[str, str], folders: list[Path], stop: asyncio.Event
) -> int:
    """Run the writer again and again until `stop`; returns how many runs finished."""
    done = 0
    while not stop.is_set():
        if kind == "ingest":
            await run_sophia(environment, "ingest", "--from-dir", str(folders[done % 2]), "--wait")
        else:
            await run_sophia(environment, "reindex", "--wait")
        done += 1
    return done


async def phase(
    base_url: str,
    clients: int,
    name: str,
    seconds: float,
    environment: dict[str, str],
    folders: list[Path],
) -> Phase:
    latencies: list[float] = []
    errors: list[str] = []
    empty = 0
    stop = asyncio.Event()
    writer = (
        asyncio.create_task(writer_loop(name, environment, folders, stop))
        if name != "idle"
        else None
    )
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:

        async def client(number: int) -> None:
            nonlocal empty
            sent = 0
            while not stop.is_set():
                query, account = QUESTIONS[(number + sent) % len(QUESTIONS)]
                body = {"query": query, "filters": {"account": account} if account else {}}
                sent += 1
                started = time.perf_counter()
                try:
                    response = await http.post("/api/gong/search", json=body)
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                    continue
                if response.status_code != 200:
                    errors.append(str(response.status_code))
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                empty += not response.json()["hits"]

        started = time.perf_counter()
        tasks = [asyncio.create_task(client(n)) for n in range(clients)]
        await asyncio.sleep(seconds)  # the measuring window itself, not a synchronisation
        stop.set()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    writes = await writer if writer is not None else 0
    return Phase(clients, name, elapsed, latencies, errors, empty, writes, os.getloadavg())


async def measure(args: argparse.Namespace, work: Path) -> list[Phase]:
    data_dir = work / "data"
    environment = env(data_dir, args.embedder)
    folders = [variant(args.corpus, work / "a", "(A)"), variant(args.corpus, work / "b", "(B)")]
    await run_sophia(environment, "ingest", "--from-dir", str(folders[1]))
    results = []
    async with api_server(environment) as base_url:
        for clients in args.clients:
            for name in args.phases:
                results.append(
                    await phase(base_url, clients, name, args.seconds, environment, folders)
                )
                print(" | ".join(results[-1].row()), flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples")
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--phases",
        nargs="+",
        choices=["idle", "ingest", "reindex"],
        default=["idle", "ingest", "reindex"],
    )
    parser.add_argument("--embedder", choices=["hashing", "local"], default="hashing")
    args = parser.parse_args()
    if not 0 < args.seconds <= MAX_SECONDS or not all(0 < c <= 200 for c in args.clients):
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}] and --clients in 1..200")
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"embedder {args.embedder}, {args.seconds:g} s a phase, load average before "
        f"{os.getloadavg()[0]:.1f}"
    )
    columns = ["clients", "phase", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    print(" | ".join([*columns, "errors", "empty", "writer runs", "load"]))
    with tempfile.TemporaryDirectory() as work:
        results = asyncio.run(measure(args, Path(work)))
    failed = sum(len(r.errors) + r.empty for r in results)
    print("errors and empty answers:", failed)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
