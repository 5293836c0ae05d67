"""What a small sync costs as the index grows: 5 new calls added to 10k, 100k and 1M chunks.

    python benchmarks/scale.py --corpus "$QMSUM" --reuse   # builds the indexes
    python benchmarks/incremental.py --corpus "$QMSUM"
    python benchmarks/incremental.py --corpus "$QMSUM" --series 34 --calls 1 \
        --sizes 100000

Each run starts from a fresh copy of an index built by benchmarks/scale.py (its files are
shared by hard links: Lance never rewrites a file in place) and ingests 5 of the corpus's
meetings under new call ids through the product's own ingest (`Sophia.ingest_folder`, local
model). It reports, from the ingest summary: embedding time, the store's write and optimize
time and the bytes each wrote (files that appeared on disk), against the size of the new
rows; then checks that a global search right after the ingest finds each new call (by a
sentence planted in it: the index already holds these meetings' text in its replicas).

`--series N` instead runs N syncs (of `--calls` calls) one after another on one copy, as a
day of polling would, so the upkeep that thresholds trigger (merging index deltas, compacting
small files) shows up in the maximum and the mean.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scale import bench_settings, sized_index_parser  # noqa: E402  (benchmarks/ is the script's own folder)

from sophia.core.query import build_request  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402

# New ids outside the corpus's and the replicas' id space.
_NEW_ID_BASE = 8_100_000_000_000_000_000


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    return asyncio.run(_main(args))


async def _main(args: argparse.Namespace) -> int:
    meetings = _meetings(args.corpus.resolve(), args.calls)
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        built = args.work_dir.resolve() / f"scale-{size}"
        if not (built / "built.json").is_file():
            print(f"{built} is missing: run benchmarks/scale.py --sizes {size} first")
            return 2
        target = args.work_dir.resolve() / f"incremental-{size}"
        if args.series:
            _link_copy(built, target)
            for run in range(args.series):
                rows.append(await _sync(target, meetings, size, run))
        else:
            for run in range(args.runs):
                _link_copy(built, target)
                rows.append(await _sync(target, meetings, size, run))
        shutil.rmtree(target, ignore_errors=True)
    _print(rows, series=bool(args.series))
    return 0


async def _sync(target: Path, meetings: dict[str, Any], size: int, run: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        ids = _write_folder(Path(folder), meetings, run)
        sophia = await Sophia.open(bench_settings(target))
        try:
            await sophia.embedder.warm_up()
            summary = await sophia.ingest_folder(Path(folder))
            new_rows = _new_rows_bytes(sophia, ids)
            found = await _found(sophia, ids)
        finally:
            await sophia.aclose()
    row = {
        "size": size,
        "run": run + 1,
        "chunks": summary.chunks,
        "embed_s": summary.embed_seconds,
        "total_s": summary.seconds,
        "write_s": summary.write_seconds,
        "optimize_s": summary.optimize_seconds,
        "write_mb": (summary.write_bytes or 0) / 1e6,
        "optimize_mb": (summary.optimize_bytes or 0) / 1e6,
        "new_rows_mb": new_rows / 1e6,
        "found": found,
        "calls": len(ids),
        "upkeep": summary.upkeep,
    }
    store_s = row["write_s"] + row["optimize_s"]
    ratio = (row["write_mb"] + row["optimize_mb"]) / max(row["new_rows_mb"], 1e-9)
    print(
        f"{size:>9,} run {run + 1}: {summary.chunks} chunks in {summary.seconds:.1f} s; "
        f"embed {row['embed_s']:.1f} s ({row['embed_s'] / summary.seconds:.0%}); "
        f"store {store_s:.2f} s (write {row['write_s']:.2f}, optimize {row['optimize_s']:.2f}); "
        f"wrote {row['write_mb'] + row['optimize_mb']:.1f} MB = {ratio:.1f}x the new rows; "
        f"new calls found: {found}/{len(ids)}; {'; '.join(summary.upkeep)}",
        flush=True,
    )
    return row


def _meetings(corpus: Path, count: int) -> dict[str, Any]:
    """The `count` meetings closest to the corpus's mean length (5: ~300 chunks)."""
    calls = json.loads((corpus / "calls.json").read_text())
    transcripts = {t["callId"]: t for t in json.loads((corpus / "transcripts.json").read_text())}
    words = {
        call_id: sum(len(s["text"].split()) for m in t["transcript"] for s in m["sentences"])
        for call_id, t in transcripts.items()
    }
    mean = statistics.mean(words.values())
    picked = sorted(
        calls, key=lambda c: (abs(words[c["metaData"]["id"]] - mean), c["metaData"]["id"])
    )
    picked = picked[:count]
    return {
        "calls": picked,
        "transcripts": [transcripts[c["metaData"]["id"]] for c in picked],
    }


