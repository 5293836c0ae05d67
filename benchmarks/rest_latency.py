"""REST latency of POST /api/gong/search through uvicorn on loopback (p50/p95).

    python benchmarks/rest_latency.py [--corpus samples] [--rounds 5] [--concurrency 8]
                                      [--embedder local|hashing]

Ingests the corpus into a fresh temporary data dir, serves `create_app(sophia)` with
`build_server` (real uvicorn, real TCP on 127.0.0.1) and sends the same sales questions as
benchmarks/latency.py with httpx: one at a time with the cache off (what a user waits for),
one at a time with the in-process cache warm, and `--concurrency` at once with the cache off
(throughput). Beside each REST timing it reports the search time core measured for the
same requests (`took_ms`), so the difference is what HTTP, JSON, middleware and the session
cost.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from latency import QUESTIONS  # benchmarks/latency.py and timing.py, beside this script
from timing import timing_row

from sophia.api.server import build_server
from sophia.core.config import Settings
from sophia.core.services import Sophia

ROOT = Path(__file__).resolve().parent.parent


async def measure(
    settings: Settings, corpus: Path, rounds: int, concurrency: int
) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    sophia = await Sophia.open(settings)
    try:
        summary = await sophia.ingest_folder(corpus)
        rows.append(("index", f"{summary.indexed} calls", f"{summary.chunks} chunks", "", ""))
        await sophia.embedder.warm_up()
        bodies = [
            {"query": query, "filters": {"account": account} if account else {}}
            for query, account in QUESTIONS
        ]
        async with (
            served(sophia) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=60) as http,
        ):
            for body in bodies:  # warm every path once (model, index pages, filters)
                await post(http, {**body, "mode": "keyword"})
            rest, core = [], []
            for _ in range(rounds):
                for body in bodies:
                    # A fresh query each time: the cache cannot answer it.
                    fresh = {**body, "query": f"{body['query']} {time.perf_counter_ns()}"}
                    ms, took = await post(http, fresh)
                    rest.append(ms)
                    core.append(took)
            rows += [
                timing_row("sequential, uncached: REST", rest, "requests"),
                timing_row("  core search", core, "requests"),
            ]
            cached = []
            for body in bodies:
                await post(http, body)
            for _ in range(rounds):
                for body in bodies:
                    cached.append((await post(http, body))[0])
            rows.append(timing_row("sequential, cached: REST", cached, "requests"))
            rows += await concurrent(http, bodies, rounds, concurrency)
    finally:
        await sophia.aclose()
    return rows


async def concurrent(
    http: httpx.AsyncClient, bodies: list[dict[str, Any]], rounds: int, concurrency: int
) -> list[tuple[str, ...]]:
    """`concurrency` requests in flight at once, uncached; latency and requests/s."""
    queue = [
        {**body, "query": f"{body['query']} c{round_}-{n}"}
        for round_ in range(rounds)
        for n, body in enumerate(bodies)
    ]
    timings: list[float] = []

    async def worker() -> None:
        while queue:
            timings.append((await post(http, queue.pop()))[0])

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    row = timing_row(f"{concurrency} concurrent, uncached: REST", timings, "requests")
    return [row, ("  throughput", f"{len(timings) / seconds:.1f} requests/s", "", "", "")]


async def post(http: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, float]:
    """(REST round trip ms, core search ms) of one search."""
    started = time.perf_counter()
    response = await http.post("/api/gong/search", json=body)
    ms = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return ms, float(response.json()["took_ms"])


@asynccontextmanager
async def served(sophia: Sophia) -> AsyncIterator[str]:
    """`build_server(sophia)` serving on a free loopback port in this event loop."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As uvicorn does when it binds: without it, delayed ACKs add ~40 ms to each request.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        server = build_server(sophia)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            await task


async def run(settings: Settings, corpus: Path, rounds: int, concurrency: int) -> None:
    rows = await measure(settings, corpus, rounds, concurrency)
    print(f"{platform.machine()}, {platform.python_version()}, embedder {settings.sophia_embedder}")
    width = max(len(row[0]) for row in rows)
    for row in rows:
        print(f"{row[0]:<{width}}  " + "  ".join(f"{cell:>18}" for cell in row[1:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--embedder", choices=["local", "hashing"], default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            _env_file=None,
            sophia_data_dir=Path(data_dir),
            sophia_embedder=args.embedder,
            retention_days=0,
            api_rate_limit=0,
        )
        asyncio.run(run(settings, args.corpus, args.rounds, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
