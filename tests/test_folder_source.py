"""The folder source: formats it accepts, what it rejects, and the demo's date shift."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from sophia.core.clock import FixedClock
from sophia.core.errors import SourceError
from sophia.core.sources.folder import FolderSource, week_shift
from tests.conftest import raw_call, raw_transcript, write_folder


async def load(source: FolderSource, batch_size: int = 50):
    return [batch async for batch in source.batches(batch_size, None)]


def pair(call_id: str, **kwargs) -> tuple[dict, dict]:
    return raw_call(call_id, **kwargs), raw_transcript(call_id, [("1001", ["Hello."])])


async def test_gzip_and_api_shaped_files_are_read(tmp_path: Path) -> None:
    call, transcript = pair("3000000000000000001")
    with gzip.open(tmp_path / "calls.json.gz", "wt") as handle:
        json.dump({"requestId": "x", "records": {}, "calls": [call]}, handle)
    (tmp_path / "transcripts.json").write_text(json.dumps({"callTranscripts": [transcript]}))
    [batch] = await load(FolderSource(tmp_path))
    assert [c.call_id for c in batch.calls] == ["3000000000000000001"]


async def test_malformed_items_are_rejected_with_reasons_and_the_rest_load(tmp_path: Path) -> None:
    good, good_t = pair("3000000000000000001")
    no_meta = {"parties": []}
    bad_date = raw_call("3000000000000000002", started="last Tuesday")
    bad_sentence = {
        "callId": "3000000000000000003",
        "transcript": [{"speakerId": "1", "sentences": [{"text": "x"}]}],
    }
    write_folder(tmp_path, [good, no_meta, bad_date], [good_t, bad_sentence])
    [batch] = await load(FolderSource(tmp_path))
    assert [c.call_id for c in batch.calls] == ["3000000000000000001"]
    reasons = " | ".join(batch.rejected)
    assert "calls.json item 1" in reasons and "metaData" in reasons
    assert "calls.json item 2" in reasons and "last Tuesday" in reasons
    assert "transcripts.json item 1" in reasons


async def test_a_transcript_without_details_is_pending_not_dropped(tmp_path: Path) -> None:
    call, transcript = pair("3000000000000000001")
    orphan = raw_transcript("3000000000000000009", [("1001", ["Orphan."])])
    write_folder(tmp_path, [call], [transcript, orphan])
    source = FolderSource(tmp_path)
    [batch] = await load(source)
    assert batch.pending == ("3000000000000000009",) and source.pending_count == 1


async def test_batches_respect_batch_size_and_report_progress(tmp_path: Path) -> None:
    pairs = [pair(str(3000000000000000000 + i)) for i in range(7)]
    write_folder(tmp_path, [c for c, _ in pairs], [t for _, t in pairs])
    batches = await load(FolderSource(tmp_path), batch_size=3)
    assert [len(b.calls) for b in batches] == [3, 3, 1]
    assert [(b.seen, b.total) for b in batches] == [(3, 7), (6, 7), (7, 7)]


async def test_missing_or_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is not a folder"):
        FolderSource(tmp_path / "nope")
    with pytest.raises(SourceError, match=r"no calls\.json"):
        await load(FolderSource(tmp_path))
    (tmp_path / "calls.json").write_text("{not json")
    with pytest.raises(SourceError, match=r"cannot read .*calls\.json"):
        await load(FolderSource(tmp_path))


def test_week_shift_moves_the_anchor_into_the_current_week() -> None:
    anchor = date(2026, 11, 23)  # a Monday
    assert week_shift(anchor, date(2026, 11, 23)) == timedelta(0)
    assert week_shift(anchor, date(2026, 11, 29)) == timedelta(0)
    assert week_shift(anchor, date(2026, 11, 30)) == timedelta(weeks=1)
    assert week_shift(anchor, date(2027, 3, 1)) == timedelta(weeks=14)
    assert week_shift(anchor, date(2026, 1, 1)) == timedelta(0), "never shifts into the past"


async def test_dates_relative_to_an_anchor_are_shifted_by_whole_weeks(tmp_path: Path) -> None:
    call, transcript = pair("3000000000000000001", started="2026-11-20T16:00:00Z")
    call["context"][0]["objects"].append(
        {
            "objectType": "Opportunity",
            "objectId": "opp1",
            "fields": [{"name": "CloseDate", "value": "2026-12-18"}],
        }
    )
    write_folder(tmp_path, [call], [transcript])
    (tmp_path / "folder.json").write_text(json.dumps({"dates_relative_to": "2026-11-23"}))
    source = FolderSource(
        tmp_path, clock=FixedClock(datetime(2027, 2, 3, 9, tzinfo=UTC))
    )  # +10 weeks 3 days
    [batch] = await load(source)
    details = batch.calls[0].details
    assert details.started == datetime(2027, 1, 29, 16, tzinfo=UTC)
    assert details.started.weekday() == 4, "a Friday stays a Friday"
    assert details.opportunities[0].close_date == date(2027, 2, 26)
