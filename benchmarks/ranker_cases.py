"""The candidates the second-stage ranker is fitted and scored on: every specific query of a
labelled corpus, in call and global scope, run once through the product's own search code
(`SearchService.candidates`: the store's fused top `pool`), kept on disk between fits, and
labelled by the corpus's rule. Used by benchmarks/fit_ranker.py."""

from __future__ import annotations

import argparse
import asyncio
import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `core` is a sibling of benchmarks/
    sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import _relevant, _specific_queries, _split_of  # noqa: E402
from sophia.core.cache import NoCache  # noqa: E402
from sophia.core.chunking import render_lines  # noqa: E402
from sophia.core.config import Settings  # noqa: E402
from sophia.core.query import SearchRequest, build_request  # noqa: E402
from sophia.core.ranking import FEATURES, Ranker  # noqa: E402
from sophia.core.search import Candidates, SearchService  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402
from sophia.core.stores.base import StoredChunk  # noqa: E402
from sophia.core.trees import build_trees  # noqa: E402

__all__ = [
    "SCOPES",
    "Case",
    "K",
    "labelled_queries",
    "load_cases",
    "print_recall",
    "relevant_chunk",
    "shown_hits",
]

K = 10
SCOPES = ("call", "global")
# One leaf of 0 for every row: a ranker that keeps the store's order but asks for the pool.
_KEEP = [{"split_feature": [], "threshold": [], "left": [], "right": [], "leaf_value": [0.0]}]


@dataclass
class Case:
    """One query in one scope, with the store's candidates in its order."""

    query: dict[str, Any]
    scope: str
    split: str
    request: SearchRequest
    found: Candidates


def labelled_queries(corpus: Path) -> list[tuple[dict[str, Any], str]]:
    """Every specific query of the corpus with its split, train first."""
    split_of = _split_of(corpus)
    return [
        (q, split)
        for split in ("train", "val")
        for q in _specific_queries(corpus / "queries.jsonl", split_of, split)
    ]


def load_cases(args: argparse.Namespace, corpus: Path) -> list[Case]:
    """Every specific query of train and val in both scopes, fetched once and kept in
    `--cache` (default `--data-dir`/ranker/: the index does not change between fits)."""
    data_dir = args.data_dir.resolve()
    saved = (args.cache or data_dir / "ranker").resolve() / f"candidates-{args.pool}.pkl"
    if saved.exists() and not args.refresh:
        cases: list[Case] = pickle.loads(saved.read_bytes())
        return cases
    queries = labelled_queries(corpus)
    # The ranker being fitted is not the one search loads: fetch with none.
    settings = Settings(
        sophia_data_dir=data_dir, retention_days=0, cache_ttl_s=0, search_rerank=False
    )
    cases = asyncio.run(_fetch(settings, queries, args.pool))
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_bytes(pickle.dumps(cases))
    return cases


async def _fetch(
    settings: Settings, queries: list[tuple[dict[str, Any], str]], pool: int
) -> list[Case]:
    sophia = await Sophia.open(settings)
    try:
        await sophia.embedder.warm_up()
        keep = Ranker(build_trees(_KEEP, len(FEATURES)), pool, name="store order")
        service = SearchService(sophia.store, sophia.embedder, NoCache(), ranker=keep)
        cases = []
        for n, (q, split) in enumerate(queries, 1):
            for scope in SCOPES:
                filters = {"call_ids": (q["call_id"],)} if scope == "call" else {}
                request = build_request(query=q["query"], limit=K, filters=filters)
                cases.append(Case(q, scope, split, request, await service.candidates(request)))
            if n % 200 == 0:
                print(f"  {n}/{len(queries)} queries", file=sys.stderr, flush=True)
        return cases
    finally:
        await sophia.aclose()


def relevant_chunk(chunk: StoredChunk, query: dict[str, Any], *, centre: bool = False) -> bool:
    hit = {"call_id": chunk.call_id, "start_ms": chunk.start_ms, "end_ms": chunk.end_ms}
    return _relevant(hit, query, centre=centre)


def print_recall(cases: Sequence[Case]) -> None:
    print("Candidate recall (a relevant chunk among the store's fused top n):")
    print("| split | scope | queries | @10 | @30 | @50 | @100 |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for split in ("train", "val"):
        for scope in SCOPES:
            group = [c for c in cases if c.split == split and c.scope == scope]
            cells = []
            for n in (10, 30, 50, 100):
                found = sum(
                    any(relevant_chunk(ch, c.query) for ch in c.found.chunks[:n]) for c in group
                )
                cells.append(f"{found / len(group):.3f}")
            print(f"| {split} | {scope} | {len(group)} | " + " | ".join(cells) + " |")


def shown_hits(service: SearchService, case: Case) -> list[dict[str, Any]]:
    # The fused order without a ranker is the store's top limit x 3, as search fetches it.
    found = case.found
    shown, _ = service.shown(case.request, found)
    return [
        {
            "call_id": ch.call_id,
            "start_ms": ch.start_ms,
            "end_ms": ch.end_ms,
            "text": render_lines(ch.lines),
        }
        for ch in shown
    ]
