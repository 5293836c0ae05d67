"""Fitting the second-stage search ranker (core/ranking/) on a labelled corpus's TRAIN split.

    python benchmarks/fit_ranker.py --corpus "$QMSUM" --write

Needs an index of the corpus in `--data-dir` (benchmarks/retrieval.py builds one in
benchmarks/out/qmsum). Every specific query runs once per scope (call, global) through the
product's own search code, in this process: `SearchService.candidates` fetches the store's
fused top `--pool`, and each candidate is labelled by the corpus's rule. It prints the
candidates' recall at 10, 30, 50 and 100 (how often the right moment is there to be ranked
at all), fits LambdaRank trees (LightGBM, a dev-only dependency) on the train queries'
features, scores the hits search would show (ranker, floor, overlaps) in the fused order
and the ranker's, on train AND val, and with `--write` stores the trees in
core/ranking/ranker.json with the data and commit they came from. Only train queries are
fitted on; val is only reported.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `core` is a sibling of benchmarks/
    sys.path.insert(0, str(ROOT))

from benchmarks.ranker_cases import (  # noqa: E402
    SCOPES,
    Case,
    K,
    load_cases,
    print_recall,
    relevant_chunk,
    shown_hits,
)
from benchmarks.retrieval import _score, _specific_queries, _split_of  # noqa: E402
from benchmarks.timing import percentile  # noqa: E402
from sophia.core.cache import NoCache  # noqa: E402
from sophia.core.config import Settings  # noqa: E402
from sophia.core.query import build_request  # noqa: E402
from sophia.core.ranking import FEATURES, MODEL_PATH, Ranker, features  # noqa: E402
from sophia.core.ranking.model import FORMAT  # noqa: E402
from sophia.core.search import CALL_POOL, SearchService  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402
from sophia.core.trees import build_trees  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    corpus: Path = args.corpus.resolve()
    if args.latency:
        asyncio.run(_latency(args, corpus))
        return 0
    cases = load_cases(args, corpus)
    train = [c for c in cases if c.split == "train"]
    print_recall(cases)
    trees = fit(train)
    ranker = _ranker(trees, args.pool)
    _print_scores(cases, ranker)
    _print_time(cases, ranker)
    if args.write:
        model_file = {
            "format": FORMAT,
            "features": list(FEATURES),
            "pool": args.pool,
            "fitted_on": _provenance(args, corpus, train),
            "trees": trees,
        }
        MODEL_PATH.write_text(_model_json(model_file))
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "out" / "qmsum")
    parser.add_argument("--pool", type=int, default=100, help="Candidates ranked (<= 100).")
    parser.add_argument("--write", action="store_true", help="Write core/ranking/ranker.json.")
    parser.add_argument(
        "--latency",
        type=int,
        default=0,
        metavar="N",
        help="Only time N val queries per scope through search, ranker off and on, "
        "alternating (cache off), and print p50/p95.",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="With --latency: runs of each query, fastest kept."
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="Where the fetched candidates are kept (default: DATA_DIR/ranker).",
    )
    parser.add_argument(
        "--refresh", action="store_true", help="Fetch candidates again (else reuse them)."
    )
    return parser.parse_args(argv)


# --- candidates ----------------------------------------------------------------------------


async def _latency(args: argparse.Namespace, corpus: Path) -> None:
    """Search time with the ranker off and on, in one process on the same index: each query
    runs both ways back to back (which goes first alternates), so load on the machine falls
    on both alike; the difference is also taken per query, on minus off. With `--rounds`
    above 1 each query's fastest run counts: what the search costs, not the stalls that
    other processes on the machine cause."""
    queries = _specific_queries(corpus / "queries.jsonl", _split_of(corpus), "val")
    queries = queries[:: max(1, len(queries) // args.latency)][: args.latency]
    opened = {}
    for rerank in (False, True):
        settings = Settings(
            sophia_data_dir=args.data_dir.resolve(),
            retention_days=0,
            cache_ttl_s=0,
            search_rerank=rerank,
        )
        opened[rerank] = await Sophia.open(settings)
        await opened[rerank].embedder.warm_up()
    try:
        timings: dict[tuple[str, bool], list[float]] = {}
        for n, q in enumerate(queries):
            for scope in SCOPES:
                filters = {"call_ids": (q["call_id"],)} if scope == "call" else {}
                request = build_request(query=q["query"], limit=K, filters=filters)
                best = {False: math.inf, True: math.inf}
                for _ in range(args.rounds):
                    for rerank in (False, True) if n % 2 else (True, False):
                        started = time.perf_counter()
                        await opened[rerank].search.search(request)
                        ms = (time.perf_counter() - started) * 1000
                        best[rerank] = min(best[rerank], ms)
                for rerank, ms in best.items():
                    timings.setdefault((scope, rerank), []).append(ms)
        chunks = (await opened[True].store.counts()).chunks
        print(
            f"search over {chunks:,} chunks, {len(queries)} queries a scope, cache off, "
            f"fastest of {args.rounds}:"
        )
        for (scope, rerank), ms in sorted(timings.items()):
            p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
            label = "on" if rerank else "off"
            print(f"  {scope:6} rerank {label:3}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        for scope in SCOPES:
            on, off = timings[(scope, True)], timings[(scope, False)]
            added = sorted(a - b for a, b in zip(on, off, strict=True))
            print(
                f"  {scope:6} on - off, same query: p50 {percentile(added, 0.5):+.1f} ms, "
                f"p95 {percentile(added, 0.95):+.1f} ms"
            )
    finally:
        for sophia in opened.values():
            await sophia.aclose()


# --- fitting -------------------------------------------------------------------------------


# LambdaRank over the whole pool, small trees: chosen by 3-fold cross-validation over the
# train calls (benchmarks/README.md), never by val. One thread and a fixed seed: the same
# data gives the same file.
PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "n_estimators": 200,
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_child_samples": 200,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "lambdarank_truncation_level": 10,
    "random_state": 0,
    "deterministic": True,
    "force_row_wise": True,
    "n_jobs": 1,
    "verbose": -1,
}


def fit(train: Sequence[Case]) -> list[dict[str, list[Any]]]:
    """LambdaRank trees ranking each train case's relevant candidates first."""
    import lightgbm  # fitting only: search evaluates the trees with numpy

    groups = [c for c in train if c.found.chunks]
    x = np.vstack([features(c.request.query, c.found.chunks) for c in groups])
    y = np.array([relevant_chunk(ch, c.query) for c in groups for ch in c.found.chunks], dtype=int)
    model = lightgbm.LGBMRanker(**PARAMS)
    model.fit(x, y, group=[len(c.found.chunks) for c in groups])
    trees = [_flat(t["tree_structure"]) for t in model.booster_.dump_model()["tree_info"]]
    # The numpy evaluation must agree with LightGBM's own before the file is trusted.
    mine = build_trees(trees, len(FEATURES)).predict(x)
    if not np.allclose(mine, model.predict(x), atol=1e-9):
        sys.exit("the exported trees do not reproduce LightGBM's scores")
    return trees


