"""The call-insights table is refreshed incrementally: a rerun analyses no call; a call
re-ingested with new text, an access-policy change or a new competitor catalog analyses
again exactly the calls whose row can change (counted by the refresh itself)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sophia.core.export.table import InsightsTable

if TYPE_CHECKING:
    from tests.fakes.export_fixtures import Opener

SAMPLES = Path(__file__).parents[1] / "samples"

pytest_plugins = [
    "tests.fakes.samples_fixtures",
    "tests.fakes.postgres_fixtures",
    "tests.fakes.export_fixtures",
]


def rows_by_id(table: InsightsTable) -> dict[str, dict[str, Any]]:
    rows, _ = table.calls()
    return {r["call_id"]: r for r in rows}


async def test_a_rerun_analyses_no_call(opened: Opener) -> None:
    sophia = await opened()
    await sophia.refresh_table()
    again = await sophia.refresh_table()
    assert again is not None
    assert (again.analysed, again.written, again.removed, again.unchanged) == (0, 0, 0, 40)


async def test_a_call_reingested_with_new_text_is_the_only_one_analysed(
    opened: Opener, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sophia = await opened()
    await sophia.refresh_table()
    before = rows_by_id(sophia.table.get())
    target = next(r for r in before.values() if r["account"] and "Ledgerly" not in r["competitors"])
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder)
    calls = json.loads((folder / "calls.json").read_text())
    call = next(c for c in calls if c["metaData"]["id"] == target["call_id"])
    customer = {p["speakerId"] for p in call["parties"] if p["affiliation"] == "External"}
    transcripts = json.loads((folder / "transcripts.json").read_text())
    item = next(t for t in transcripts if t["callId"] == target["call_id"])
    spoken = next(m for m in item["transcript"] if m["speakerId"] in customer)
    last = spoken["sentences"][-1]
    spoken["sentences"].append(
        {"start": last["end"], "end": last["end"] + 2000, "text": "We are also trialling Ledgerly."}
    )
    (folder / "transcripts.json").write_text(json.dumps(transcripts))

    with caplog.at_level(logging.INFO, logger="sophia.export"):
        summary = await sophia.ingest_folder(folder)
    assert summary.indexed == 1
    assert "1 written, 0 removed, 39 unchanged (1 calls analysed)" in caplog.text
    after = rows_by_id(sophia.table.get())
    assert "Ledgerly" in after[target["call_id"]]["competitors"]
    assert {c: r for c, r in after.items() if c != target["call_id"]} == {
        c: r for c, r in before.items() if c != target["call_id"]
    }
    # Its account-week is summed again from the rows the table holds now.
    weeks = sophia.table.get().account_weeks()
    week = next(
        w for w in weeks if (w["account_key"], w["week"]) == (target["account_key"], target["week"])
    )
    assert week["competitor_mentions"].get("Ledgerly", 0) >= 1
    ledgerly = sum(w["competitor_mentions"].get("Ledgerly", 0) for w in weeks)
    in_rows = sum(
        r["competitor_mentions"] for r in after.values() if r["competitors"] == ["Ledgerly"]
    )
    assert ledgerly >= in_rows >= 1


async def test_a_policy_change_analyses_only_the_restricted_accounts_calls(
    opened: Opener, database: dict[str, Any], tmp_path: Path
) -> None:
    sophia = await opened()
    await sophia.refresh_table()
    olympus = [r for r in rows_by_id(sophia.table.get()).values() if r["account"] == "Olympus"]
    assert len(olympus) == 7
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Olympus: {}\n", encoding="utf-8")
    restricted = await opened(access_policy=policy)
    done = await restricted.refresh_table()
    assert done is not None
    if database:
        # The external database does not hold restricted rows: they leave, unanalysed.
        assert (done.analysed, done.written, done.removed, done.unchanged) == (0, 0, 7, 33)
    else:
        assert (done.analysed, done.written, done.removed, done.unchanged) == (7, 7, 0, 33)
        rows = rows_by_id(restricted.table.get()).values()
        assert sorted(r["call_id"] for r in rows if r["restricted"]) == sorted(
            r["call_id"] for r in olympus
        )
    weeks = restricted.table.get().account_weeks()
    assert all(w["restricted"] for w in weeks if w["account"] == "Olympus")
    assert bool([w for w in weeks if w["account"] == "Olympus"]) != bool(database)
    opened_again = await opened()
    back = await opened_again.refresh_table()
    assert back is not None and (back.analysed, back.written, back.removed) == (7, 7, 0)


async def test_a_new_competitor_analyses_every_call_and_writes_those_naming_it(
    opened: Opener,
) -> None:
    sophia = await opened()
    await sophia.refresh_table()
    widened = await opened(competitors="DealForge, Quotient AI, Pipestream, Ledgerly, Northbeam")
    done = await widened.refresh_table()
    assert done is not None
    naming = [
        r for r in rows_by_id(widened.table.get()).values() if "Northbeam" in r["competitors"]
    ]
    assert naming
    assert (done.analysed, done.written, done.unchanged) == (40, len(naming), 40 - len(naming))
    again = await widened.refresh_table()
    assert again is not None and (again.analysed, again.written) == (0, 0)
