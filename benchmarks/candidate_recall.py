"""How often the right moment is among a query's candidates, for ways of generating them.

    python benchmarks/candidate_recall.py --corpus "$QMSUM" --data-dir DIR [--rank 200]

A reordering can only show what the candidates hold. For every specific query (train and
val, call and global scope) this fetches the store's BM25 list (top 300, the product's
keyword search) and scores every chunk of the index by cosine to the query vector (exact,
as the store does below 25,000 chunks), once, kept in `--cache`. It then replays the
store's relative score fusion offline to compare candidate sets: the fused list cut at 100
(today), the whole union of the two top-100 lists, fusion over two top-200 lists, each list
alone, and the fused top 50 widened by each chunk's neighbours; and how often the query's
call is among the top calls by call-level scores (call-first retrieval). `--rank N` fits
and scores the ranker (train only) on the top-200 fusion cut at N, to see what a wider pool
is worth after ranking.
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `core` is a sibling of benchmarks/
    sys.path.insert(0, str(ROOT))

from benchmarks import fit_ranker  # noqa: E402
from benchmarks.ranker_cases import SCOPES, Case, K, labelled_queries, print_recall  # noqa: E402
from benchmarks.retrieval import _relevant  # noqa: E402
from sophia.core.config import Settings  # noqa: E402
from sophia.core.query import SearchMode, build_request  # noqa: E402
from sophia.core.search import Candidates  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402
from sophia.core.stores.base import StoredChunk, StoreQuery  # noqa: E402
from sophia.core.stores.fusion import relative_score_fusion  # noqa: E402
from sophia.core.stores.lance import LanceStore  # noqa: E402
from sophia.core.stores.records import HIT_FIELDS, stored_chunk  # noqa: E402

DEPTHS = (50, 100, 200)


class Index:
    """Every chunk of the index: rows for the replay, vectors normalised for cosine."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.chunks = [stored_chunk(r, r["id"], 0.0) for r in rows]
        self.row = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        vectors = np.array([r["vector"] for r in rows], dtype=np.float32)
        self.vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        self.of_call: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(self.chunks):
            self.of_call[c.call_id].append(i)
        self.at = {(c.call_id, c.chunk_index): i for i, c in enumerate(self.chunks)}

    def lists(
        self, rec: dict[str, Any], scope: str, depth: int
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """The vector and BM25 top `depth` of a query in a scope, best first."""
        rows = (
            np.arange(len(self.chunks))
            if scope == "global"
            else np.array(self.of_call[rec["query"]["call_id"]])
        )
        cosine = self.vectors[rows] @ rec["vector"]
        best = np.argsort(-cosine, kind="stable")[:depth]
        vector = [(self.chunks[rows[j]].chunk_id, float(cosine[j])) for j in best]
        return vector, rec[scope][:depth]

    def fused(self, rec: dict[str, Any], scope: str, depth: int) -> list[int]:
        vector, keyword = self.lists(rec, scope, depth)
        return [self.row[k] for k, _ in relative_score_fusion(vector, keyword, 0.5)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "out" / "qmsum")
    parser.add_argument("--cache", type=Path, help="Default: DATA_DIR/ranker.")
    parser.add_argument("--rank", type=int, default=0, metavar="N", help="Fit on N candidates.")
    args = parser.parse_args(argv)
    cache = (args.cache or args.data_dir / "ranker").resolve()
    recs = _lists(args.corpus.resolve(), args.data_dir.resolve(), cache / "lists-300.pkl")
    index = Index(asyncio.run(_rows(args.data_dir.resolve())))
    if args.rank:
        _rank(index, recs, args.rank)
        return 0
    policies: dict[str, Callable[[dict[str, Any], str], list[int]]] = {
        "fused top 100 (today)": lambda r, s: index.fused(r, s, 100)[:100],
        "union of both top 100": lambda r, s: index.fused(r, s, 100),
        "fused over both top 200, top 200": lambda r, s: index.fused(r, s, 200)[:200],
        "vector top 200": lambda r, s: [index.row[k] for k, _ in index.lists(r, s, 200)[0]],
        "BM25 top 200": lambda r, s: [index.row[k] for k, _ in index.lists(r, s, 200)[1]],
        "fused top 50 and neighbours": lambda r, s: _widened(index, index.fused(r, s, 100)),
    }
    print("| candidates | split | scope | @50 | @100 | @200 | mean size |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for name, policy in policies.items():
        for split in ("train", "val"):
            for scope in SCOPES:
                group = [(r, policy(r, scope)) for r in recs if r["split"] == split]
                cells = [
                    np.mean([any(_right(index, i, r) for i in rows[:n]) for r, rows in group])
                    for n in DEPTHS
                ]
                size = np.mean([len(rows) for _, rows in group])
                print(
                    f"| {name} | {split} | {scope} | {' | '.join(f'{c:.3f}' for c in cells)}"
                    f" | {size:.0f} |"
                )
    _call_first(index, recs)
    return 0


def _right(index: Index, row: int, rec: dict[str, Any]) -> bool:
    c = index.chunks[row]
    return _relevant(
        {"call_id": c.call_id, "start_ms": c.start_ms, "end_ms": c.end_ms}, rec["query"]
    )


def _widened(index: Index, fused: list[int]) -> list[int]:
    """The fused top 50 with each chunk's neighbours after it, then the rest of the list."""
    seen: dict[int, None] = {}
    for i in fused[:50]:
        c = index.chunks[i]
        for j in (
            i,
            index.at.get((c.call_id, c.chunk_index - 1)),
            index.at.get((c.call_id, c.chunk_index + 1)),
        ):
            if j is not None:
                seen.setdefault(j)
    return [*seen, *(i for i in fused if i not in seen)]


def _call_first(index: Index, recs: list[dict[str, Any]]) -> None:
    """How often the query's call is among the top k calls, by call-level scores."""
    calls = sorted(index.of_call)
    centroids = np.array([index.vectors[index.of_call[c]].mean(axis=0) for c in calls])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    print("\n| call ranked by | split | right call @1 | @3 | @5 | @10 |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    ranks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rec in recs:
        vector, keyword = index.lists(rec, "global", 100)
        signals: dict[str, dict[str, float]] = {}
        best: dict[str, float] = defaultdict(float)
        for k, s in relative_score_fusion(vector, keyword, 0.5):
            best[index.chunks[index.row[k]].call_id] = max(
                best[index.chunks[index.row[k]].call_id], s
            )
        signals["best fused chunk"] = best
        bm25: dict[str, list[float]] = defaultdict(list)
        for k, s in rec["global"]:
            bm25[index.chunks[index.row[k]].call_id].append(s)
        signals["BM25 of its best 3 chunks (top 300)"] = {
            c: sum(sorted(v)[-3:]) for c, v in bm25.items()
        }
        cosine = centroids @ rec["vector"]
        signals["cosine to its centroid"] = {c: float(cosine[i]) for i, c in enumerate(calls)}
        for name, score in signals.items():
            order = sorted(score, key=lambda c: -score[c])
            right = rec["query"]["call_id"]
            ranks[(name, rec["split"])].append(order.index(right) if right in order else len(calls))
    for (name, split), got in ranks.items():
        r = np.array(got)
        print(
            f"| {name} | {split} | "
            + " | ".join(f"{np.mean(r < k):.3f}" for k in (1, 3, 5, 10))
            + " |"
        )


def _rank(index: Index, recs: list[dict[str, Any]], pool: int) -> None:
    """Fit the ranker on train (as fit_ranker.py does) over the top-200 fusion cut at `pool`."""
    cases = []
    for rec in recs:
        for scope in SCOPES:
            filters = {"call_ids": (rec["query"]["call_id"],)} if scope == "call" else {}
            request = build_request(query=rec["query"]["query"], limit=K, filters=filters)
            chunks = _replayed(index, rec, scope, pool)
            found = Candidates(SearchMode.HYBRID, chunks)
            cases.append(Case(rec["query"], scope, rec["split"], request, found))
    print_recall(cases)
    trees = fit_ranker.fit([c for c in cases if c.split == "train"])
    ranker = fit_ranker._ranker(trees, pool)
    fit_ranker._print_scores(cases, ranker)
    fit_ranker._print_time(cases, ranker)


def _replayed(index: Index, rec: dict[str, Any], scope: str, pool: int) -> list[StoredChunk]:
    """What the store's hybrid search returns with both sub-lists at max(pool, 100)."""
    vector, keyword = index.lists(rec, scope, max(pool, 100))
    bm25 = dict(keyword)
    out = []
    for k, score in relative_score_fusion(vector, keyword, 0.5)[:pool]:
        i = index.row[k]
        cosine = float(index.vectors[i] @ rec["vector"])
        out.append(replace(index.chunks[i], score=score, similarity=cosine, keyword=bm25.get(k)))
    return out


async def _rows(data_dir: Path) -> list[dict[str, Any]]:
    store = LanceStore(data_dir / "index")
    try:
        chunks, _ = store.live_tables()
        columns = ["id", *HIT_FIELDS, "vector"]
        rows: list[dict[str, Any]] = chunks.to_arrow().select(columns).to_pylist()
        return rows
    finally:
        await store.aclose()


def _lists(corpus: Path, data_dir: Path, saved: Path) -> list[dict[str, Any]]:
    """Each query with its vector (normalised) and BM25 top 300 per scope, fetched once."""
    if saved.exists():
        recs: list[dict[str, Any]] = pickle.loads(saved.read_bytes())
        return recs
    recs = asyncio.run(_fetch(data_dir, labelled_queries(corpus)))
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_bytes(pickle.dumps(recs))
    return recs


async def _fetch(data_dir: Path, queries: list[tuple[dict[str, Any], str]]) -> list[dict[str, Any]]:
    settings = Settings(sophia_data_dir=data_dir, retention_days=0, cache_ttl_s=0)
    sophia = await Sophia.open(settings)
    try:
        await sophia.embedder.warm_up()
        recs = []
        for query, split in queries:
            vector = np.asarray(await sophia.embedder.embed_query(query["query"]), np.float32)
            rec = {
                "query": query,
                "split": split,
                "vector": vector.ravel() / np.linalg.norm(vector),
            }
            for scope in SCOPES:
                filters = {"call_ids": (query["call_id"],)} if scope == "call" else {}
                request = build_request(query=query["query"], limit=K, filters=filters)
                found = await sophia.store.search(
                    StoreQuery(SearchMode.KEYWORD, query["query"], None, 0.5, 300, request.filters)
                )
                rec[scope] = [(c.chunk_id, c.keyword or 0.0) for c in found]
            recs.append(rec)
        return recs
    finally:
        await sophia.aclose()


if __name__ == "__main__":
    raise SystemExit(main())
