"""Ingest: source -> redact PII -> chunk by speaker -> embed -> upsert, in checkpointed batches.

Idempotent by construction: a call whose content hash is unchanged is skipped; a changed
call is re-chunked, and only chunk texts the index has not seen before are embedded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from sophia.core.accounts import AccountDomains
from sophia.core.cache import Generation
from sophia.core.chunking import CHUNKER_VERSION, Chunk, ChunkPlan, speaker_chunks
from sophia.core.clock import Clock, SystemClock
from sophia.core.embedders.base import Embedder, Vectors
from sophia.core.ingest_summary import IngestProgress, IngestSummary
from sophia.core.models import Call
from sophia.core.pii import Redactor, redact_call, redactions_in
from sophia.core.quarantine import Quarantined, Stage, describe_fault, is_record_fault
from sophia.core.query import ACCOUNT_KEY_VERSION
from sophia.core.sources.base import CallSource, SourceBatch, is_complete_listing
from sophia.core.state import StateDB
from sophia.core.stores.base import IndexedCall, VectorStore

# IngestSummary and IngestProgress are imported from here by the surfaces.
__all__ = ["IngestProgress", "IngestSummary", "Ingestor"]

log = logging.getLogger("sophia.ingest")


class Ingestor:
    """Moves calls from a source into a store."""

    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder,
        plan: ChunkPlan,
        *,
        retention_days: int,
        clock: Clock | None = None,
        generation: Generation | None = None,
        redactor: Redactor | None = None,
        state: StateDB | None = None,
        live: bool = True,
    ) -> None:
        """`live`: new calls from a source (their freshness is recorded), not a rebuild."""
        self._store = store
        self._live = live
        # Where quarantined records go; None (some tests) reports them in the summary only.
        self._state = state
        self._redactor = redactor or Redactor()
        self._generation = generation
        self._embedder = embedder
        self.plan = plan
        self._retention_days = retention_days
        self._clock = clock or SystemClock()
        self._known_domains: AccountDomains | None = None

    async def run(
        self,
        source: CallSource,
        since: datetime | None = None,
        *,
        batch_size: int,
        progress: IngestProgress | None = None,
    ) -> IngestSummary:
        """Ingest everything `source` yields (from `since`, else from where the source starts), in
        batches of `batch_size` calls; returns what happened."""
        summary = IngestSummary(source=source.name)
        started = time.perf_counter()
        self._known_domains = None
        refused: set[str] = set()
        try:
            async for batch in source.batches(batch_size, since):
                refused |= await self._ingest_batch(batch, source.name, summary)
                await source.commit(batch)
                log.info(
                    "%s: batch stored (%d indexed, %d unchanged so far)",
                    source.name,
                    summary.indexed,
                    summary.unchanged,
                )
                summary.seconds = time.perf_counter() - started
                if progress is not None:
                    progress.update(summary, batch.seen, batch.total)
            if self._state is not None and is_complete_listing(source):
                self._state.release_all_but(source.name, refused)
        finally:
            summary.pending = source.pending_count
            if summary.indexed:
                await self._optimize(summary)
            summary.seconds = time.perf_counter() - started
        return summary

    async def _optimize(self, summary: IngestSummary) -> None:
        written = self._store.written_bytes()
        started = time.perf_counter()
        summary.upkeep = await self._store.optimize()
        summary.optimize_seconds = time.perf_counter() - started
        summary.optimize_bytes = _grown(written, self._store.written_bytes())
        if summary.upkeep:
            log.info("store upkeep: %s", "; ".join(summary.upkeep))

    async def _ingest_batch(
        self, batch: SourceBatch, source: str, summary: IngestSummary
    ) -> set[str]:
        """Store what can be stored; quarantine the rest. Returns the quarantined ids."""
        refused = [q.from_source(source) for q in batch.quarantined]
        summary.duplicates.extend(batch.duplicates)
        cutoff = self._cutoff()
        domains = await self._domains(batch.calls)
        fresh: list[Call] = []
        hashes: dict[str, str] = {}
        for call in batch.calls:
            if cutoff is not None and call.details.started < cutoff:
                summary.too_old += 1
                continue
            try:
                resolved = domains.resolve(call)
                hashes[call.call_id] = self._content_hash(resolved)
            except Exception as exc:  # anything this call's data makes fail is its own fault
                refused.append(_refusal(call, "validate", exc, source))
                continue
            fresh.append(resolved)
        stored = await self._store.content_hashes(list(hashes))
        changed = [c for c in fresh if stored.get(c.call_id) != hashes[c.call_id]]
        settled = [c.call_id for c in fresh if stored.get(c.call_id) == hashes[c.call_id]]
        summary.unchanged += len(settled)
        prepared: list[_Prepared] = []
        indexed_now: list[Call] = []
        for call in changed:
            try:
                prepared.append(self._prepare(call, hashes[call.call_id]))
            except _StageFailed as failed:
                refused.append(_refusal(call, failed.stage, failed.error, source))
        if prepared:
            reusable = await self._store.vectors_by_text(
                [p.call.call_id for p in prepared if p.call.call_id in stored]
            )
            embedded = await self._isolated(
                prepared,
                lambda part: self._embed(part, reusable, summary),
                "embed",
                refused,
                source,
            )
            written = self._store.written_bytes()
            started = time.perf_counter()
            indexed = await self._isolated(embedded, self._upsert, "store", refused, source)
            summary.write_seconds += time.perf_counter() - started
            grown = _grown(written, self._store.written_bytes())
            if grown is not None:
                summary.write_bytes = (summary.write_bytes or 0) + grown
            if indexed and self._generation is not None:
                # Cached answers from before this batch must not be served after it.
                await self._generation.advance()
            indexed_now.extend(item.call for item in indexed)
            for item in indexed:
                summary.indexed += 1
                summary.chunks += len(item.chunks)
                summary.redactions.update(item.counts)
                settled.append(item.call.call_id)
                if not item.chunks:
                    summary.empty.append(item.call.call_id)
                    log.warning(
                        "call %s has no transcript text: indexed without chunks", item.call.call_id
                    )
        summary.quarantined.extend(q.line() for q in refused)
        if self._state is not None and self._live and indexed_now:
            self._state.record_first_indexed(
                [(c.call_id, c.details.started, c.details.ended) for c in indexed_now]
            )
        if self._state is not None:
            # Recorded before the source's checkpoint moves past them: never lost.
            if refused:
                self._state.quarantine(refused)
            self._state.release(settled)
        for record in refused:
            log.warning("quarantined %s (%s): %s", record.record_id, record.stage, record.reason)
        return {q.record_id for q in refused}

    async def _isolated(
        self,
        items: list[_Prepared],
        step: Callable[[list[_Prepared]], Awaitable[list[_Prepared]]],
        stage: Stage,
        refused: list[Quarantined],
        source: str,
    ) -> list[_Prepared]:
        """`step` over the whole batch; if that fails, call by call, quarantining the calls
        that fail alone. When every call fails for a reason that is not the data's (a disk,
        a network), the first failure is raised: that is an outage, not a batch of bad calls."""
        try:
            return await step(items)
        except Exception as exc:
            if len(items) == 1 and not is_record_fault(exc):
                raise
            log.info(
                "%s failed for a batch of %d calls (%s); retrying one by one",
                stage,
                len(items),
                describe_fault(exc),
            )
        done: list[_Prepared] = []
        outages: list[tuple[_Prepared, Exception]] = []
        for item in items:
            try:
                done.extend(await step([item]))
            except Exception as exc:
                if is_record_fault(exc):
                    refused.append(_refusal(item.call, stage, exc, source, item.payload()))
                else:
                    outages.append((item, exc))
        if outages and not done:
            raise outages[0][1]
        # Others of the same batch went through: what failed alone failed for its data.
        refused.extend(_refusal(i.call, stage, e, source, i.payload()) for i, e in outages)
        return done

    async def _domains(self, calls: list[Call]) -> AccountDomains:
        """Domain-to-account names, learned from the index once per run, then from each batch."""
        if self._known_domains is None:
            self._known_domains = AccountDomains()
            if any(c.details.account_id is None for c in calls):
                self._known_domains.learn(await self._store.list_calls(transcripts=False))
        self._known_domains.learn(calls)
        return self._known_domains

    def _prepare(self, call: Call, content_hash: str) -> _Prepared:
        try:
            redacted, counts = redact_call(call, self._redactor)
        except Exception as exc:
            raise _StageFailed("redact", exc) from exc
        try:
            chunks = speaker_chunks(redacted, self._embedder.count_tokens, self.plan)
        except Exception as exc:
            raise _StageFailed("chunk", exc) from exc
        return _Prepared(redacted, content_hash, chunks, counts)

    async def _embed(
        self, items: list[_Prepared], reusable: dict[str, Vectors], summary: IngestSummary
    ) -> list[_Prepared]:
        """The items with one vector per chunk; texts already in the index keep theirs."""
        missing: dict[str, str] = {}
        for item in items:
            for chunk in item.chunks:
                if chunk.text_hash not in reusable:
                    missing.setdefault(chunk.text_hash, chunk.text)
        known = dict(reusable)
        if missing:
            started = time.perf_counter()
            fresh = await self._embedder.embed_documents(list(missing.values()))
            summary.embed_seconds += time.perf_counter() - started
            known.update(zip(missing, fresh, strict=True))
        total = sum(len(item.chunks) for item in items)
        summary.embedded += len(missing)
        summary.reused += total - len(missing)
        for item in items:
            item.vectors = (
                np.stack([known[c.text_hash] for c in item.chunks])
                if item.chunks
                else np.zeros((0, self._embedder.dim), dtype=np.float32)
            )
        return items

    async def _upsert(self, items: list[_Prepared]) -> list[_Prepared]:
        await self._store.upsert(
            [
                # The stored count is of the placeholders the call holds, so a reindex (which
                # redacts text redacted before) keeps the earlier redactions in the count.
                IndexedCall(i.call, i.content_hash, i.chunks, i.vectors, redactions_in(i.call))
                for i in items
            ]
        )
        return items

    def _cutoff(self) -> datetime | None:
        if self._retention_days == 0:
            return None
        return self._clock.now() - timedelta(days=self._retention_days)

    def _content_hash(self, call: Call) -> str:
        material = "|".join(
            [
                call.model_dump_json(),
                CHUNKER_VERSION,
                ACCOUNT_KEY_VERSION,
                self._redactor.version,
                self._embedder.name,
                f"{self.plan.max_tokens}/{self.plan.overlap_tokens}",
            ]
        )
        return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class _Prepared:
    """A call on its way into the store: redacted, chunked, then embedded."""

    call: Call
    content_hash: str
    chunks: list[Chunk]
    counts: Counter[str]
    vectors: Vectors = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def payload(self) -> str | None:
        """The redacted call as JSON, so that a retry needs nothing from the source."""
        try:
            return json.dumps(self.call.model_dump(mode="json"))
        except (ValueError, TypeError):
            return None


class _StageFailed(Exception):
    """A pure step (redaction, chunking) failed on one call's data."""

    def __init__(self, stage: Stage, error: Exception) -> None:
        super().__init__(f"{stage}: {error}")
        self.stage = stage
        self.error = error


def _refusal(
    call: Call, stage: Stage, exc: BaseException, source: str, payload: str | None = None
) -> Quarantined:
    return Quarantined(call.call_id, stage, describe_fault(exc), source, payload)


def _grown(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before
