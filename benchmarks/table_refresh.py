"""What keeping the call-insights table current costs after a sync that changed nothing.

    python benchmarks/table_refresh.py                 # the 40 sample calls
    python benchmarks/table_refresh.py --copies 25     # 1,000 calls (the samples 25 times)

Ingests samples/ (each copy under new call ids) into a fresh data dir with the hashing
embedder, through the product's own ingest (which refreshes the table once), then times
`Sophia.refresh_table()` `--rounds` more times: a rerun with nothing changed, what every
scheduled poll pays. Prints the first refresh's counts and the reruns' timings.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import timed, timing_row  # noqa: E402  (benchmarks/ is the script's own folder)

from sophia.core.config import Settings  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402

SAMPLES = ROOT / "samples"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="copies of the 40 sample calls")
    parser.add_argument("--rounds", type=int, default=5, help="reruns timed")
    args = parser.parse_args(argv)
    return asyncio.run(_main(args.copies, args.rounds))


async def _main(copies: int, rounds: int) -> int:
    with tempfile.TemporaryDirectory(prefix="sophia-table-") as work:
        folder = _corpus(Path(work) / "corpus", copies)
        settings = Settings(
            _env_file=None,
            sophia_data_dir=Path(work) / "data",
            sophia_embedder="hashing",
            retention_days=0,
            competitors="DealForge, Quotient AI, Pipestream, Ledgerly",
        )
        sophia = await Sophia.open(settings)
        try:
            started = time.perf_counter()
            summary = await sophia.ingest_folder(folder)
            print(f"ingest of {summary.indexed} calls: {time.perf_counter() - started:.1f} s")
            done = await sophia.refresh_table()
            print(done.line() if done else "refresh failed")
            timings = await timed(sophia.refresh_table, rounds)
            print(" | ".join(timing_row(f"rerun, {40 * copies} calls", timings, "reruns")))
        finally:
            await sophia.aclose()
    return 0


def _corpus(target: Path, copies: int) -> Path:
    """samples/ with its calls `copies` times, each copy under new call ids."""
    target.mkdir(parents=True)
    calls = json.loads((SAMPLES / "calls.json").read_text())
    transcripts = json.loads((SAMPLES / "transcripts.json").read_text())
    all_calls: list[Any] = []
    all_transcripts: list[Any] = []
    for n in range(copies):
        for call in calls:
            twin = copy.deepcopy(call)
            twin["metaData"]["id"] = _twin_id(call["metaData"]["id"], n)
            twin["metaData"]["url"] = f"https://app.gong.io/call?id={twin['metaData']['id']}"
            all_calls.append(twin)
        for transcript in transcripts:
            all_transcripts.append({**transcript, "callId": _twin_id(transcript["callId"], n)})
    (target / "calls.json").write_text(json.dumps(all_calls))
    (target / "transcripts.json").write_text(json.dumps(all_transcripts))
    for extra in ("users.json", "folder.json"):
        if (SAMPLES / extra).is_file():
            shutil.copy(SAMPLES / extra, target / extra)
    return target


def _twin_id(call_id: str, copy_number: int) -> str:
    # Copy 0 keeps the samples' ids; the others move into an id range no sample uses.
    if copy_number == 0:
        return call_id
    return str(9_000_000_000_000_000_000 + copy_number * 1000 + int(call_id) % 1000)


if __name__ == "__main__":
    raise SystemExit(main())
