"""How long the `sophia` commands that need no embedding take, end to end, as a shell runs them.

    python benchmarks/cli_startup.py [--data-dir DIR] [--runs 5] [--commands stats audit --help]

Indexes samples/ into DIR (a temporary one by default; an existing index is reused) with the
configured embedder, then runs each command `--runs` times in a fresh process and prints the
fastest and the median wall time, which modules each one imported (the embedding runtimes
and the store's client), and the load average. Only local processes, no network.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOPHIA = str(Path(sys.executable).with_name("sophia"))
# Modules worth knowing about when a command should not need them.
HEAVY = ("torch", "onnxruntime", "lancedb", "weaviate", "numpy")
# What a command imported, printed by a child that runs the CLI in-process.
_PROBE = """
import sys
from sophia.cli.main import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
sys.stderr.write("imported: " + (", ".join(heavy) or "none") + "\\n")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="Reused if it holds an index.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--commands", nargs="+", default=["stats", "audit", "--help"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sophia-cli-") as scratch:
        data = args.data_dir or Path(scratch) / "data"
        env = {**os.environ, "SOPHIA_DATA_DIR": str(data)}
        if not (data / "index").exists():
            run([SOPHIA, "ingest", "--from-dir", str(ROOT / "samples")], env)
        print(f"machine: {platform.machine()} {os.cpu_count()} cores; data dir {data}")
        for command in args.commands:
            took = [timed([SOPHIA, command], env) for _ in range(args.runs)]
            probe = _PROBE.format(heavy=HEAVY)
            imported = run([sys.executable, "-c", probe, command], env).stderr.strip()
            print(
                f"sophia {command:<8} fastest {min(took):.2f} s, median "
                f"{statistics.median(took):.2f} s over {args.runs} runs; {imported}"
            )
        print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    run(command, env)
    return time.perf_counter() - started


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}")
    return done


if __name__ == "__main__":
    main()
