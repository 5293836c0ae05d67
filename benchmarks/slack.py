"""Slack latency: `/gong search` commands through Socket Mode, against a local fake Slack.

    python benchmarks/slack.py [--commands 200] [--concurrency 1] [--warmup 5] [--corpus samples]

Indexes the corpus into a fresh temporary data dir with the embedded defaults (LanceDB, the
local model), starts `sophia run --no-api --no-scheduler` as its own process pointed at the
fake Slack of the tests (tests/fakes/slack_server.py, served from this process), and sends
distinct search commands (every query text differs: each is embedded and searched, no cache
helps), `--concurrency` at a time. For each it
measures the ack (envelope sent -> ack received over the WebSocket) and the reply (envelope
sent -> the answer posted to its response_url).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake Slack lives in tests/

from timing import percentile  # noqa: E402  (benchmarks/timing.py, beside this script)

from sophia.core.config import Settings  # noqa: E402
from sophia.core.services import Sophia  # noqa: E402
from tests.fakes.slack_server import FakeSlack  # noqa: E402

TOPICS = [
    "pricing objections",
    "per-seat price above our budget",
    "which competitors are they evaluating",
    "security review SSO and data residency",
    "implementation timeline and go-live",
    "who signs off on the contract",
    "next steps agreed",
    "discount for a multi-year commitment",
    "SOC 2 report",
    "renewal terms",
    "forecast accuracy problems",
    "Salesforce integration",
    "data quality in the CRM",
    "onboarding and training",
    "legal review of the MSA",
    "budget freeze",
    "ROI and payback",
    "pilot before buying",
    "seat count for the sales team",
    "DealForge pricing",
]
# Every query text differs (so every command is embedded and searched: no cache helps);
# filters cycle through accounts and sides.
WORDS = [
    "",
    "details",
    "concerns",
    "questions",
    "follow-up",
    "numbers",
    "examples",
    "feedback",
    "risks",
    "timing",
    "owner",
    "status",
]
ACCOUNTS = [None, "Moss & Co", "Olympus", "O'Hara Logistics", "Brightwater Health"]
SIDES = [None, "customer", "rep"]


def commands(count: int) -> list[str]:
    """`count` distinct /gong search texts, as Slack sends them (escaped)."""
    texts = []
    filters = itertools.cycle(itertools.product(ACCOUNTS, SIDES))
    for word, topic in itertools.product(WORDS, TOPICS):
        account, side = next(filters)
        text = f"search {topic} {word}".rstrip()
        if account:
            text += f' account:"{account.replace("&", "&amp;")}"'
        if side:
            text += f" side:{side}"
        texts.append(text)
    if count > len(texts):
        raise SystemExit(f"at most {len(texts)} distinct commands")
    return texts[:count]


async def index(corpus: Path, data_dir: Path) -> str:
    settings = Settings(_env_file=None, sophia_data_dir=data_dir, sophia_embedder="local")
    sophia = await Sophia.open(settings)
    try:
        summary = await sophia.ingest_folder(corpus)
    finally:
        await sophia.aclose()
    return summary.line()


async def drain(stream: asyncio.StreamReader, lines: list[str]) -> None:
    """Keep the child's stderr flowing (a full pipe would stall it); kept for a failure."""
    while line := await stream.readline():
        lines.append(line.decode().rstrip())


async def measure(args: argparse.Namespace) -> None:
    texts = commands(args.commands)
    with tempfile.TemporaryDirectory(prefix="sophia-slack-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        started = time.perf_counter()
        print(f"indexing {args.corpus} ... {await index(args.corpus, data_dir)}", flush=True)
        print(f"  ({time.perf_counter() - started:.1f} s)")
        slack = await FakeSlack().start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "HTTP", "http"))}
        env.update(
            slack.env(),
            SOPHIA_DATA_DIR=str(data_dir),
            SOPHIA_EMBEDDER="local",
            LOG_FORMAT="text",
            LOG_LEVEL="WARNING",
            SLACK_RATE_LIMIT="0",
        )
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("sophia")),
            "run",
            "--no-api",
            "--no-scheduler",
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        lines: list[str] = []
        reader = asyncio.create_task(drain(process.stderr, lines))
        try:
            started = time.perf_counter()
            await slack.wait_connections(1, within=120)
            print(f"sophia run connected in {time.perf_counter() - started:.1f} s")
            # Not measured: the first LanceDB queries and the first response_url connection.
            await run_commands(slack, [f"search warm up {n}" for n in range(args.warmup)], 1)
            acks, replies, cited = await run_commands(slack, texts, args.concurrency)
        finally:
            process.send_signal(signal.SIGTERM)
            code = await process.wait()
            await reader
            await slack.stop()
        if code != 0:
            print("\n".join(lines[-20:]))
            raise SystemExit(f"sophia run exited with {code}")
    report(acks, replies, cited, args)


async def run_commands(
    slack: FakeSlack, texts: list[str], concurrency: int
) -> tuple[list[float], list[float], int]:
    """Ack and reply times (ms), and how many replies held cited moments."""
    acks: list[float] = []
    replies: list[float] = []
    cited = 0
    queue = list(reversed(texts))

    async def worker(user: str) -> None:
        while queue:
            text = queue.pop()
            sent = time.monotonic()
            envelope = await slack.command(text, user=user)
            ack = await slack.wait_ack(envelope, within=30)
            [reply, *_] = await slack.wait_responses(envelope, within=30)
            acks.append((ack.at - sent) * 1000)
            replies.append((reply.at - sent) * 1000)
            nonlocal cited
            cited += "app.gong.io/call?id=" in reply.text

    await asyncio.gather(*(worker(f"UBENCH{n}") for n in range(concurrency)))
    return acks, replies, cited


def report(acks: list[float], replies: list[float], cited: int, args: argparse.Namespace) -> None:
    print(
        f"\n{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(acks)} distinct /gong search commands, {args.concurrency} in flight; "
        f"{cited} replies cite moments"
    )
    print("| what | p50 | p95 | p99 | max | mean |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, values in (("ack", acks), ("reply (response_url)", replies)):
        cells = [percentile(values, q) for q in (0.5, 0.95, 0.99)] + [max(values)]
        row = " | ".join(f"{v:.1f} ms" for v in [*cells, statistics.fmean(values)])
        print(f"| {name} | {row} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured commands first")
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
