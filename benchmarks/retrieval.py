"""Retrieval quality on a Gong-shaped corpus with labelled queries (QMSum dev).

Ingests the corpus with `sophia ingest` (RETENTION_DAYS=0), runs every specific query through
`sophia search --queries --json` in call scope (restricted to its call) and global scope,
and scores the hits by the corpus's relevance rule (overlap with a labelled span), with the
second-stage ranker off (the store's fused order) and on, in the same run:

    python benchmarks/retrieval.py --corpus "$QMSUM"

Beside hit@k and MRR it reports words per hit and centre-point hit@5, because the overlap
rule rewards long hits (see RETRIEVAL-NOTES.md): a gain that only comes from longer hits is
not a gain.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
K = 10


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    corpus: Path = args.corpus.resolve()
    data_dir: Path = args.data_dir.resolve()
    env = {**os.environ, "SOPHIA_DATA_DIR": str(data_dir), "RETENTION_DAYS": "0"}
    if args.embedder:
        env["SOPHIA_EMBEDDER"] = args.embedder
    if args.no_floor:
        env["SEARCH_FLOOR"] = "false"
    for name, value in (
        ("SEARCH_ALPHA", args.alpha),
        ("CHUNK_TOKENS", args.chunk_tokens),
        ("CHUNK_OVERLAP", args.chunk_overlap),
    ):
        if value is not None:
            env[name] = str(value)

    started = time.perf_counter()
    _sophia(["ingest", "--from-dir", str(corpus)], env)
    ingest_s = time.perf_counter() - started

    queries = _specific_queries(corpus / "queries.jsonl", _split_of(corpus), args.split)
    print(f"{len(queries)} specific queries ({args.split}); ingest {ingest_s:.0f} s", flush=True)
    work = data_dir / "bench"
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for scope, rerank in [(scope, rerank) for scope in args.scopes for rerank in args.rerank]:
        batch = work / f"queries-{scope}.jsonl"
        with batch.open("w") as handle:
            for q in queries:
                line = {"qid": q["qid"], "query": q["query"]}
                if scope == "call":
                    line["call_id"] = q["call_id"]
                handle.write(json.dumps(line) + "\n")
        started = time.perf_counter()
        output = _sophia(
            ["search", "--queries", str(batch), "--json", "--limit", str(K), "--mode", args.mode],
            {**env, "SEARCH_RERANK": rerank},
        )
        seconds = time.perf_counter() - started
        hits = {r["qid"]: r.get("hits", []) for r in map(json.loads, output.splitlines())}
        rows.append(
            {
                "scope": scope,
                "rerank": rerank,
                **_score(queries, hits),
                "seconds": round(seconds, 1),
            }
        )

    _print_table(rows)
    result = {
        "corpus": str(corpus),
        "split": args.split,
        "mode": args.mode,
        "ingest_seconds": round(ingest_s, 1),
        "rows": rows,
    }
    (work / "retrieval.json").write_text(json.dumps(result, indent=2))
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "out" / "qmsum")
    parser.add_argument("--split", choices=["all", "train", "val"], default="all")
    parser.add_argument(
        "--scopes", nargs="+", choices=["call", "global"], default=["call", "global"]
    )
    parser.add_argument(
        "--rerank",
        nargs="+",
        choices=["off", "on"],
        default=["off", "on"],
        help="SEARCH_RERANK for each batch: both by default, fused order then the ranker.",
    )
    parser.add_argument("--mode", choices=["hybrid", "semantic", "keyword"], default="hybrid")
    parser.add_argument("--embedder", choices=["local", "hashing"], default=None)
    parser.add_argument("--alpha", type=float, default=None)
    parser.add_argument("--chunk-tokens", type=int, default=None)
    parser.add_argument("--chunk-overlap", type=int, default=None)
    parser.add_argument(
        "--no-floor", action="store_true", help="Show every hit (SEARCH_FLOOR=false)."
    )
    return parser.parse_args(argv)


def _sophia(args: list[str], env: dict[str, str]) -> str:
    command = [str(Path(sys.executable).with_name("sophia")), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"`sophia {' '.join(args[:1])}` failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _split_of(corpus: Path) -> dict[str, str]:
    index = corpus / "turn_index.json"
    if not index.exists():
        return {}
    return {entry["callId"]: entry["split"] for entry in json.loads(index.read_text())}


def _specific_queries(path: Path, split_of: dict[str, str], split: str) -> list[dict[str, Any]]:
    queries = []
    for line in path.read_text().splitlines():
        q = json.loads(line)
        if q["kind"] == "specific" and (split == "all" or split_of.get(q["call_id"]) == split):
            queries.append(q)
    return queries


def _relevant(hit: dict[str, Any], query: dict[str, Any], *, centre: bool = False) -> bool:
    """The corpus's rule: same call, and the hit's [start, end) overlaps a labelled range."""
    if hit["call_id"] != query["call_id"]:
        return False
    start, end = hit["start_ms"], hit["end_ms"]
    if centre:
        start = end = (start + end) // 2
    for span in query["relevant"]:
        if span["call_id"] != hit["call_id"]:
            continue
        if start == end:
            if span["start_ms"] <= start < span["end_ms"]:
                return True
        elif start < span["end_ms"] and span["start_ms"] < end:
            return True
    return False


def _words(hit: dict[str, Any]) -> int:
    # Count what was said, not the "Speaker:" labels in front of each line.
    return sum(len(line.split(":", 1)[-1].split()) for line in hit["text"].splitlines())


def _score(
    queries: list[dict[str, Any]], hits: dict[str, list[dict[str, Any]]]
) -> dict[str, float]:
    at1 = at5 = at10 = mrr = recall = centre5 = 0.0
    words: list[int] = []
    shown = 0
    for q in queries:
        ranked = hits.get(q["qid"], [])[:K]
        shown += len(ranked)
        flags = [_relevant(h, q) for h in ranked]
        first = next((i for i, ok in enumerate(flags) if ok), None)
        at1 += first == 0
        at5 += first is not None and first < 5
        at10 += first is not None
        mrr += 0 if first is None else 1 / (first + 1)
        centre5 += any(_relevant(h, q, centre=True) for h in ranked[:5])
        covered = sum(
            any(_relevant(h, {**q, "relevant": [span]}) for h in ranked) for span in q["relevant"]
        )
        recall += covered / len(q["relevant"])
        words.extend(_words(h) for h in ranked[:5])
    n = len(queries) or 1
    return {
        "queries": len(queries),
        "hit@1": round(at1 / n, 3),
        "hit@5": round(at5 / n, 3),
        "hit@10": round(at10 / n, 3),
        "mrr@10": round(mrr / n, 3),
        "span_recall@10": round(recall / n, 3),
        "centre_hit@5": round(centre5 / n, 3),
        "words_per_hit": round(statistics.fmean(words), 1) if words else 0.0,
        # Fewer than K when the relevance floor leaves weak hits out.
        "hits_per_query": round(shown / n, 2),
    }


def _print_table(rows: list[dict[str, Any]]) -> None:
    columns = [
        "scope",
        "rerank",
        "queries",
        "hit@1",
        "hit@5",
        "hit@10",
        "mrr@10",
        "span_recall@10",
        "centre_hit@5",
        "words_per_hit",
        "hits_per_query",
        "seconds",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(" --- " for _ in columns) + "|")
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
