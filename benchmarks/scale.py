"""Search latency as the index grows: 10k, 100k and 1M chunks of a real corpus.

    python benchmarks/scale.py --corpus "$QMSUM"            # all sizes
    python benchmarks/scale.py --corpus "$QMSUM" --sizes 10000,100000

The corpus is indexed once with the product (local model, `--base-dir` keeps it between
runs). Each size is then built by replicating its chunk rows through the store's own schema:
replica r gets distinct chunk and call ids and its own account ("Acme 3"), and each vector
is moved a little (cosine ~0.95 to the original) so that replicas are near neighbours, not
copies. The store then builds the indexes the product builds after a sync (FTS, scalar and,
past ANN_MIN_ROWS, the ANN index). Searches go through SearchService with no cache, so
each timing includes the query embedding; the query vectors' own time is reported apart.

Reports p50/p95 of hybrid, semantic, keyword, call-scoped and account-scoped search, the
ANN index's recall@10 against an exact scan, the process's peak RSS, and growth ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import resource
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sophia.core.config import Settings  # noqa: E402
from sophia.core.embedders.local import LocalEmbedder  # noqa: E402
from sophia.core.query import SearchMode, account_key, build_request  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402
from sophia.core.stores.base import IndexInfo  # noqa: E402
from sophia.core.stores.lance import LanceStore  # noqa: E402
from sophia.core.stores.lance_generation import dataset_of  # noqa: E402
from sophia.core.stores.lance_indexes import AnnProbe, ann_partitions  # noqa: E402

# Replicas' vectors: noise of this norm per unit vector (cosine to the original ~0.95).
_NOISE = 0.33
_ID_SPACE = uuid.UUID("5b0f3c52-0d5c-4b8e-9f59-7a1f3c2d9e10")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    return asyncio.run(_main(args))


async def _main(args: argparse.Namespace) -> int:
    base = await _base_index(args.corpus.resolve(), args.base_dir.resolve())
    queries = _queries(args.corpus.resolve(), args.queries)
    embedder = LocalEmbedder()
    vectors = [await embedder.embed_query(q["query"]) for q in queries]  # warm
    embed_ms = []
    for q in queries:
        started = time.perf_counter()
        await embedder.embed_query(q["query"])
        embed_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"query embedding: p50 {_pct(embed_ms, 50):.1f} ms, p95 {_pct(embed_ms, 95):.1f} ms",
        flush=True,
    )
    chunks, calls = await _base_rows(base)
    results = []
    for size in args.sizes:
        target = args.work_dir.resolve() / f"scale-{size}"
        built = await _replicate(chunks, calls, size, target, reuse=args.reuse)
        row = await _measure(target, queries, vectors, rounds=args.rounds)
        row.update(size=size, chunks=built["chunks"], build_s=built["seconds"])
        results.append(row)
        print(json.dumps(row), flush=True)
    _print_table(results, statistics.median(embed_ms))
    (args.work_dir / "scale.json").write_text(json.dumps(results, indent=2))
    return 0


# --- the base corpus -----------------------------------------------------------------------


async def _base_index(corpus: Path, base_dir: Path) -> Path:
    """The corpus indexed by the product with the local model, once."""
    if (base_dir / "index").is_dir():
        return base_dir
    settings = bench_settings(base_dir)
    sophia = await Sophia.open(settings)
    try:
        started = time.perf_counter()
        summary = await sophia.ingest_folder(corpus)
        print(f"base index: {summary.line()} in {time.perf_counter() - started:.0f} s")
    finally:
        await sophia.aclose()
    return base_dir


async def _base_rows(base: Path) -> tuple[pa.Table, pa.Table]:
    store = LanceStore(base / "index")
    await store.ensure_index(IndexInfo("local:all-MiniLM-L6-v2", 384))
    chunks, calls = store.live_tables()
    rows = chunks.to_arrow(), calls.to_arrow()
    await store.aclose()
    return rows


# --- replicas ---------------------------------------------------------------------------------


async def _replicate(
    chunks: pa.Table, calls: pa.Table, size: int, target: Path, *, reuse: bool
) -> dict[str, Any]:
    """An index of `size` chunks: replicas of the base rows, then the product's indexes."""
    marker = target / "built.json"
    if reuse and marker.is_file():
        built: dict[str, Any] = json.loads(marker.read_text())
        return built
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    store = LanceStore(target / "index")  # an empty index with the product's schema
    await store.ensure_index(IndexInfo("local:all-MiniLM-L6-v2", 384))
    rng = np.random.default_rng(7)
    replicas = math.ceil(size / chunks.num_rows)
    written = 0
    for r in range(replicas):
        take = min(chunks.num_rows, size - written)
        part = chunks.slice(0, take)
        chunk_table, call_table = store.live_tables()
        chunk_table.add(_chunk_replica(part, r, rng))
        call_table.add(_call_replica(calls, r))
        written += take
    await store.optimize()  # FTS, scalar and ANN indexes, as after a sync
    built = {"chunks": written, "seconds": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(built))
    return built


