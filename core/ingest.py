"""Ingest: source -> redact PII -> chunk by speaker -> embed -> upsert, in checkpointed batches.

Idempotent by construction: a call whose content hash is unchanged is skipped; a changed
call is re-chunked, and only chunk texts the index has not seen before are embedded.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np

from core.accounts import AccountDomains
from core.cache import Generation
from core.chunking import CHUNKER_VERSION, Chunk, ChunkPlan, speaker_chunks
from core.clock import Clock, SystemClock
from core.embedders.base import Embedder, Vectors
from core.models import Call, GongContent, Monologue
from core.pii import Redactor, placeholder_count
from core.sources.base import CallSource, SourceBatch
from core.stores.base import IndexedCall, VectorStore

__all__ = ["IngestProgress", "IngestSummary", "Ingestor", "redact_call", "redactions_in"]

log = logging.getLogger("sophia.ingest")


@dataclass
class IngestSummary:
    """What one ingest or sync run did."""

    source: str
    indexed: int = 0
    chunks: int = 0
    unchanged: int = 0
    too_old: int = 0
    pending: int = 0
    embedded: int = 0
    reused: int = 0
    redactions: Counter[str] = field(default_factory=Counter)
    rejected: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        parts = [
            f"{_count(self.indexed, 'call')} indexed "
            f"({_count(self.chunks, 'chunk')}, {self.embedded} embedded)",
            f"{self.unchanged} unchanged",
            f"{self.too_old} outside retention",
            f"{self.pending} pending",
        ]
        if self.rejected:
            parts.append(f"{len(self.rejected)} rejected")
        if self.redactions:
            parts.append(f"{sum(self.redactions.values())} PII redactions")
        return f"{', '.join(parts)} in {self.seconds:.1f} s"

    def call_counts(self) -> dict[str, int]:
        """Calls by what happened to them, for the sync metrics."""
        return {
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "outside_retention": self.too_old,
            "pending": self.pending,
            "rejected": len(self.rejected),
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "calls_indexed": self.indexed,
            "chunks": self.chunks,
            "unchanged": self.unchanged,
            "outside_retention": self.too_old,
            "pending": self.pending,
            "embedded": self.embedded,
            "reused_vectors": self.reused,
            "redactions": dict(self.redactions),
            "rejected": self.rejected,
            "seconds": round(self.seconds, 2),
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class IngestProgress(Protocol):
    """Told after every stored batch; the CLI draws a progress bar with it."""

    def update(self, summary: IngestSummary, seen: int | None, total: int | None) -> None: ...


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
    ) -> None:
        self._store = store
        self._redactor = redactor or Redactor()
        self._generation = generation
        self._embedder = embedder
        self._plan = plan
        self._retention_days = retention_days
        self._clock = clock or SystemClock()
        self._known_domains: AccountDomains | None = None

    async def run(
        self,
        source: CallSource,
        *,
        batch_size: int,
        since: datetime | None = None,
        progress: IngestProgress | None = None,
    ) -> IngestSummary:
        """Ingest everything `source` yields; returns what happened."""
        summary = IngestSummary(source=source.name)
        started = time.perf_counter()
        self._known_domains = None
        try:
            async for batch in source.batches(batch_size, since):
                await self._ingest_batch(batch, summary)
                await source.commit(batch)
                summary.seconds = time.perf_counter() - started
                if progress is not None:
                    progress.update(summary, batch.seen, batch.total)
        finally:
            summary.pending = source.pending_count
            summary.seconds = time.perf_counter() - started
            if summary.indexed:
                await self._store.optimize()
        return summary

    async def _ingest_batch(self, batch: SourceBatch, summary: IngestSummary) -> None:
        summary.rejected.extend(batch.rejected)
        cutoff = self._cutoff()
        domains = await self._domains(batch.calls)
        fresh = [
            domains.resolve(c) for c in batch.calls if cutoff is None or c.details.started >= cutoff
        ]
        summary.too_old += len(batch.calls) - len(fresh)
        hashes = {call.call_id: self._content_hash(call) for call in fresh}
        stored = await self._store.content_hashes(list(hashes))
        changed = [c for c in fresh if stored.get(c.call_id) != hashes[c.call_id]]
        summary.unchanged += len(fresh) - len(changed)
        if not changed:
            return
        prepared = [self._prepare(call) for call in changed]
        reusable = await self._store.vectors_by_text(
            [c.call_id for c in changed if c.call_id in stored]
        )
        vectors = await self._vectors([chunks for _, chunks, _ in prepared], reusable, summary)
        indexed = [
            # The stored count is of the placeholders the call holds, so a reindex (which
            # redacts text redacted before) keeps the earlier redactions in the count.
            IndexedCall(call, hashes[call.call_id], chunks, vecs, redactions_in(call))
            for (call, chunks, _), vecs in zip(prepared, vectors, strict=True)
        ]
        await self._store.upsert(indexed)
        if self._generation is not None:
            # Cached answers from before this batch must not be served after it.
            await self._generation.advance()
        for _, chunks, counts in prepared:
            summary.indexed += 1
            summary.chunks += len(chunks)
            summary.redactions.update(counts)

    async def _domains(self, calls: list[Call]) -> AccountDomains:
        """Domain-to-account names, learned from the index once per run, then from each batch."""
        if self._known_domains is None:
            self._known_domains = AccountDomains()
            if any(c.details.account_id is None for c in calls):
                self._known_domains.learn(await self._store.list_calls(transcripts=False))
        self._known_domains.learn(calls)
        return self._known_domains

    def _prepare(self, call: Call) -> tuple[Call, list[Chunk], Counter[str]]:
        redacted, counts = redact_call(call, self._redactor)
        chunks = speaker_chunks(redacted, self._embedder.count_tokens, self._plan)
        return redacted, chunks, counts

    async def _vectors(
        self,
        per_call: Sequence[Sequence[Chunk]],
        reusable: dict[str, Vectors],
        summary: IngestSummary,
    ) -> list[Vectors]:
        """One matrix per call; texts already in the index keep their vectors."""
        missing: dict[str, str] = {}
        for chunks in per_call:
            for chunk in chunks:
                if chunk.text_hash not in reusable:
                    missing.setdefault(chunk.text_hash, chunk.text)
        known = dict(reusable)
        if missing:
            fresh = await self._embedder.embed_documents(list(missing.values()))
            known.update(zip(missing, fresh, strict=True))
        total = sum(len(chunks) for chunks in per_call)
        summary.embedded += len(missing)
        summary.reused += total - len(missing)
        return [
            np.stack([known[c.text_hash] for c in chunks])
            if chunks
            else np.zeros((0, self._embedder.dim), dtype=np.float32)
            for chunks in per_call
        ]

    def _cutoff(self) -> datetime | None:
        if self._retention_days == 0:
            return None
        return self._clock.now() - timedelta(days=self._retention_days)

    def _content_hash(self, call: Call) -> str:
        material = "|".join(
            [
                call.model_dump_json(),
                CHUNKER_VERSION,
                self._redactor.version,
                self._embedder.name,
                f"{self._plan.max_tokens}/{self._plan.overlap_tokens}",
            ]
        )
        return hashlib.sha256(material.encode()).hexdigest()


def redact_call(call: Call, redactor: Redactor | None = None) -> tuple[Call, Counter[str]]:
    """The call with PII removed from every text we keep: transcript, title, Gong content."""
    counts: Counter[str] = Counter()
    redactor = redactor or Redactor()

    def clean(text: str) -> str:
        redaction = redactor.redact(text)
        counts.update(redaction.counts)
        return redaction.text

    monologues = tuple(
        Monologue(
            speaker_id=m.speaker_id,
            topic=m.topic,
            sentences=tuple(s.model_copy(update={"text": clean(s.text)}) for s in m.sentences),
        )
        for m in call.monologues
    )
    details = call.details.model_copy(
        update={
            "title": clean(call.details.title),
            "content": _clean_content(call.details.content, clean),
        }
    )
    return Call(details=details, monologues=monologues), counts


def redactions_in(call: Call) -> int:
    """Redaction placeholders in the texts `redact_call` cleans."""
    texts = [call.details.title, *(s.text for m in call.monologues for s in m.sentences)]
    content = call.details.content
    if content is not None:
        texts.extend([content.brief or "", *content.key_points])
    return sum(placeholder_count(text) for text in texts)


def _clean_content(content: GongContent | None, clean: Callable[[str], str]) -> GongContent | None:
    if content is None:
        return None
    return content.model_copy(
        update={
            "brief": clean(content.brief) if content.brief else None,
            "key_points": tuple(clean(point) for point in content.key_points),
        }
    )
