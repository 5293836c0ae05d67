"""Search latency (p50/p95, uncached and cached) and ingest throughput on embedded defaults.

    python benchmarks/latency.py [--corpus samples] [--rounds 5]

Ingests the corpus into a fresh temporary data dir (every chunk embedded: that is the
throughput), then runs a fixed set of sales questions in each search mode with the cache
off, and once more with the cache on (the second pass of each query is a hit).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from core.app import Sophia
from core.config import Settings
from core.query import SearchMode, build_request

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


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
            rows.append(_row(f"{mode} (uncached)", timings))
    finally:
        sophia.close()

    cached_settings = settings.model_copy(update={"cache_ttl_s": 3600})
    sophia = await Sophia.open(cached_settings)
    try:
        timings = []
        for _ in range(rounds):
            for query, account in QUESTIONS:
                request = build_request(query=query, filters={"account": account})
                result = await sophia.search.search(request)
                if result.cached:
                    timings.append(result.took_ms)
        rows.append(_row("hybrid (cached)", timings))
    finally:
        sophia.close()
    return rows


def _row(name: str, timings: list[float]) -> tuple[str, ...]:
    return (
        name,
        f"{len(timings)} queries",
        f"p50 {statistics.median(timings):.1f} ms",
        f"p95 {percentile(timings, 0.95):.1f} ms",
        f"max {max(timings):.1f} ms",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            _env_file=None, sophia_data_dir=Path(data_dir), cache_ttl_s=0, retention_days=0
        )
        rows = asyncio.run(measure(settings, args.corpus.resolve(), args.rounds))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for row in rows:
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
