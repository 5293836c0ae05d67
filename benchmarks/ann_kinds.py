"""Which ANN index for the chunk table: IVF-PQ (shipped) against IVF-HNSW-SQ, measured.

    python benchmarks/ann_kinds.py --corpus "$QMSUM" --index "$SCALE_INDEXES/scale-1000000"

Takes an index built by benchmarks/scale.py, hard-links a copy of its chunk table for each
IVF-HNSW-SQ variant (the original is never written), trains that variant on the copy, then
times the store's vector query (the ANN part of a global semantic search, no embedding)
for each kind over the same query vectors, interleaved query by query, and reports its
recall@10 against an exact scan and the seconds its training took.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scale import _queries, comma_ints  # the same 50 queries as scale.py
from timing import percentile

from sophia.core.embedders.local import LocalEmbedder
from sophia.core.query import NO_FILTERS
from sophia.core.stores.base import IndexInfo
from sophia.core.stores.lance import LanceStore
from sophia.core.stores.lance_generation import dataset_of
from sophia.core.stores.lance_indexes import AnnProbe

ROOT = Path(__file__).resolve().parent.parent
_K = 10


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    return asyncio.run(_main(args))


async def _main(args: argparse.Namespace) -> int:
    embedder = LocalEmbedder()
    queries = _queries(args.corpus.resolve(), args.queries)
    vectors = [
        np.asarray(await embedder.embed_query(q["query"]), dtype=np.float32) for q in queries
    ]
    store = LanceStore(args.index.resolve() / "index")
    await store.ensure_index(IndexInfo("local:all-MiniLM-L6-v2", 384))
    table = store.live_tables()[0]
    shipped = dataset_of(table)
    rows = shipped.count_rows()
    exact = [_ids(shipped, v, {"use_index": False}) for v in vectors]
    # name -> (dataset, query options, seconds its index took to train; None: built before)
    kinds: dict[str, tuple[Any, dict[str, Any], float | None]] = {
        "IVF-PQ (shipped)": (shipped, AnnProbe().nearest(table, NO_FILTERS, _K), None)
    }
    for partitions in args.hnsw_partitions:
        copy = _copy(Path(shipped.uri), args.work_dir.resolve() / f"hnsw-{partitions}.lance")
        started = time.perf_counter()
        dataset = _train_hnsw(copy, partitions)
        seconds = time.perf_counter() - started
        for ef in args.ef:
            probes = max(1, math.ceil(args.probe_share * partitions))
            name = f"IVF-HNSW-SQ, {partitions} partition(s), {probes} probed, ef {ef}"
            options = {"nprobes": probes, "ef": ef, "refine_factor": args.refine_factor}
            kinds[name] = (dataset, options, seconds)
    print(f"{rows:,} chunks, {len(vectors)} queries x {args.rounds} rounds", flush=True)
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(args.rounds):
        for vector in vectors:
            for name, (dataset, options, _) in kinds.items():
                started = time.perf_counter()
                _ids(dataset, vector, options)
                times[name].append((time.perf_counter() - started) * 1000)
    print("| index | p50 | p95 | recall@10 vs exact | trained in |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (dataset, options, seconds) in kinds.items():
        got = [_ids(dataset, v, options) for v in vectors]
        recall = statistics.mean(len(g & e) / _K for g, e in zip(got, exact, strict=True))
        took = "" if seconds is None else f"{seconds:.0f} s"
        p50, p95 = percentile(times[name], 0.5), percentile(times[name], 0.95)
        print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {recall:.3f} | {took} |", flush=True)
    await store.aclose()
    return 0


def _ids(dataset: Any, vector: Any, options: dict[str, Any]) -> set[str]:
    nearest = {"column": "vector", "q": vector, "k": _K, "metric": "cosine", **options}
    # Asking for "_distance" too keeps Lance from warning on every query.
    table = dataset.to_table(nearest=nearest, columns=["id", "_distance"])
    return set(table.column("id").to_pylist())


def _copy(source: Path, target: Path) -> Path:
    """The table's files hard-linked: Lance never rewrites a file, so the copy's new index
    and manifest are its own and the source is untouched."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, copy_function=os.link)
    return target


def _train_hnsw(path: Path, partitions: int) -> Any:
    import lance

    dataset = lance.dataset(str(path))
    # The shipped index and its delta segments share one name.
    for name in {
        index["name"] for index in dataset.list_indices() if index["fields"] == ["vector"]
    }:
        dataset.drop_index(name)
    dataset.create_index(
        "vector", "IVF_HNSW_SQ", metric="cosine", num_partitions=partitions, name="hnsw"
    )
    return lance.dataset(str(path))


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True, help="A scale.py index (scale-N).")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "benchmarks" / "out" / "ann")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    # The defaults are the 1M comparison in benchmarks/README.md ("Which ANN index").
    parser.add_argument(
        "--hnsw-partitions",
        type=comma_ints,
        default=[10, 40],
        help="IVF partitions of each IVF-HNSW-SQ variant (comma-separated).",
    )
    parser.add_argument("--ef", type=comma_ints, default=[400, 1000], help="comma-separated")
    parser.add_argument("--probe-share", type=float, default=0.5)
    parser.add_argument("--refine-factor", type=int, default=40)
    args = parser.parse_args(argv)
    if min(args.ef) < _K * args.refine_factor:
        # Lance's own message ("ef must be greater than or equal to k") names neither.
        parser.error(f"every --ef must be at least {_K} x --refine-factor ({args.refine_factor})")
    return args


if __name__ == "__main__":
    sys.exit(main())
