"""Calibrating the relevance floor (core/relevance.py) on a labelled corpus's TRAIN split.

    python benchmarks/floor.py --corpus "$QMSUM" --data-dir benchmarks/out/qmsum

Needs an index of the corpus (benchmarks/retrieval.py builds one in benchmarks/out/qmsum).
For every specific query of the train split, in call scope and global scope, it fetches the
candidates search would (3 x 10, hybrid), and records each one's raw evidence (cosine, BM25)
and whether the corpus's judges marked it relevant. It prints how the relevant ones are
spread, then hit@k and hits shown with each candidate floor, so that the floor is set where
it drops the weak hits without dropping relevant ones. The validation split is never read.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `core` is a sibling of benchmarks/
    sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import _relevant, _specific_queries, _split_of  # noqa: E402
from sophia.core.config import Settings  # noqa: E402
from sophia.core.query import SearchFilters, SearchMode  # noqa: E402
from sophia.core.relevance import RelevanceFloor  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402
from sophia.core.snippets import word_stems  # noqa: E402
from sophia.core.stores.base import StoredChunk, StoreQuery  # noqa: E402

K = 10


@dataclass(frozen=True)
class Candidate:
    similarity: float
    keyword: float
    relevant: bool
    start_ms: int
    end_ms: int
    call_id: str
    said: bool  # holds a word of the query as written


async def collect(
    sophia: Sophia, queries: Sequence[dict[str, Any]], scope: str
) -> list[list[Candidate]]:
    """Each query's candidates, best first, as search fetches them (3 x K, hybrid)."""
    found = []
    for q in queries:
        vector = await sophia.embedder.embed_query(q["query"])
        filters = SearchFilters(call_ids=(q["call_id"],)) if scope == "call" else SearchFilters()
        chunks = await sophia.store.search(
            StoreQuery(SearchMode.HYBRID, q["query"], vector, 0.5, 3 * K, filters)
        )
        found.append([_candidate(c, q) for c in chunks])
    return found


def _candidate(chunk: StoredChunk, query: dict[str, Any]) -> Candidate:
    hit = {"call_id": chunk.call_id, "start_ms": chunk.start_ms, "end_ms": chunk.end_ms}
    return Candidate(
        chunk.similarity or 0.0,
        chunk.keyword or 0.0,
        _relevant(hit, query),
        chunk.start_ms,
        chunk.end_ms,
        chunk.call_id,
        bool(word_stems(query["query"]) & word_stems(" ".join(line.text for line in chunk.lines))),
    )


def shown(candidates: Sequence[Candidate], floor: RelevanceFloor | None) -> list[Candidate]:
    """What search shows: admitted candidates, overlaps dropped, the best K."""
    kept: list[Candidate] = []
    for c in candidates:
        if floor is not None and not floor.admits_evidence(c.similarity, c.keyword, said=c.said):
            continue
        if any(
            k.call_id == c.call_id and k.start_ms < c.end_ms and c.start_ms < k.end_ms for k in kept
        ):
            continue
        kept.append(c)
    return kept[:K]


def score(runs: Sequence[Sequence[Candidate]], floor: RelevanceFloor | None) -> dict[str, float]:
    at1 = at5 = at10 = 0
    hits: list[int] = []
    dropped_relevant = 0
    for candidates in runs:
        top = shown(candidates, floor)
        base = shown(candidates, None)
        flags = [c.relevant for c in top]
        first = next((i for i, ok in enumerate(flags) if ok), None)
        at1 += first == 0
        at5 += first is not None and first < 5
        at10 += first is not None
        hits.append(len(top))
        dropped_relevant += sum(c.relevant for c in base) - sum(c.relevant for c in top)
    n = len(runs) or 1
    return {
        "hit@1": round(at1 / n, 3),
        "hit@5": round(at5 / n, 3),
        "hit@10": round(at10 / n, 3),
        "hits shown": round(statistics.fmean(hits), 2) if hits else 0.0,
        "relevant dropped": dropped_relevant,
    }


def _spread(runs: Sequence[Sequence[Candidate]]) -> None:
    shown_all = [c for candidates in runs for c in shown(candidates, None)]
    for label, group in (
        ("relevant", [c for c in shown_all if c.relevant]),
        ("not relevant", [c for c in shown_all if not c.relevant]),
    ):
        if not group:
            continue
        cos = sorted(c.similarity for c in group)
        bm25 = sorted(c.keyword for c in group)
        pick = [0.01, 0.05, 0.1, 0.25, 0.5]
        print(
            f"  {label:13} n={len(group):5}  cosine p1/p5/p10/p25/p50 "
            + "/".join(f"{cos[int(p * (len(cos) - 1))]:.2f}" for p in pick)
            + "  bm25 "
            + "/".join(f"{bm25[int(p * (len(bm25) - 1))]:.1f}" for p in pick)
        )


async def _main(args: argparse.Namespace) -> int:
    corpus = args.corpus.resolve()
    queries = _specific_queries(corpus / "queries.jsonl", _split_of(corpus), "train")
    settings = Settings(_env_file=None, sophia_data_dir=args.data_dir.resolve(), retention_days=0)
    sophia = await Sophia.open(settings)
    try:
        print(f"{len(queries)} specific train queries")
        for scope in args.scopes:
            runs = await collect(sophia, queries, scope)
            print(f"\n{scope} scope: raw evidence of the top {K} (no floor)")
            _spread(runs)
            columns = ["hit@1", "hit@5", "hit@10", "hits shown", "relevant dropped"]
            print(
                "| floor (cosine / BM25 / cosine with BM25 / BM25 alone) | "
                + " | ".join(columns)
                + " |"
            )
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            floors: list[RelevanceFloor | None] = [None]
            floors += [
                RelevanceFloor(c, k, lo, strong)
                for c in args.cosines
                for lo in args.lows
                for k in args.bm25
                for strong in args.strong
            ]
            for floor in floors:
                r = score(runs, floor)
                name = (
                    "none"
                    if floor is None
                    else f"{floor.similarity} / {floor.keyword} / {floor.low} / {floor.strong}"
                )
                print(f"| {name} | " + " | ".join(str(r[c]) for c in columns) + " |")
    finally:
        await sophia.aclose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "out" / "qmsum")
    parser.add_argument(
        "--scopes", nargs="+", choices=["call", "global"], default=["call", "global"]
    )
    parser.add_argument("--cosines", nargs="+", type=float, default=[0.25, 0.3, 0.35])
    parser.add_argument("--lows", nargs="+", type=float, default=[0.0, 0.1, 0.15])
    parser.add_argument("--bm25", nargs="+", type=float, default=[1.0, 2.0, 3.0])
    parser.add_argument("--strong", nargs="+", type=float, default=[8.0])
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