def _write_folder(folder: Path, meetings: dict[str, Any], run: int) -> list[str]:
    """The picked meetings under ids new to the index (distinct per run of a series). The
    index already holds these meetings' text (its replicas), so each new call also gets one
    sentence naming a project nobody else mentions, for `_found` to look for."""
    ids, calls, transcripts = [], [], []
    for n, (call, transcript) in enumerate(
        zip(meetings["calls"], meetings["transcripts"], strict=True)
    ):
        new_id = str(_NEW_ID_BASE + run * 10 + n)
        ids.append(new_id)
        meta = {**call["metaData"], "id": new_id, "url": f"https://app.gong.io/call?id={new_id}"}
        calls.append({**call, "metaData": meta})
        monologues = [dict(m) for m in transcript["transcript"]]
        middle = monologues[len(monologues) // 2]
        last = middle["sentences"][-1]
        marker = {"start": last["end"], "end": last["end"] + 3000, "text": _marker(new_id)}
        middle["sentences"] = [*middle["sentences"], marker]
        transcripts.append({"callId": new_id, "transcript": monologues})
    (folder / "calls.json").write_text(json.dumps(calls))
    (folder / "transcripts.json").write_text(json.dumps(transcripts))
    return ids


def _marker(call_id: str) -> str:
    return f"The rollout plan for project {_code(call_id)} goes to the steering group."


def _code(call_id: str) -> str:
    # A made-up word per call ("Zorvik…"): in no other chunk of the index.
    return "Zorvik" + "".join("abcdefghij"[int(d)] for d in call_id[-6:])


def _new_rows_bytes(sophia: Sophia, ids: list[str]) -> int:
    chunks, _ = sophia.store.live_tables()  # type: ignore[attr-defined]
    quoted = ", ".join(f"'{i}'" for i in ids)
    return int(chunks.search().where(f"call_id IN ({quoted})").limit(None).to_arrow().nbytes)


async def _found(sophia: Sophia, ids: list[str]) -> int:
    """How many new calls a global hybrid search finds at once, each by its own sentence."""
    found = 0
    for new_id in ids:
        request = build_request(query=f"project {_code(new_id)} steering group", limit=10)
        hits = await sophia.search.search(request)
        found += any(hit.call_id == new_id for hit in hits.hits)
    return found


def _link_copy(source: Path, target: Path) -> None:
    """A copy of an index directory whose Lance files are hard links (never rewritten in
    place, so sharing them is safe); everything else is copied."""
    shutil.rmtree(target, ignore_errors=True)
    for folder, _, names in os.walk(source):
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in names:
            path = Path(folder) / name
            if any(part.endswith(".lance") for part in path.parts):
                os.link(path, into / name)
            else:
                shutil.copy2(path, into / name)


def _print(rows: list[dict[str, Any]], *, series: bool) -> None:
    print()
    print(
        "| chunks | runs | embed | store write | optimize | store total (max) "
        "| written (max) | new rows | written / new rows (max) | new calls found "
        "| ingest rate / embedder rate |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in dict.fromkeys(r["size"] for r in rows):
        mine = [r for r in rows if r["size"] == size]
        store = [r["write_s"] + r["optimize_s"] for r in mine]
        written = [r["write_mb"] + r["optimize_mb"] for r in mine]
        ratios = [w / max(r["new_rows_mb"], 1e-9) for w, r in zip(written, mine, strict=True)]
        print(
            f"| {size:,} | {len(mine)} | {_mean(mine, 'embed_s'):.1f} s "
            f"| {_mean(mine, 'write_s'):.2f} s | {_mean(mine, 'optimize_s'):.2f} s "
            f"| {statistics.mean(store):.2f} s ({max(store):.2f} s) "
            f"| {statistics.mean(written):.1f} MB ({max(written):.1f} MB) "
            f"| {_mean(mine, 'new_rows_mb'):.1f} MB "
            f"| {statistics.mean(ratios):.1f}x ({max(ratios):.1f}x) "
            f"| {sum(r['found'] for r in mine)}/{sum(r['calls'] for r in mine)} "
            f"| {_mean(mine, 'embed_s') / _mean(mine, 'total_s'):.0%} |"
        )
    if series:
        print("(a series: one copy, syncs one after another; the max includes triggered upkeep)")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.mean(r[key] for r in rows)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = sized_index_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=5, help="New calls per sync.")
    parser.add_argument("--series", type=int, default=0, help="N syncs in a row on one copy.")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