def _chunk_replica(part: pa.Table, r: int, rng: np.random.Generator) -> pa.Table:
    if r == 0:
        return part
    ids = [str(uuid.uuid5(_ID_SPACE, f"{i}:{r}")) for i in part.column("id").to_pylist()]
    accounts = [f"{a} {r}" if a else a for a in part.column("account").to_pylist()]
    dim = part.schema.field("vector").type.list_size
    vectors = np.asarray(part.column("vector").to_pylist(), dtype=np.float32)
    noise = rng.normal(size=vectors.shape).astype(np.float32)
    noise *= _NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
    moved = vectors + noise
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    columns = {
        "id": pa.array(ids),
        "call_id": pa.array([_call_id(c, r) for c in part.column("call_id").to_pylist()]),
        "account": pa.array(accounts),
        "account_key": pa.array([account_key(a) if a else None for a in accounts]),
        "vector": pa.FixedSizeListArray.from_arrays(pa.array(moved.ravel()), dim),
    }
    return pa.table(
        [columns.get(name, part.column(name)) for name in part.schema.names],
        schema=part.schema,
    )


def _call_replica(calls: pa.Table, r: int) -> pa.Table:
    # Transcripts are not needed to search; the replicas' calls carry none (they would
    # make the 1M-chunk table ~2 GB of JSON nobody reads here).
    accounts = [f"{a} {r}" if (a and r) else a for a in calls.column("account").to_pylist()]
    columns = {
        "call_id": pa.array([_call_id(c, r) for c in calls.column("call_id").to_pylist()]),
        "account": pa.array(accounts),
        "account_key": pa.array([account_key(a) if a else None for a in accounts]),
        "monologues": pa.array(["[]"] * calls.num_rows),
    }
    return pa.table(
        [columns.get(name, calls.column(name)) for name in calls.schema.names],
        schema=calls.schema,
    )


def _call_id(call_id: str, r: int) -> str:
    return call_id if r == 0 else f"{call_id}r{r}"


# --- measuring --------------------------------------------------------------------------------


