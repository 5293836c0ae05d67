"""Time of each insight (p50/p95) and, on QMSum, ROUGE of the extractive call summary.

    python benchmarks/briefs.py                                   # samples/, fresh index
    python benchmarks/briefs.py --corpus "$QMSUM" --data-dir DIR --rouge

With the extractive summarizer (offline). `--rouge` scores the "Summary" section of
`analyze_call` against QMSum's reference answers to its general queries ("Summarize the
whole meeting.") with rouge-score (ROUGE-1/2/L/Lsum F1, Porter stemming), per split, beside
two baselines of the same length per call: the meeting's first words (lead) and random
sentences in time order (random). `--rounds 0` skips the timings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from rouge_score import rouge_scorer
from timing import percentile, timed  # benchmarks/timing.py, beside this script

from sophia.core.config import Settings
from sophia.core.insights.answer import Answer
from sophia.core.insights.spoken import spoken_sentences
from sophia.core.services import Sophia

ROOT = Path(__file__).resolve().parent.parent


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
        if args.rounds:
            print("| capability | p50 ms | p95 ms |")
            print("| --- | ---: | ---: |")
        for name, work in cases if args.rounds else []:
            timings = await timed(work, args.rounds)
            print(
                f"| {name} | {statistics.median(timings):.0f} | {percentile(timings, 0.95):.0f} |"
            )
        if args.rouge:
            await rouge(sophia, args.corpus.resolve())
    finally:
        sophia.close()


SYSTEMS = ("summary", "lead", "random")
METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


async def rouge(sophia: Sophia, corpus: Path) -> None:
    """ROUGE F1 of the call summary and of two same-length baselines, per QMSum split."""
    queries = [json.loads(line) for line in (corpus / "queries.jsonl").read_text().splitlines()]
    general = [q for q in queries if q["kind"] == "general"]
    splits = json.loads((corpus / "splits.json").read_text())
    split_of = {call_id: name for name in ("train", "val") for call_id in splits[name]}
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores: dict[tuple[str, str], list[dict[str, float]]] = {}
    words: dict[tuple[str, str], list[int]] = {}
    started = time.perf_counter()
    for q in general:
        split = split_of.get(q["call_id"], "other")
        answer = await sophia.insights.analyze_call(q["call_id"])
        summary = [b.text for s in answer.sections if s.title == "Summary" for b in s.bullets]
        budget = sum(len(b.split()) for b in summary)
        call = await sophia.store.get_call(q["call_id"])
        assert call is not None
        said = [s.text for s in spoken_sentences(call)]
        # Lsum compares sentence by sentence: one line per bullet, sentence, or reference
        # sentence (split on end punctuation: nltk's splitter needs a data download).
        reference = "\n".join(_SENTENCE_END.split(q["answer"].strip()))
        outputs = {
            "summary": summary,
            "lead": _first_words(said, budget),
            "random": _first_words(_random_sentences(said, q["call_id"], budget), budget),
        }
        for system, lines in outputs.items():
            result = scorer.score(reference, "\n".join(lines))
            scores.setdefault((system, split), []).append({m: result[m].fmeasure for m in METRICS})
            words.setdefault((system, split), []).append(sum(len(x.split()) for x in lines))
    took = time.perf_counter() - started
    print(
        f"\nROUGE F1 (rouge-score, Porter stemming) on {len(general)} general queries "
        f"({took:.0f} s, {took / len(general) * 1000:.0f} ms per call analysis and scoring); "
        f"reference {statistics.fmean(len(q['answer'].split()) for q in general):.0f} words"
    )
    print("| split | system | ROUGE-1 | ROUGE-2 | ROUGE-L | ROUGE-Lsum | words |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for split in ("train", "val", "other"):
        for system in SYSTEMS:
            rows = scores.get((system, split))
            if not rows:
                continue
            means = " | ".join(f"{statistics.fmean(r[m] for r in rows):.3f}" for m in METRICS)
            print(
                f"| {split} ({len(rows)}) | {system} | {means} | "
                f"{statistics.fmean(words[(system, split)]):.0f} |"
            )


def _first_words(sentences: list[str], budget: int) -> list[str]:
    """Whole sentences, the last one cut, up to exactly `budget` words."""
    lines, left = [], budget
    for sentence in sentences:
        if left <= 0:
            break
        taken = sentence.split()[:left]
        lines.append(" ".join(taken))
        left -= len(taken)
    return lines


def _random_sentences(sentences: list[str], seed: str, budget: int) -> list[str]:
    """Random sentences (seeded by the call) adding up to `budget` words, in time order."""
    order = list(range(len(sentences)))
    random.Random(seed).shuffle(order)
    picked, total = [], 0
    for i in order:
        if total >= budget:
            break
        picked.append(i)
        total += len(sentences[i].split())
    return [sentences[i] for i in sorted(picked)]


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
