"""Search latency (p50/p95, uncached and cached) and ingest throughput on embedded defaults.

    python benchmarks/latency.py [--corpus samples] [--rounds 5] [--redis]

Ingests the corpus into a fresh temporary data dir (every chunk embedded: that is the
throughput), then runs a fixed set of sales questions in each search mode with the cache
off, and once more with the in-process cache on (the second pass of each query is a hit).

`--redis` adds the same questions with the cache in Redis: at REDIS_URL when it is set,
else in a redis-server started here on a free loopback port (stopped at the end). It
reports misses (computed, then stored), misses right after a sync (the generation moved,
so answers are recomputed, but query vectors come from Redis) and hits.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from timing import timing_row  # benchmarks/timing.py, beside this script

from sophia.core.config import Settings
from sophia.core.query import SearchMode, build_request
from sophia.core.services import Sophia

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    ("pricing objections", None),
    ("pricing objections", "Moss & Co"),
    ("the per-seat price is above our budget", None),
    ("which competitors are they evaluating", None),
    ("DealForge", None),
    ("security review SSO and data residency", "Olympus"),
    ("implementation timeline and go-live date", None),
    ("who signs off on the contract", None),
    ("next steps agreed at the end of the call", None),
    ("discount for a multi-year commitment", None),
    ("SOC 2 report", None),
    ("renewal", "Olympus"),
]


async def measure(settings: Settings, corpus: Path, rounds: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    sophia = await Sophia.open(settings)
    try:
        started = time.perf_counter()
        summary = await sophia.ingest_folder(corpus)
        seconds = time.perf_counter() - started
        rows.append(
            (
                "ingest",
                f"{summary.indexed} calls, {summary.chunks} chunks",
                f"{seconds:.1f} s",
                f"{summary.chunks / seconds:.1f} chunks/s",
                f"{summary.indexed / seconds:.2f} calls/s",
            )
        )
        await sophia.search.search(build_request(query="warm up"))  # loads the model
        for mode in SearchMode:
            timings = []
            for _ in range(rounds):
                for query, account in QUESTIONS:
                    request = build_request(query=query, mode=mode, filters={"account": account})
                    timings.append((await sophia.search.search(request)).took_ms)
            rows.append(timing_row(f"{mode} (uncached)", timings, "queries"))
    finally:
        sophia.close()

    cached_settings = settings.model_copy(update={"cache_ttl_s": 3600, "redis_url": None})
    sophia = await Sophia.open(cached_settings)
    try:
        timings = []
        for _ in range(rounds):
            for query, account in QUESTIONS:
                request = build_request(query=query, filters={"account": account})
                result = await sophia.search.search(request)
                if result.cached:
                    timings.append(result.took_ms)
        rows.append(timing_row("hybrid (cached)", timings, "queries"))
    finally:
        sophia.close()
    return rows


async def measure_redis(settings: Settings, rounds: int) -> list[tuple[str, ...]]:
    """Hybrid search with the cache in Redis: misses, hits, and misses after a sync."""
    sophia = await Sophia.open(settings)
    try:
        # Loads the model and warms the index for every filter without embedding a question
        # (keyword mode), so the first misses below still include the query embedding.
        await sophia.embedder.warm_up()
        for query, account in QUESTIONS:
            filters = {"account": account}
            await sophia.search.search(build_request(query=query, mode="keyword", filters=filters))
        first, after_sync, hits = [], [], []
        for round_ in range(rounds):
            # A new generation, as after every ingested batch: cached answers retire, but the
            # query vectors (keyed by embedder and text) stay valid.
            await sophia.generation.advance()
            for _ in range(2):
                for query, account in QUESTIONS:
                    request = build_request(query=query, filters={"account": account})
                    result = await sophia.search.search(request)
                    misses = first if round_ == 0 else after_sync
                    (hits if result.cached else misses).append(result.took_ms)
        counts = await sophia.cache.counts()
    finally:
        await sophia.aclose()
    rows = [
        timing_row("hybrid, Redis miss (query embedded)", first, "queries"),
        timing_row(
            "hybrid, Redis miss after a sync (query vector from Redis)", after_sync, "queries"
        ),
        timing_row("hybrid, Redis hit", hits, "queries"),
    ]
    if counts is not None:
        rows.append(("redis counters", f"{counts.hits} hits", f"{counts.misses} misses"))
    return rows


@contextmanager
def local_redis() -> Iterator[str]:
    """A redis-server on a free loopback port, without persistence; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("--redis needs REDIS_URL or redis-server (apt-get install redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        probe = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                probe.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("redis-server did not start") from None
                time.sleep(0.01)
        probe.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@contextmanager
def _redis_url() -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
    else:
        with local_redis() as url:
            yield url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--redis",
        action="store_true",
        help="also measure the Redis cache (REDIS_URL, else a local redis-server)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            _env_file=None,
            sophia_data_dir=Path(data_dir),
            cache_ttl_s=0,
            retention_days=0,
            redis_url=None,
        )
        rows = asyncio.run(measure(settings, args.corpus.resolve(), args.rounds))
        if args.redis:
            with _redis_url() as url:
                redis_settings = settings.model_copy(update={"cache_ttl_s": 3600, "redis_url": url})
                rows += asyncio.run(measure_redis(redis_settings, args.rounds))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for row in rows:
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