async def _measure(
    target: Path, queries: list[dict[str, Any]], vectors: list[Any], *, rounds: int
) -> dict[str, Any]:
    sophia = await Sophia.open(bench_settings(target))
    try:
        await sophia.embedder.warm_up()
        store = sophia.store
        assert isinstance(store, LanceStore)
        accounts = sorted(
            {c.details.account for c in await store.list_calls(transcripts=False)} - {None}
        )
        rng = random.Random(11)
        scoped_accounts = [rng.choice(accounts) for _ in queries]
        timings: dict[str, list[float]] = {}
        for _ in range(rounds):
            for q, account in zip(queries, scoped_accounts, strict=True):
                for kind, request in _requests(q, account):
                    started = time.perf_counter()
                    await sophia.search.search(request)
                    timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        row: dict[str, Any] = {
            kind: {"p50": round(_pct(ms, 50), 1), "p95": round(_pct(ms, 95), 1)}
            for kind, ms in timings.items()
        }
        row["ann"] = ann_partitions(store.live_tables()[0]) is not None
        row["recall_at_10"] = _recall(store, vectors) if row["ann"] else 1.0
        row["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return row
    finally:
        await sophia.aclose()


def _requests(q: dict[str, Any], account: str) -> list[tuple[str, Any]]:
    text = q["query"]
    return [
        ("hybrid", build_request(query=text, limit=10)),
        ("semantic", build_request(query=text, limit=10, mode=SearchMode.SEMANTIC)),
        ("keyword", build_request(query=text, limit=10, mode=SearchMode.KEYWORD)),
        (
            "call",
            build_request(query=text, limit=10, filters={"call_ids": [q["call_id"]]}),
        ),
        (
            "account",
            build_request(query=text, limit=10, filters={"account": account}),
        ),
    ]


def _recall(store: LanceStore, vectors: list[Any]) -> float:
    """Overlap of the ANN top 10 (as the product queries it) with an exact scan's."""
    from sophia.core.query import NO_FILTERS

    probe = AnnProbe()
    table = store.live_tables()[0]
    dataset = dataset_of(table)
    found = []
    for vector in vectors:
        exact = table.search(vector).distance_type("cosine").bypass_vector_index()
        nearest = {"column": "vector", "q": vector, "k": 10, "metric": "cosine"}
        nearest.update(probe.nearest(table, NO_FILTERS, 10))
        ann = dataset.to_table(nearest=nearest, columns=["id", "_distance"])
        want = {r["id"] for r in exact.select(["id", "_distance"]).limit(10).to_list()}
        got = set(ann.column("id").to_pylist())
        found.append(len(want & got) / 10)
    return round(statistics.mean(found), 3)


# --- plumbing ---------------------------------------------------------------------------------


def bench_settings(data_dir: Path) -> Settings:
    """A benchmark index's settings: the local model, nothing expires, no cache."""
    return Settings(
        _env_file=None,
        sophia_data_dir=data_dir,
        sophia_embedder="local",
        retention_days=0,
        cache_ttl_s=0,
    )


def _queries(corpus: Path, count: int) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (corpus / "queries.jsonl").read_text().splitlines()]
    specific = [r for r in rows if r.get("kind", "specific") == "specific" and r.get("call_id")]
    return random.Random(5).sample(specific, min(count, len(specific)))


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def _print_table(rows: list[dict[str, Any]], embed_p50: float) -> None:
    kinds = ("hybrid", "semantic", "keyword", "call", "account")
    print()
    print(
        "| chunks | "
        + " | ".join(f"{k} p50 / p95" for k in kinds)
        + " | ANN | recall@10 | peak RSS |"
    )
    print("| ---: |" + " ---: |" * len(kinds) + " --- | ---: | ---: |")
    for row in rows:
        cells = [f"{row[k]['p50']} / {row[k]['p95']} ms" for k in kinds]
        print(
            f"| {row['chunks']:,} | "
            + " | ".join(cells)
            + f" | {'yes' if row['ann'] else 'no (exact)'} | {row['recall_at_10']} |"
            f" {row['rss_mb']} MB |"
        )
    for smaller, bigger in itertools.pairwise(rows):
        ratios = ", ".join(
            f"{k} {bigger[k]['p50'] / max(smaller[k]['p50'], 0.01):.2f}x" for k in kinds
        )
        print(f"growth {bigger['chunks']:,}/{smaller['chunks']:,} (p50): {ratios}")
    print(f"query embedding p50: {embed_p50:.1f} ms (inside every timing above)")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def comma_ints(text: str) -> list[int]:
    """An argument such as "10000,100000" as its numbers."""
    return [int(x) for x in text.split(",")]


def sized_index_parser(description: str) -> argparse.ArgumentParser:
    """The arguments every benchmark on replicated indexes takes: the corpus, where the copies
    go, and their sizes in chunks."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument(
        "--sizes",
        type=comma_ints,
        default=[10_000, 100_000, 1_000_000],
    )
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = sized_index_parser(__doc__.splitlines()[0])
    parser.add_argument("--base-dir", type=Path, default=ROOT / "benchmarks" / "out" / "scale-base")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Keep indexes built earlier.")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
