"""Poison records: whatever cannot be indexed is quarantined with its id and reason, the
rest of its batch is indexed, the checkpoint moves on, and `--retry` tries it again."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sophia.cli.main import app
from sophia.core.errors import EmbeddingError, StoreError
from sophia.core.quarantine import is_record_fault
from sophia.core.services import Sophia
from sophia.core.sources.gong_api import CHECKPOINT_KEY
from sophia.core.state import StateDB
from tests.conftest import NOW, raw_call, raw_transcript, write_folder
from tests.fakes.gong_server import FakeGong
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.sophia_api import api_client, metric, open_sophia

pytest_plugins = ["tests.fakes.gong_fixtures", "tests.fakes.openai_fixtures"]
runner = CliRunner()


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def turns(text: str) -> list[tuple[str, list[str]]]:
    return [("1001", ["Thanks for making the time today."]), ("2002", [text])]


def invoke(env: dict[str, str], *args: str) -> Any:
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    return result


def quarantined(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    listed = invoke(env, "quarantine", "--json")
    assert listed.exit_code == 0, listed.output
    return {
        entry["record_id"]: entry
        for entry in map(json.loads, listed.stdout.splitlines())
        if entry.get("record_id")
    }


def test_poisoned_calls_from_gong_are_quarantined_and_sync_finishes_every_other_call_twice(
    gong_server: FakeGong, tmp_path: Path
) -> None:
    good = ["6100000000000000001", "6100000000000000002"]
    for n, call_id in enumerate(good):
        gong_server.add_call(
            raw_call(call_id, started=iso(NOW - timedelta(days=1, hours=n))),
            raw_transcript(call_id, turns(f"Call {n} covered the SOC 2 report.")),
        )
    # A sentence offset past int64, a duration of Infinity: Gong's JSON can carry both.
    huge = "6100000000000000003"
    huge_transcript = raw_transcript(huge, turns("Our budget is frozen until March."))
    huge_transcript["transcript"][1]["sentences"][0]["start"] = 2**63
    gong_server.add_call(raw_call(huge, started=iso(NOW - timedelta(hours=30))), huge_transcript)
    endless = "6100000000000000004"
    endless_call = raw_call(endless, started=iso(NOW - timedelta(hours=28)))
    endless_call["metaData"]["duration"] = float("inf")
    gong_server.add_call(endless_call, raw_transcript(endless, turns("Pricing is fine.")))
    # A lone surrogate is not worth a call: it is replaced, and the call indexed.
    odd = "6100000000000000005"
    odd_call = raw_call(odd, started=iso(NOW - timedelta(hours=20)))
    odd_call["parties"][1]["name"] = "Casey \ud800 Buyer"
    gong_server.add_call(odd_call, raw_transcript(odd, turns("Procurement wants \ud800 redlines.")))
    env = {
        "SOPHIA_DATA_DIR": str(tmp_path / "data"),
        "SOPHIA_EMBEDDER": "hashing",
        "GONG_RATE_LIMIT": "3",
        **gong_server.env(),
    }
    since = (NOW - timedelta(days=3)).date().isoformat()

    first = invoke(env, "sync", "--since", since)
    second = invoke(env, "sync")

    assert first.exit_code == 0, first.output
    assert "3 calls indexed" in first.output and "2 quarantined" in first.output
    assert second.exit_code == 0, second.output
    assert "3 unchanged" in second.output and "2 quarantined" in second.output
    entries = quarantined(env)
    assert set(entries) == {huge, endless}
    assert "sentence start" in entries[huge]["reason"] and "out of range" in entries[huge]["reason"]
    assert "metaData.duration" in entries[endless]["reason"]
    assert entries[huge]["attempts"] == 2 and entries[huge]["stage"] == "parse"
    state = StateDB(tmp_path / "data" / "state.db")
    try:
        checkpoint = state.get_json(CHECKPOINT_KEY)
    finally:
        state.close()
    assert checkpoint["synced_until"].startswith(NOW.date().isoformat())
    assert checkpoint["pending"] == {}, "a quarantined call is not waiting for its other half"
    stats = json.loads(invoke(env, "stats", "--json").stdout)
    assert stats["calls_indexed"] == 3 and stats["quarantined"] == 2
    found = json.loads(invoke(env, "search", "procurement redlines", "--json").stdout)
    assert found["hits"][0]["call_id"] == odd
    assert "\ufffd" in found["hits"][0]["text"]

    # Gong fixes the record: a retry fetches it again by id and indexes it.
    gong_server.add_call(
        raw_call(huge, started=iso(NOW - timedelta(hours=30))),
        raw_transcript(huge, turns("Our budget is frozen until March.")),
    )
    retried = invoke(env, "quarantine", "--retry")
    assert retried.exit_code == 0, retried.output
    assert "1 call indexed" in retried.output and "1 quarantined" in retried.output
    assert set(quarantined(env)) == {endless}


def poisoned_folder(folder: Path) -> Path:
    calls = [raw_call("6200000000000000001", started="2026-11-02T16:00:00Z")]
    transcripts = [raw_transcript("6200000000000000001", turns("The renewal price went up."))]
    poisons: dict[str, Any] = {
        "6200000000000000002": {"duration": float("inf")},
        "6200000000000000003": {"started": "9999-12-31T00:00:00Z"},
        "6200000000000000004": {"started": "0001-01-01T00:00:00+05:00"},
    }
    for call_id, meta in poisons.items():
        call = raw_call(call_id, started="2026-11-03T16:00:00Z")
        call["metaData"].update(meta)
        calls.append(call)
        transcripts.append(raw_transcript(call_id, turns("We compared three vendors.")))
    write_folder(folder, calls, transcripts)
    # Python writes Infinity as JSON's unofficial `Infinity`, as the folder held it.
    (folder / "users.json").write_text(json.dumps([1, "x", {"id": "u1", "firstName": "Dana"}]))
    return folder


def test_poisoned_folder_records_are_quarantined_and_retried_once_fixed(tmp_path: Path) -> None:
    folder = poisoned_folder(tmp_path / "corpus")
    env = {"SOPHIA_DATA_DIR": str(tmp_path / "data"), "SOPHIA_EMBEDDER": "hashing"}

    first = invoke(env, "ingest", "--from-dir", str(folder))
    again = invoke(env, "ingest", "--from-dir", str(folder))

    assert first.exit_code == 0, first.output
    assert "1 call indexed" in first.output and "5 quarantined" in first.output
    assert again.exit_code == 0 and "1 unchanged" in again.output
    entries = quarantined(env)
    assert set(entries) == {
        "6200000000000000002",
        "6200000000000000003",
        "6200000000000000004",
        "users.json item 0",
        "users.json item 1",
    }
    assert "outside the years" in entries["6200000000000000003"]["reason"]
    assert "not an ISO-8601 timestamp" in entries["6200000000000000004"]["reason"]
    assert all(e["attempts"] == 2 for e in entries.values())

    fixed = json.loads((folder / "calls.json").read_text())
    for call in fixed[1:]:
        call["metaData"].update(duration=1800, started="2026-11-03T16:00:00Z")
    (folder / "calls.json").write_text(json.dumps(fixed))
    (folder / "users.json").write_text(json.dumps([{"id": "u1", "firstName": "Dana"}]))
    retried = invoke(env, "quarantine", "--retry")

    assert retried.exit_code == 0, retried.output
    assert "3 calls indexed" in retried.output
    assert quarantined(env) == {}
    assert json.loads(invoke(env, "stats", "--json").stdout)["calls_indexed"] == 4


async def test_a_call_the_embedder_refuses_is_quarantined_redacted_and_retried(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    calls, transcripts = [], []
    for n in range(3):
        call_id = f"630000000000000000{n}"
        text = f"Call {n}: the rollout plan looks fine."
        if n == 1:
            text = "ZZPOISON call me on 415-555-0134 about the rollout plan."
        calls.append(raw_call(call_id, started=f"2026-11-0{n + 2}T16:00:00Z"))
        transcripts.append(raw_transcript(call_id, turns(text)))
    folder = write_folder(tmp_path / "corpus", calls, transcripts)
    openai_server.refuse_inputs_containing("ZZPOISON")
    settings = openai_server.sophia_settings(tmp_path / "data", sophia_summarizer="extractive")
    async with open_sophia(settings) as sophia:
        first = await sophia.ingest_folder(folder)
        # Alone in its batch now (the others are unchanged), it is still the call's fault.
        second = await sophia.ingest_folder(folder)
        [entry] = sophia.state.quarantined()
        async with api_client(sophia) as http:
            scraped = (await http.get("/metrics")).text
        openai_server.recover()
        retried = await sophia.retry_quarantined()
        left = sophia.state.quarantined()
        counts = await sophia.store.counts()

    assert (first.indexed, len(first.quarantined)) == (2, 1)
    assert (second.unchanged, len(second.quarantined)) == (2, 1)
    assert (entry.record_id, entry.stage, entry.attempts) == ("6300000000000000001", "embed", 2)
    assert "refused the request (400)" in entry.reason
    assert entry.payload is not None and "[PHONE]" in entry.payload
    assert "415-555-0134" not in entry.payload, "a quarantined call is stored redacted"
    assert metric(scraped, "sophia_quarantined_records") == 1
    assert retried.indexed == 1 and left == []
    assert counts.calls == 3


async def test_an_embedder_outage_stops_the_run_instead_of_quarantining_everything(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    folder = write_folder(
        tmp_path / "corpus",
        [raw_call("6400000000000000001"), raw_call("6400000000000000002")],
        [
            raw_transcript("6400000000000000001", turns("Pricing first.")),
            raw_transcript("6400000000000000002", turns("Security next.")),
        ],
    )
    settings = openai_server.sophia_settings(tmp_path / "data", sophia_summarizer="extractive")
    sophia = await Sophia.open(settings)
    try:
        openai_server.fail_always(401, message="Incorrect API key provided")
        with pytest.raises(EmbeddingError, match="OPENAI_API_KEY"):
            await sophia.ingest_folder(folder)
        assert sophia.state.quarantined() == []
    finally:
        await sophia.aclose()


def test_a_corrupt_gzip_file_is_named_in_the_error(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    whole = gzip.compress(json.dumps([raw_call("6500000000000000001")] * 50).encode())
    # Damaged in the middle: the stream starts fine and breaks inside ("invalid ... distance").
    damaged = whole[:40] + bytes(b ^ 0x5A for b in whole[40:80]) + whole[80:]
    (folder / "calls.json.gz").write_bytes(damaged)
    (folder / "transcripts.json").write_text("[]")
    env = {"SOPHIA_DATA_DIR": str(tmp_path / "data"), "SOPHIA_EMBEDDER": "hashing"}
    result = invoke(env, "ingest", "--from-dir", str(folder))
    assert result.exit_code == 1
    assert "calls.json.gz" in result.output


def test_record_faults_are_told_apart_from_outages() -> None:
    def wrapped(cause: Exception) -> StoreError:
        try:
            raise StoreError("the index failed") from cause
        except StoreError as exc:
            return exc

    assert is_record_fault(OverflowError("Python int too large to convert to C long"))
    assert is_record_fault(wrapped(ValueError("invalid value")))
    assert is_record_fault(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))
    assert not is_record_fault(wrapped(OSError(28, "No space left on device")))
    assert not is_record_fault(ConnectionError("refused"))
    assert not is_record_fault(StoreError("Weaviate is down"))
