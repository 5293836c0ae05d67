"""Fit the call summary's feature weights on QMSum's train meetings; report train and val.

    python benchmarks/summary_weights.py --corpus "$QMSUM"

Reads the corpus folder directly (no index). For every meeting with a "summarize the whole
meeting" reference, builds the summary units and their features once, then searches the
weights by coordinate ascent on mean ROUGE-L F1 (rouge-score, Porter stemming) over the
**train** meetings only, through the same `choose()` that `sophia analyze` runs. Prints the
weights to paste into `core/insights/call_summary.py` and the score on train and val.
Only general features exist to weigh (core/insights/call_summary.py: FEATURES): nothing
here can learn a meeting's own words.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer

from sophia.core.insights.call_analysis import SUMMARY_WORDS
from sophia.core.insights.call_summary import (
    FEATURES,
    RELEVANCE,
    WEIGHTS,
    SummaryUnit,
    choose,
    joined,
    summary_units,
    unit_features,
)
from sophia.core.insights.spoken import speaker_label, spoken_sentences
from sophia.core.sources.folder import FolderSource

ROOT = Path(__file__).resolve().parent.parent
STEPS = (-1.0, -0.5, 0.5, 1.0)


@dataclass
class Meeting:
    split: str
    units: list[SummaryUnit]
    features: Any
    vectors: Any
    labels: list[list[str]]
    tokens: list[list[str]]
    reference: list[str]


def load(corpus: Path) -> list[Meeting]:
    """Every meeting with a general reference, its units and features built once."""
    splits = json.loads((corpus / "splits.json").read_text())
    split_of = {call_id: name for name in ("train", "val") for call_id in splits[name]}
    queries = [json.loads(line) for line in (corpus / "queries.jsonl").read_text().splitlines()]
    reference = {q["call_id"]: q["answer"] for q in queries if q["kind"] == "general"}
    tokenizer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)._tokenizer

    async def calls() -> list[Any]:
        found = []
        async for batch in FolderSource(corpus).batches(1000, None):
            found += batch.calls
        return found

    meetings = []
    for call in asyncio.run(calls()):
        if call.call_id not in reference or call.call_id not in split_of:
            continue
        sentences = spoken_sentences(call)
        units = summary_units(sentences)
        features, vectors = unit_features(sentences, units)
        labels = [tokenizer.tokenize(speaker_label(u.sentences[0])) for u in units]
        tokens = [tokenizer.tokenize(u.text) for u in units]
        ref = tokenizer.tokenize(reference[call.call_id])
        meetings.append(
            Meeting(split_of[call.call_id], units, features, vectors, labels, tokens, ref)
        )
    return meetings


def rouge_l(meetings: list[Meeting], weights: Any, relevance: float, split: str) -> float:
    """Mean ROUGE-L F1 of the summaries these weights choose, on one split."""
    scores = []
    for m in meetings:
        if m.split != split:
            continue
        chosen = choose(
            m.units, m.features, m.vectors, SUMMARY_WORDS, weights=weights, relevance=relevance
        )
        # As `summary_candidates` quotes them: a long turn's units under one label.
        summary = [
            t
            for run in joined(m.units, chosen)
            for t in m.labels[run[0]] + [t for i in run for t in m.tokens[i]]
        ]
        scores.append(rouge_scorer._score_lcs(m.reference, summary).fmeasure)
    return statistics.fmean(scores)


def ascend(
    meetings: list[Meeting], weights: Any, relevance: float, rounds: int, scale: float
) -> Any:
    """Coordinate ascent on train: keep any single-weight step that raises ROUGE-L."""
    best = rouge_l(meetings, weights, relevance, "train")
    print(f"start: train ROUGE-L {best:.4f}", flush=True)
    for round_ in range(rounds):
        for k, name in enumerate(FEATURES):
            for step in STEPS:
                trial = weights.copy()
                trial[k] += step * scale
                score = rouge_l(meetings, trial, relevance, "train")
                if score > best + 1e-4:
                    best, weights = score, trial
                    print(f"  round {round_}: {name} {trial[k]:+.2f} -> {score:.4f}", flush=True)
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--from-current", action="store_true", help="start from WEIGHTS")
    parser.add_argument("--scale", type=float, default=1.0, help="step size (0.5: finer)")
    args = parser.parse_args()
    started = time.perf_counter()
    meetings = load(args.corpus)
    print(f"{len(meetings)} meetings loaded in {time.perf_counter() - started:.0f} s")
    weights = WEIGHTS.copy() if args.from_current else np.eye(len(FEATURES))[0]
    weights = ascend(meetings, weights, RELEVANCE, args.rounds, args.scale)
    print("WEIGHTS = {")
    for name, value in zip(FEATURES, weights, strict=True):
        print(f'    "{name}": {value:.2f},')
    print("}")
    for split in ("train", "val"):
        print(f"{split}: ROUGE-L F1 {rouge_l(meetings, weights, RELEVANCE, split):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