def _flat(root: dict[str, Any]) -> dict[str, list[Any]]:
    """One dumped LightGBM tree as arrays: internal nodes by split_index, leaves by
    leaf_index, a child below 0 naming leaf -child - 1."""
    tree: dict[str, list[Any]] = {
        k: [] for k in ("split_feature", "threshold", "left", "right", "leaf_value")
    }
    splits: dict[int, dict[str, Any]] = {}
    leaves: dict[int, float] = {}

    def walk(node: dict[str, Any]) -> int:
        if "leaf_index" in node or "split_index" not in node:
            index = int(node.get("leaf_index", 0))
            leaves[index] = float(node["leaf_value"])
            return -index - 1
        if node.get("decision_type", "<=") != "<=":
            sys.exit(f"unexpected split {node.get('decision_type')}")
        splits[int(node["split_index"])] = node
        node["_left"], node["_right"] = walk(node["left_child"]), walk(node["right_child"])
        return int(node["split_index"])

    walk(root)
    for i in range(len(splits)):
        node = splits[i]
        tree["split_feature"].append(int(node["split_feature"]))
        tree["threshold"].append(float(node["threshold"]))
        tree["left"].append(node["_left"])
        tree["right"].append(node["_right"])
    tree["leaf_value"] = [leaves[i] for i in range(len(leaves))]
    return tree


