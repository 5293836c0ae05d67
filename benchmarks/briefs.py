"""Time of each insight (p50/p95) and, on QMSum, ROUGE-L of the extractive call summary.

    python benchmarks/briefs.py                                   # samples/, fresh index
    python benchmarks/briefs.py --corpus ../shared/data/qmsum-dev --data-dir DIR --rouge

With the extractive summarizer (offline). `--rouge` scores the "Summary" section of
`analyze_call` against QMSum's reference answers to its general queries ("Summarize the
whole meeting."): a baseline for better summaries to beat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from core.app import Sophia
from core.config import Settings
from core.insights.answer import Answer

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(work: Callable[[], Awaitable[Answer]], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        await work()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    settings = Settings(
        _env_file=None,
        sophia_data_dir=data_dir,
        retention_days=0,
        sophia_summarizer="extractive",
        cache_ttl_s=0,
    )
    sophia = await Sophia.open(settings)
    try:
        summary = await sophia.ingest_folder(args.corpus.resolve())
        print(f"corpus {args.corpus}: {summary.line()}")
        calls = await sophia.store.list_calls()
        accounts = await sophia.insights.context.accounts()
        account = max(accounts, key=lambda a: sum(c.details.account == a for c in calls))
        first_call = calls[len(calls) // 2].call_id
        await sophia.embedder.warm_up()
        insights = sophia.insights
        cases: list[tuple[str, Callable[[], Awaitable[Answer]]]] = [
            ("call analysis", lambda: insights.analyze_call(first_call)),
            ("topic brief", lambda: insights.brief("pricing objections")),
            ("account brief", lambda: insights.brief(account)),
            ("competitive intel", lambda: insights.competitors("this quarter")),
            ("stalled deals", lambda: insights.stalled()),
            ("coaching", lambda: insights.coaching("pricing")),
            ("ask (search)", lambda: insights.ask(f"what did {account} say about the budget?")),
        ]
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; {len(calls)} calls; {args.rounds} rounds"
        )
        print("| capability | p50 ms | p95 ms |")
        print("| --- | ---: | ---: |")
        for name, work in cases:
            timings = await timed(work, args.rounds)
            print(
                f"| {name} | {statistics.median(timings):.0f} | {percentile(timings, 0.95):.0f} |"
            )
        if args.rouge:
            await rouge(sophia, args.corpus.resolve())
    finally:
        sophia.close()


async def rouge(sophia: Sophia, corpus: Path) -> None:
    """Mean ROUGE-L (precision, recall, F1) of the extractive summary against QMSum."""
    queries = [json.loads(line) for line in (corpus / "queries.jsonl").read_text().splitlines()]
    general = [q for q in queries if q["kind"] == "general"]
    scores = []
    words = []
    for q in general:
        answer = await sophia.insights.analyze_call(q["call_id"])
        summary = " ".join(
            b.text for s in answer.sections if s.title == "Summary" for b in s.bullets
        )
        words.append(len(summary.split()))
        scores.append(rouge_l(summary, q["answer"]))
    n = len(scores) or 1
    p, r, f = (sum(s[i] for s in scores) / n for i in range(3))
    print(
        f"ROUGE-L of the extractive call summary on {len(general)} general queries: "
        f"P {p:.3f} R {r:.3f} F1 {f:.3f} (summary {statistics.fmean(words):.0f} words, "
        f"reference {statistics.fmean(len(q['answer'].split()) for q in general):.0f})"
    )


def rouge_l(candidate: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the longest common subsequence of lower-cased words."""
    a = re.findall(r"[a-z0-9]+", candidate.lower())
    b = re.findall(r"[a-z0-9]+", reference.lower())
    if not a or not b:
        return 0.0, 0.0, 0.0
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if word == other else max(previous[j], current[-1]))
        previous = current
    lcs = previous[-1]
    precision, recall = lcs / len(a), lcs / len(b)
    f1 = 0.0 if lcs == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples")
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse an index here")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rouge", action="store_true", help="score summaries (QMSum)")
    args = parser.parse_args()
    if args.data_dir:
        asyncio.run(run(args, args.data_dir))
    else:
        with tempfile.TemporaryDirectory() as data_dir:
            asyncio.run(run(args, Path(data_dir)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
