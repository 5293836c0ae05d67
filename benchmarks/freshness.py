"""Freshness: how long a new call takes from its end (when Gong has it) to searchable.

A local fake Gong (tests/fakes/gong_server.py) gains calls over a simulated working day;
Sophia polls it every SYNC_INTERVAL_MINUTES of simulated time (a pinned clock moved poll by
poll), or is told by a webhook when each call ends. A call's lag is the simulated wait until
the poll (or webhook) that fetched it, plus the real seconds that fetch took here (Gong's
throttle, embedding, the store's write). Prints p50/p95 for both ways.

    .venv/bin/python benchmarks/freshness.py [--calls 30] [--hours 6] [--interval 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from timing import percentile  # noqa: E402  (benchmarks/ is the script's own folder)

from sophia.core.clock import FixedClock  # noqa: E402
from sophia.core.config import Settings  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402
from tests.fakes.gong_records import call_record, transcript_record  # noqa: E402
from tests.fakes.gong_server import FakeGong  # noqa: E402

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def arrivals(calls: int, hours: float, seed: int) -> list[datetime]:
    """When each call ends, spread at random over the simulated day."""
    rng = random.Random(seed)
    span = hours * 3600
    return sorted(START + timedelta(seconds=rng.uniform(60, span)) for _ in range(calls))


def add_call(server: FakeGong, number: int, ended: datetime) -> str:
    call_id = str(9_000_000 + number)
    started = ended - timedelta(minutes=30)
    transcript = transcript_record(call_id)
    server.add_call(call_record(call_id, started, duration_s=1800), transcript)
    return call_id


@asynccontextmanager
async def running(embedder: str) -> AsyncIterator[tuple[FakeGong, FixedClock, Sophia]]:
    """A fake Gong and Sophia on a pinned clock, its first (empty) sync done."""
    with FakeGong() as server, tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(START)
        settings = Settings(
            _env_file=None,
            sophia_data_dir=Path(tmp),
            sophia_embedder=embedder,
            retention_days=0,
            sync_window_days=90,
            gong_base_url=server.url,
            gong_access_key=server.access_key,
            gong_access_secret=server.access_secret,
        )
        sophia = await Sophia.open(settings, clock=clock)
        try:
            await sophia.poll(wait=0)  # the first sync, before the day starts
            yield server, clock, sophia
        finally:
            await sophia.aclose()


async def polling(ends: list[datetime], interval: timedelta, embedder: str) -> list[float]:
    """Lags (s) when only the poll finds the calls."""
    lags: list[float] = []
    async with running(embedder) as (server, clock, sophia):
        waiting = list(enumerate(ends))
        poll_at = START
        while waiting:
            poll_at += interval
            ready = [(n, end) for n, end in waiting if end <= poll_at]
            waiting = [(n, end) for n, end in waiting if end > poll_at]
            for n, end in ready:
                add_call(server, n, end)
            clock.set(poll_at)
            started = time.perf_counter()
            await sophia.poll(wait=0)
            took = time.perf_counter() - started
            lags.extend((poll_at - end).total_seconds() + took for _, end in ready)
    return lags


async def webhooks(ends: list[datetime], delay: timedelta, embedder: str) -> list[float]:
    """Lags (s) when Gong's webhook names each call `delay` after it ends."""
    lags: list[float] = []
    async with running(embedder) as (server, clock, sophia):
        for n, end in enumerate(ends):
            call_id = add_call(server, n, end)
            clock.set(end + delay)
            started = time.perf_counter()
            sophia.queue_calls([call_id])  # what a verified webhook does
            await sophia.poll(wait=0)
            lags.append(delay.total_seconds() + time.perf_counter() - started)
    return lags


def row(name: str, lags: list[float]) -> str:
    ordered = sorted(lags)
    return (
        f"{name:<28} p50 {percentile(ordered, 0.5) / 60:6.2f} min   "
        f"p95 {percentile(ordered, 0.95) / 60:6.2f} min   ({len(lags)} calls)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--interval", type=float, default=10.0, help="poll minutes")
    parser.add_argument("--webhook-delay", type=float, default=30.0, help="seconds")
    parser.add_argument("--embedder", default="hashing", choices=["hashing", "local"])
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    ends = arrivals(args.calls, args.hours, args.seed)
    polled = await polling(ends, timedelta(minutes=args.interval), args.embedder)
    hooked = await webhooks(ends, timedelta(seconds=args.webhook_delay), args.embedder)
    print(f"{args.calls} calls over {args.hours:g} h, embedder {args.embedder}")
    print(row(f"poll every {args.interval:g} min", polled))
    print(row(f"webhook after {args.webhook_delay:g} s", hooked))


if __name__ == "__main__":
    asyncio.run(main())
