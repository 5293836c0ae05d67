"""Fit the call summary's unit scorer on QMSum's train meetings; report train and val.

    python benchmarks/fit_summary_model.py --corpus "$QMSUM" [--write]

Reads the corpus folder directly (no index). For every meeting with a "summarize the whole
meeting" reference it builds the summary units and their features once (through the same
code `sophia analyze` runs) and labels each unit by the share of its word pairs that the
reference has (ROUGE-2 precision of the unit alone, Porter stemming). It fits LightGBM
regression trees (a dev-only dependency) on the **train** meetings only and prints mean
ROUGE-L F1 of the summaries chosen with them: on train out of fold (5 folds by meeting,
each scored by trees fitted on the other four), on train in sample, and on val. `--write`
stores the trees fitted on all train meetings in core/insights/summary_model.json with the
data and commit they came from. The features are general (core/insights/summary_features.py):
nothing here can learn a meeting's own words.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `benchmarks` is a package of the repo
    sys.path.insert(0, str(ROOT))

from benchmarks.fit_ranker import _flat, _model_json, _version  # noqa: E402
from sophia.core.insights.call_analysis import SUMMARY_WORDS  # noqa: E402
from sophia.core.insights.call_summary import RELEVANCE, bullets, choose  # noqa: E402
from sophia.core.insights.spoken import speaker_label, spoken_sentences  # noqa: E402
from sophia.core.insights.summary_features import FEATURES, unit_features  # noqa: E402
from sophia.core.insights.summary_model import FORMAT, MODEL_PATH, SummaryModel  # noqa: E402
from sophia.core.insights.summary_units import SummaryUnit, summary_units  # noqa: E402
from sophia.core.sources.folder import FolderSource  # noqa: E402
from sophia.core.trees import build_trees  # noqa: E402

FOLDS = 5
PARAMS: dict[str, Any] = {
    "objective": "regression",
    "n_estimators": 200,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 100,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "random_state": 0,
    "deterministic": True,
    "force_row_wise": True,
    "n_jobs": 1,
    "verbose": -1,
}
LABEL = "ROUGE-2 precision of the unit alone against the meeting's general reference"


@dataclass
class Meeting:
    split: str
    units: list[SummaryUnit]
    features: Any
    vectors: Any
    labels: list[list[str]]
    tokens: list[list[str]]
    reference: list[str]

    def targets(self) -> Any:
        """Each unit's share of word pairs that the reference has too."""
        pairs = Counter(pairwise(self.reference))
        out = []
        for t in self.tokens:
            mine = Counter(pairwise(t))
            out.append(sum(min(c, pairs[p]) for p, c in mine.items()) / max(len(t) - 1, 1))
        return np.array(out)


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


def rouge_l(meeting: Meeting, scores: Any) -> float:
    """ROUGE-L F1 of the summary these unit scores choose, quoted as `analyze` quotes it."""
    m = meeting
    chosen = choose(m.units, scores, m.vectors, SUMMARY_WORDS, relevance=RELEVANCE)
    summary = [
        t
        for quotes in bullets(m.units, chosen)
        for t in m.labels[quotes[0][0]] + [t for run in quotes for i in run for t in m.tokens[i]]
    ]
    return float(rouge_scorer._score_lcs(m.reference, summary).fmeasure)


def fit(meetings: list[Meeting]) -> Any:
    """LightGBM regression trees on these meetings' units."""
    import lightgbm  # fitting only: `analyze` evaluates the trees with numpy

    x = np.vstack([m.features for m in meetings])
    y = np.concatenate([m.targets() for m in meetings])
    return lightgbm.LGBMRegressor(**PARAMS).fit(x, y)


def exported(model: Any, meetings: list[Meeting]) -> list[dict[str, list[Any]]]:
    """The fitted trees as the model file stores them, checked against LightGBM's scores."""
    trees = [_flat(t["tree_structure"]) for t in model.booster_.dump_model()["tree_info"]]
    mine = SummaryModel(build_trees(trees, len(FEATURES)))
    x = np.vstack([m.features for m in meetings])
    if not np.allclose(mine.score(x), model.predict(x), atol=1e-9):
        sys.exit("the exported trees do not reproduce LightGBM's scores")
    return trees


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--write", action="store_true", help=f"store the trees in {MODEL_PATH}")
    args = parser.parse_args()
    started = time.perf_counter()
    meetings = load(args.corpus)
    train = [m for m in meetings if m.split == "train"]
    val = [m for m in meetings if m.split == "val"]
    print(
        f"{len(train)} train and {len(val)} val meetings in {time.perf_counter() - started:.0f} s"
    )
    out_of_fold = []
    for fold in range(FOLDS):
        held = train[fold::FOLDS]
        model = fit([m for m in train if all(m is not h for h in held)])
        out_of_fold += [rouge_l(m, model.predict(m.features)) for m in held]
    print(f"train, out of fold ({FOLDS} folds): ROUGE-L F1 {statistics.fmean(out_of_fold):.4f}")
    model = fit(train)
    for name, group in (("train, in sample", train), ("val", val)):
        score = statistics.fmean(rouge_l(m, model.predict(m.features)) for m in group)
        print(f"{name}: ROUGE-L F1 {score:.4f}")
    trees = exported(model, meetings)
    if args.write:
        body = {
            "format": FORMAT,
            "features": list(FEATURES),
            "fitted_on": _provenance(args.corpus, len(train)),
            "trees": trees,
        }
        MODEL_PATH.write_text(_model_json(body))
        print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({len(trees)} trees)")
    return 0


def _provenance(corpus: Path, meetings: int) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src/sophia/core/insights", __file__],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    model = str(MODEL_PATH.relative_to(ROOT))
    changed = [line for line in dirty.splitlines() if not line.endswith(model)]
    return {
        "script": "benchmarks/fit_summary_model.py",
        # The code that computed the features; "+changes" when it was not committed yet.
        "commit": commit + ("+changes" if changed else ""),
        "corpus": corpus.name,
        "queries_sha256": hashlib.sha256((corpus / "queries.jsonl").read_bytes()).hexdigest(),
        "splits_sha256": hashlib.sha256((corpus / "splits.json").read_bytes()).hexdigest(),
        "split": "train",
        "train_meetings": meetings,
        "label": LABEL,
        "model": f"LightGBM {_version('lightgbm')} LGBMRegressor",
        "params": PARAMS,
    }


if __name__ == "__main__":
    raise SystemExit(main())
