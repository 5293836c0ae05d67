"""Shared fixtures: an isolated environment per test, and corpora built on disk.

Time is an input. Every test runs at `NOW`: SOPHIA_NOW is set for the whole run (by
`pytest_configure`, so fixtures of every scope see it), and every `Sophia` a test opens, in
process, through the CLI runner or as a subprocess that inherits the environment, reads
that instant from its clock (core/clock.py): the samples' week shift, retention, "this
week", the audit log. Build expectations from `NOW`, never from `datetime.now()` or
`date.today()`. A test about another moment passes `Sophia.open(settings,
clock=FixedClock(...))` (and moves it with `set`/`advance`) or `sophia_now=` in its
settings; parts built without a Sophia take a `clock=` argument. Timers (rate limits, TTLs,
timeouts) run on `time.monotonic` and take a `clock` callable of their own where tests
move them. The suite must pass on any date: after touching dates, run it under libfaketime
(`faketime -f '+400d' .venv/bin/python -m pytest -q`).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sophia.core.config import Settings
from sophia.core.embedders.hashing import HashingEmbedder
from sophia.core.embedders.local import LocalEmbedder
from tests.fakes.loopback import clear_proxies

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
# 09:00 UTC on Monday 2026-11-23: the samples' anchor week (samples/folder.json), so they
# keep the dates samples/expected.json gives, and the weekly brief's usual time.
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    """Pin the clock for the whole run, before any fixture builds settings."""
    os.environ["SOPHIA_NOW"] = NOW.isoformat()


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer setting or `.env` reaches a test; proxies never see loopback traffic;
    the clock reads `NOW`."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("SOPHIA_NOW", NOW.isoformat())
    clear_proxies(monkeypatch)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a fresh data dir, the hashing embedder and no retention cut-off."""
    return Settings(
        _env_file=None,
        sophia_data_dir=tmp_path / "data",
        sophia_embedder="hashing",
        retention_days=0,
    )


@pytest.fixture
def hashing() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def local_embedder() -> LocalEmbedder:
    """The real local model, loaded once per test session."""
    return LocalEmbedder()


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    """Ground truth planted in samples/ (written by samples/generate.py)."""
    data: dict[str, Any] = json.loads((SAMPLES / "expected.json").read_text())
    return data


@pytest.fixture
def samples_copy(tmp_path: Path) -> Path:
    """A private copy of samples/ that a test may change."""
    target = tmp_path / "samples"
    # Only the corpus: not the generator, its story (samples/story/*.yaml) or its engine.
    skip = shutil.ignore_patterns("*.py", "*.md", "story", "engine", "__pycache__")
    shutil.copytree(SAMPLES, target, ignore=skip)
    return target


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory: pytest.TempPathFactory, local_embedder: LocalEmbedder) -> Path:
    """samples/ ingested once with the real model; tests only read it."""
    from sophia.core.services import Sophia

    data_dir = tmp_path_factory.mktemp("samples-index")
    settings = Settings(_env_file=None, sophia_data_dir=data_dir, retention_days=90)

    async def build() -> None:
        sophia = await Sophia.open(settings)
        try:
            summary = await sophia.ingest_folder(SAMPLES)
            assert summary.indexed > 30, summary.line()
        finally:
            sophia.close()

    asyncio.run(build())
    return data_dir


def write_folder(
    folder: Path, calls: list[dict[str, Any]], transcripts: list[dict[str, Any]]
) -> Path:
    """A Gong-shaped folder with these raw API items."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calls.json").write_text(json.dumps(calls))
    (folder / "transcripts.json").write_text(json.dumps(transcripts))
    return folder


def raw_call(
    call_id: str,
    *,
    account: str = "Moss & Co",
    started: str = "2026-11-02T16:00:00Z",
    speakers: tuple[tuple[str, str, str], ...] = (
        ("1001", "Dana Rep", "Internal"),
        ("2002", "Casey Buyer", "External"),
    ),
    title: str | None = None,
) -> dict[str, Any]:
    """A minimal /v2/calls/extensive item."""
    return {
        "metaData": {
            "id": call_id,
            "url": f"https://app.gong.io/call?id={call_id}",
            "title": title or f"Call {call_id}",
            "started": started,
            "duration": 1800,
        },
        "context": [
            {
                "system": "Salesforce",
                "objects": [
                    {
                        "objectType": "Account",
                        "objectId": f"acct-{account}",
                        "fields": [{"name": "Name", "value": account}],
                    }
                ],
            }
        ],
        "parties": [
            {"id": f"p{sid}", "name": name, "speakerId": sid, "affiliation": side}
            for sid, name, side in speakers
        ],
    }


def raw_transcript(
    call_id: str, turns: list[tuple[str, list[str]]], gap_ms: int = 500
) -> dict[str, Any]:
    """A /v2/calls/transcript item; each sentence lasts 400 ms per word."""
    clock = 0
    monologues = []
    for speaker_id, sentences in turns:
        items = []
        for text in sentences:
            length = 400 * max(1, len(text.split()))
            items.append({"start": clock, "end": clock + length, "text": text})
            clock += length
        monologues.append({"speakerId": speaker_id, "topic": None, "sentences": items})
        clock += gap_ms
    return {"callId": call_id, "transcript": monologues}
