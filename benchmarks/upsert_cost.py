"""What a LanceDB upsert batch costs, and what reads that follow it cost.

    python benchmarks/upsert_cost.py [--calls 200] [--batch 10] [--chunks 20]

Builds a fresh index in a temporary directory from synthetic calls (random 384-dimension
vectors, so no embedder runs), stores them in batches, then stores them all again with new
titles (every chunk replaced, the path a changed call takes), and reads: `get_call` and a
hybrid search, each run 200 times. Prints p50/p95 in ms. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from timing import timed  # benchmarks/timing.py, beside this script

from sophia.core.chunking import Chunk, ChunkLine, chunk_id
from sophia.core.models import Affiliation, Call, CallDetails, Monologue, Sentence
from sophia.core.query import NO_FILTERS, SearchMode
from sophia.core.stores.base import IndexedCall, IndexInfo, StoreQuery
from sophia.core.stores.lance import LanceStore

DIM = 384
WORDS = "pricing budget security review renewal discount onboarding timeline training".split()


def synthetic(n: int, chunks: int, title: str, rng: np.random.Generator) -> IndexedCall:
    call_id = str(7_300_000_000_000_000_000 + n)
    sentences, lines = [], []
    for i in range(chunks):
        text = " ".join(rng.choice(WORDS, 12))
        sentences.append(Sentence(start_ms=i * 1000, end_ms=i * 1000 + 900, text=text))
        lines.append(ChunkLine("Dana", Affiliation.INTERNAL, i * 1000, i * 1000 + 900, text))
    details = CallDetails(
        call_id=call_id, title=f"{title} {n}", url="u", started=datetime(2026, 10, 5, tzinfo=UTC)
    )
    return IndexedCall(
        Call(details=details, monologues=(Monologue(speaker_id="1", sentences=tuple(sentences)),)),
        f"{title}-{n}",
        [Chunk(chunk_id(call_id, i), call_id, i, (line,)) for i, line in enumerate(lines)],
        rng.standard_normal((chunks, DIM)).astype(np.float32),
    )


def line(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return f"{name:<32} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   n={len(times)}"


async def run(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(13)
    with tempfile.TemporaryDirectory() as tmp:
        store = LanceStore(Path(tmp) / "index")
        await store.ensure_index(IndexInfo("synthetic", DIM))
        for title, name in (
            ("Call", "upsert batch (new calls)"),
            ("Renamed", "upsert batch (changed)"),
        ):
            times = []
            for start in range(0, args.calls, args.batch):
                batch = [
                    synthetic(n, args.chunks, title, rng)
                    for n in range(start, min(start + args.batch, args.calls))
                ]
                times += await timed(lambda b=batch: store.upsert(b), 1)
            print(line(name, times))
        await store.optimize()
        some = str(7_300_000_000_000_000_000 + args.calls // 2)
        print(line("get_call", await timed(lambda: store.get_call(some), 200)))
        query = StoreQuery(
            SearchMode.HYBRID, "pricing review", rng.standard_normal(DIM), 0.5, 10, NO_FILTERS
        )
        print(line("hybrid search", await timed(lambda: store.search(query), 200)))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, load average {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--chunks", type=int, default=20)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
