"""The ingest pipeline: idempotent, resumable, retention-aware, and PII never stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sophia.core.clock import FixedClock
from sophia.core.config import Settings
from sophia.core.ingest import Ingestor
from sophia.core.services import Sophia
from sophia.core.sources.base import SourceBatch
from sophia.core.sources.folder import FolderSource
from tests.conftest import raw_call, raw_transcript, write_folder


def numbered_corpus(folder: Path, count: int, start: datetime) -> Path:
    calls, transcripts = [], []
    for i in range(count):
        call_id = str(2000000000000000000 + i)
        started = (start + timedelta(days=i)).isoformat().replace("+00:00", "Z")
        calls.append(raw_call(call_id, started=started, account=f"Account {i % 4}"))
        transcripts.append(
            raw_transcript(
                call_id,
                [
                    ("1001", [f"Welcome to call {i}.", "Let's review the rollout."]),
                    ("2002", [f"Our team of {i + 10} reps needs SSO first."]),
                ],
            )
        )
    return write_folder(folder, calls, transcripts)


class FailingAfter:
    """A real folder source that fails after `n` committed batches: a crash at the boundary."""

    def __init__(self, inner: FolderSource, n: int) -> None:
        self.inner, self.n, self.name = inner, n, inner.name
        self.committed = 0

    @property
    def pending_count(self) -> int:
        return self.inner.pending_count

    async def batches(self, batch_size: int, since: datetime | None) -> AsyncIterator[SourceBatch]:
        async for batch in self.inner.batches(batch_size, since):
            if self.committed == self.n:
                raise ConnectionError("network went away")
            yield batch

    async def commit(self, batch: SourceBatch) -> None:
        await self.inner.commit(batch)
        self.committed += 1


async def test_an_interrupted_ingest_keeps_finished_batches_and_resumes(
    settings: Settings, tmp_path: Path
) -> None:
    folder = numbered_corpus(tmp_path / "corpus", 12, datetime(2026, 9, 1, tzinfo=UTC))
    app = await Sophia.open(settings.model_copy(update={"sync_batch_size": 5}))
    try:
        with pytest.raises(ConnectionError):
            await app.ingestor.run(FailingAfter(FolderSource(folder), 2), batch_size=5)
        assert (await app.store.counts()).calls == 10, "two finished batches are kept"

        summary = await app.ingest_folder(folder)
        assert (summary.unchanged, summary.indexed) == (10, 2)
        assert (await app.store.counts()).calls == 12
    finally:
        app.close()


async def test_ingesting_twice_leaves_counts_unchanged(settings: Settings, tmp_path: Path) -> None:
    folder = numbered_corpus(tmp_path / "corpus", 6, datetime(2026, 9, 1, tzinfo=UTC))
    app = await Sophia.open(settings)
    try:
        first = await app.ingest_folder(folder)
        counts = await app.store.counts()
        second = await app.ingest_folder(folder)
        assert first.indexed == 6 and second.unchanged == 6 and second.embedded == 0
        assert await app.store.counts() == counts
    finally:
        app.close()


async def test_metadata_change_reuses_vectors(settings: Settings, tmp_path: Path) -> None:
    folder = numbered_corpus(tmp_path / "corpus", 3, datetime(2026, 9, 1, tzinfo=UTC))
    app = await Sophia.open(settings)
    try:
        await app.ingest_folder(folder)
        calls = json.loads((folder / "calls.json").read_text())
        calls[0]["metaData"]["title"] = "Renamed call"
        (folder / "calls.json").write_text(json.dumps(calls))
        summary = await app.ingest_folder(folder)
        assert (summary.indexed, summary.unchanged) == (1, 2)
        assert summary.embedded == 0 and summary.reused > 0
        call = await app.store.get_call("2000000000000000000")
        assert call is not None and call.details.title == "Renamed call"
    finally:
        app.close()


async def test_calls_outside_retention_are_not_ingested(settings: Settings, tmp_path: Path) -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    folder = numbered_corpus(tmp_path / "corpus", 10, now - timedelta(days=14))
    app = await Sophia.open(settings)
    try:
        ingestor = Ingestor(
            app.store,
            app.embedder,
            app.embedder.default_plan,
            retention_days=7,
            clock=FixedClock(now),
        )
        summary = await ingestor.run(FolderSource(folder), batch_size=4)
        assert summary.too_old == 7 and summary.indexed == 3
        assert (await app.store.counts()).calls == 3
    finally:
        app.close()


async def test_planted_pii_never_reaches_the_store(
    settings: Settings, samples_copy: Path, expected: dict
) -> None:
    app = await Sophia.open(settings)
    try:
        summary = await app.ingest_folder(samples_copy)
        assert sum(summary.redactions.values()) >= len(expected["pii"])
        stored = json.dumps([c.model_dump(mode="json") for c in await app.store.list_calls()])
        for item in expected["pii"]:
            assert item["value"] not in stored
            hits = (await app.search.search(_request(item["value"]))).hits
            assert all(item["value"] not in h.text for h in hits)
        for item in expected["not_pii"]:
            assert item["value"] in stored, "ordinary numbers must survive redaction"
    finally:
        app.close()
    on_disk = b"".join(p.read_bytes() for p in settings.sophia_data_dir.rglob("*") if p.is_file())
    for item in expected["pii"]:
        assert item["value"].encode() not in on_disk


def _request(text: str):
    from sophia.core.query import SearchMode, build_request

    return build_request(query=text, mode=SearchMode.KEYWORD, limit=20)
