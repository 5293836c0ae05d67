"""What the benchmark scripts share to time work and print it: a percentile, repeated timing
of an awaitable, and one table row of timings. Scripts import it as `timing` (it sits beside
them, and a script's own folder comes first on its import path)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable

__all__ = ["percentile", "timed", "timing_row"]


def percentile(values: list[float], q: float) -> float:
    """The value at fraction `q` (0 to 1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(work: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    """Milliseconds each of `rounds` awaits of `work()` took, one after another."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        await work()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def timing_row(name: str, timings: list[float], counted: str) -> tuple[str, ...]:
    """`name`, how many `counted` (queries, requests), p50, p95 and max in ms."""
    return (
        name,
        f"{len(timings)} {counted}",
        f"p50 {statistics.median(timings):.1f} ms",
        f"p95 {percentile(timings, 0.95):.1f} ms",
        f"max {max(timings):.1f} ms",
    )
