"""Drawing the corpus and writing its four files."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from .assemble import build_turns
from .ctx import SAID, USES
from .gong_json import call_json, time_call, transcript_json
from .model import Built
from .story import S
from .truth import expected_json


def dump_transcripts(items: list[dict[str, Any]]) -> str:
    """One sentence per line: readable in a diff, far smaller than indent=2."""

    def j(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["["]
    for n, item in enumerate(items):
        lines.append(f' {{"callId": {j(item["callId"])}, "transcript": [')
        for k, mono in enumerate(item["transcript"]):
            head = f'"speakerId": {j(mono["speakerId"])}, "topic": {j(mono["topic"])}'
            lines.append(f'  {{{head}, "sentences": [')
            sentences = [f"   {j(s)}" for s in mono["sentences"]]
            lines.append(",\n".join(sentences))
            lines.append("  ]}" + ("," if k < len(item["transcript"]) - 1 else ""))
        lines.append(" ]}" + ("," if n < len(items) - 1 else ""))
    lines.append("]")
    return "\n".join(lines) + "\n"


def generate() -> dict[str, Any]:
    """Every call of the plans, oldest first, from one seeded generator: Gong JSON and truth."""
    rng = random.Random(S.seed)
    USES.clear()
    SAID.clear()
    met: dict[str, set[str]] = {name: set() for name in S.accounts}
    seen: dict[str, set[str]] = {name: set() for name in S.accounts}
    rounds: dict[tuple[str, str], int] = {}
    built: list[Built] = []
    for plan in sorted(S.plans, key=lambda p: -p.days_before):
        key = (plan.account, plan.kind)
        b = build_turns(plan, rng, met[plan.account], seen[plan.account], rounds.get(key, 0))
        rounds[key] = rounds.get(key, 0) + 1
        met[plan.account].update(r for r in plan.attendees if r not in plan.silent)
        built.append(b)
    analysed = set(rng.sample([b.call_id for b in built], len(built) // 2))
    calls, transcripts, timed_by_call = [], [], {}
    for b in built:
        timed = time_call(b, rng)
        timed_by_call[b.call_id] = timed
        calls.append(call_json(b, timed, rng, b.call_id in analysed))
        transcripts.append(transcript_json(b, timed))
    expected = expected_json(built, calls, timed_by_call)
    return {"calls": calls, "transcripts": transcripts, "expected": expected}


def write(data: dict[str, Any], out: Path) -> None:
    """Write the four files of the corpus into `out`."""
    (out / "calls.json").write_text(json.dumps(data["calls"], indent=2, ensure_ascii=False) + "\n")
    (out / "transcripts.json").write_text(dump_transcripts(data["transcripts"]))
    (out / "folder.json").write_text(json.dumps({"dates_relative_to": S.anchor.isoformat()}) + "\n")
    (out / "expected.json").write_text(
        json.dumps(data["expected"], indent=2, ensure_ascii=False) + "\n"
    )
