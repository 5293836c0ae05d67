"""Competitor tone on the samples: each mention is read on its own, so tones differ where
the planted remarks differ (it once read "positive" for every competitor)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sophia.core.config import Settings
from sophia.core.services import Sophia

pytestmark = pytest.mark.model


def tone_counts(tone: str) -> dict[str, int]:
    return {label: int(n) for n, label in re.findall(r"(\d+) (positive|negative|neutral)", tone)}


async def test_tones_count_each_mention_and_differ_where_the_planted_remarks_differ(
    samples_index: Path, expected: dict
) -> None:
    settings = Settings(
        _env_file=None,
        sophia_data_dir=samples_index,
        competitors=", ".join(expected["competitors"]),
        sophia_summarizer="extractive",
    )
    app = await Sophia.open(settings)
    try:
        answer = await app.insights.competitors()
    finally:
        app.close()
    [summary] = [t for t in answer.tables if t.title == "Mentions by competitor"]
    tones = {row[0]: tone_counts(row[4]) for row in summary.rows}
    for name, mentions, *_ in summary.rows:
        assert sum(tones[name].values()) == mentions, name
    assert len({tuple(sorted(t.items())) for t in tones.values()}) == len(tones)
    planted = {m["text"] for m in expected["competitor_mentions"]}
    # A customer's warning about DealForge's pricing is planted; nothing said of Ledgerly is
    # a complaint, and the reps' concessions about Pipestream ("a good pipeline viewer") praise.
    assert {
        "DealForge has been very aggressive on price, and Pipestream is lighter but probably "
        "enough for our size.",
        "Pipestream is a good pipeline viewer.",
    } <= planted
    assert tones["DealForge"]["negative"] >= 1
    assert tones["Ledgerly"]["negative"] == 0
    assert tones["Pipestream"]["positive"] >= 1
