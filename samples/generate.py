"""Generate Sophia's demo corpus: Gong-shaped sales calls of a fictional company, Northbeam.

Run from the repository root:

    python samples/generate.py [--story DIR] [--out DIR]

It reads the story (samples/story/*.yaml: accounts, people, plans, phrase banks, planted
moments), draws every call from one seeded generator, writes calls.json, transcripts.json,
folder.json and expected.json next to this file (or into --out) and then checks what it wrote
(engine/checks.py); a broken promise stops it with a one-line `CorpusError`. Every date is
computed from the story's anchor, never from the clock, so two runs write identical bytes.
See README.md for the layout and how to change the story.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from engine.checks import CorpusError, self_check
from engine.story import STORY_DIR, StoryError, load
from engine.write import generate, write

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--story", type=Path, default=STORY_DIR, help="the story's folder")
    parser.add_argument("--out", type=Path, default=HERE, help="where the four files go")
    args = parser.parse_args(argv)
    try:
        load(args.story)
        write(generate(), args.out)
        report = self_check(args.out)
    except (StoryError, CorpusError) as exc:
        print(f"{type(exc).__name__}: {exc}")
        return 1
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