def _ranker(trees: list[dict[str, list[Any]]], pool: int) -> Ranker:
    return Ranker(build_trees(trees, len(FEATURES)), pool, name="fitting")


# --- scoring -------------------------------------------------------------------------------


def _print_scores(cases: Sequence[Case], ranker: Ranker) -> None:
    """hit@k and friends of the hits search would show, fused order against the ranker."""
    from sophia.core.relevance import floor_for

    floor = floor_for("local:all-MiniLM-L6-v2")
    # Scoring only re-orders fetched candidates: no store or embedder is asked anything.
    services = {
        "fused": SearchService(None, None, NoCache(), floor=floor),  # type: ignore[arg-type]
        "ranker": SearchService(None, None, NoCache(), floor=floor, ranker=ranker),  # type: ignore[arg-type]
    }
    columns = ["hit@1", "hit@5", "hit@10", "mrr@10", "centre_hit@5", "words_per_hit"]
    print("| split | scope | order | " + " | ".join(columns) + " |")
    print("| --- | --- | --- |" + " ---: |" * len(columns))
    for split in ("train", "val"):
        for scope in SCOPES:
            group = [c for c in cases if c.split == split and c.scope == scope]
            for name, service in services.items():
                hits = {c.query["qid"]: shown_hits(service, c) for c in group}
                row = _score([c.query for c in group], hits)
                cells = " | ".join(str(row[col]) for col in columns)
                print(f"| {split} | {scope} | {name} | {cells} |")


def _print_time(cases: Sequence[Case], ranker: Ranker) -> None:
    """What the second stage itself costs per search: features and trees over the pool."""
    ms = []
    for case in cases:
        started = time.perf_counter()
        ranker.rank(case.request.query, case.found.chunks)
        ms.append((time.perf_counter() - started) * 1000)
    ms.sort()
    p50, p95 = ms[len(ms) // 2], ms[int(len(ms) * 0.95)]
    print(f"ranking {len(ms)} candidate lists: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


def _model_json(model: dict[str, Any]) -> str:
    """The model file: readable provenance at the top, then one tree a line."""
    head = json.dumps({k: v for k, v in model.items() if k != "trees"}, indent=1)
    trees = ",\n".join("  " + json.dumps(t, separators=(",", ":")) for t in model["trees"])
    return head[: head.rindex("}")].rstrip() + ',\n "trees": [\n' + trees + "\n ]\n}\n"


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _provenance(args: argparse.Namespace, corpus: Path, train: Sequence[Case]) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    model = f":(exclude){MODEL_PATH.relative_to(ROOT)}"
    dirty = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--",
            "src/sophia/core",
            "benchmarks/fit_ranker.py",
            "benchmarks/ranker_cases.py",
            model,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    queries = (corpus / "queries.jsonl").read_bytes()
    index = json.loads((args.data_dir / "index" / "index.json").read_text())
    return {
        "script": "benchmarks/fit_ranker.py",
        # The code that computed the features; "+changes" when it was not committed yet.
        "commit": commit + ("+changes" if dirty else ""),
        "corpus": corpus.name,
        "queries_sha256": hashlib.sha256(queries).hexdigest(),
        # The index the candidates came from: BM25 statistics differ between builds.
        "index": {k: index.get(k) for k in ("uid", "created", "embedder", "chunker")},
        "split": "train",
        "train_queries": len({c.query["qid"] for c in train}),
        "scopes": list(SCOPES),
        # Call-scoped candidate lists are the fused top CALL_POOL, as search asks for them.
        "call_pool": CALL_POOL,
        "label": "overlaps a marked span (the corpus's rule)",
        "model": f"LightGBM {_version('lightgbm')} LGBMRanker",
        "params": PARAMS,
    }


if __name__ == "__main__":
    raise SystemExit(main())
