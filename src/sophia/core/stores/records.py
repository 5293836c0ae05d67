"""What every store keeps for a chunk and for a call, and how it turns back into results.

Both stores build their rows here, so a chunk's lines, account key and dates are written and
read back the same way whichever store holds them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sophia.core.chunking import Chunk, ChunkLine
from sophia.core.errors import IndexMismatch, StoreError
from sophia.core.models import Affiliation, Call, CallDetails, Monologue
from sophia.core.quarantine import Quarantined, describe_fault
from sophia.core.query import account_key
from sophia.core.stores.base import CallListing, IndexedCall, IndexInfo, StoredChunk

__all__ = [
    "HIT_FIELDS",
    "SIDE_FIELD",
    "call_from_record",
    "call_record",
    "check_vectors",
    "chunk_record",
    "index_mismatch",
    "stored_chunk",
    "to_ms",
]

# The stored chunk fields a search hit is built from (`stored_chunk`), besides its id.
HIT_FIELDS = [
    "call_id",
    "chunk_index",
    "lines",
    "title",
    "account",
    "started_ms",
    "call_url",
    "start_ms",
    "end_ms",
]

_AFFILIATIONS = {side.value: side for side in Affiliation}

# The boolean field that says a chunk has a line spoken from that side of the table.
SIDE_FIELD = {
    Affiliation.INTERNAL: "has_internal",
    Affiliation.EXTERNAL: "has_external",
    Affiliation.UNKNOWN: "has_unknown",
}


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch: how stores keep and filter call dates."""
    return int(moment.timestamp() * 1000)


def check_vectors(indexed: IndexedCall) -> None:
    """Refuse a call whose chunks and vectors do not pair up one to one."""
    if len(indexed.chunks) != len(indexed.vectors):
        raise StoreError(
            f"call {indexed.call.call_id}: {len(indexed.chunks)} chunks but "
            f"{len(indexed.vectors)} vectors"
        )


def chunk_record(details: CallDetails, chunk: Chunk) -> dict[str, Any]:
    """A chunk's stored fields (without its id and vector): text, citation and filter fields."""
    sides = {line.affiliation for line in chunk.lines}
    record: dict[str, Any] = {
        "call_id": chunk.call_id,
        "chunk_index": chunk.index,
        "text": chunk.text,
        "text_hash": chunk.text_hash,
        "lines": json.dumps(
            [
                [line.speaker, line.affiliation.value, line.start_ms, line.end_ms, line.text]
                for line in chunk.lines
            ]
        ),
        "title": details.title,
        "account": details.account,
        "account_key": account_key(details.account) if details.account else None,
        "started_ms": to_ms(details.started),
        "call_url": details.url,
        "start_ms": chunk.start_ms,
        "end_ms": chunk.end_ms,
    }
    for side, field in SIDE_FIELD.items():
        record[field] = side in sides
    return record


def call_record(indexed: IndexedCall, indexed_at_ms: int) -> dict[str, Any]:
    """A call's stored fields: the redacted call as JSON, its content hash and counts."""
    details = indexed.call.details
    return {
        "call_id": indexed.call.call_id,
        "account": details.account,
        "account_key": account_key(details.account) if details.account else None,
        "title": details.title,
        "started_ms": to_ms(details.started),
        "content_hash": indexed.content_hash,
        "details": details.model_dump_json(),
        "monologues": json.dumps([m.model_dump(mode="json") for m in indexed.call.monologues]),
        "chunk_count": len(indexed.chunks),
        "redactions": indexed.redactions,
        "indexed_at_ms": indexed_at_ms,
    }


def call_from_record(record: Mapping[str, Any], *, transcripts: bool = True) -> Call:
    """The call stored by `call_record` (only `details` and `monologues` are read)."""
    monologues = (
        tuple(Monologue.model_validate(m) for m in json.loads(record["monologues"]))
        if transcripts
        else ()
    )
    return Call(details=CallDetails.model_validate_json(record["details"]), monologues=monologues)


def calls_from_records(records: Sequence[Mapping[str, Any]], listing: CallListing) -> list[Call]:
    """The calls `list_calls` returns for these records, as `listing` asks."""
    transcripts = listing.get("transcripts", True)
    newest = listing.get("newest")
    unreadable = listing.get("unreadable")
    ordered = sorted(records, key=lambda r: (int(r["started_ms"]), str(r["call_id"])))
    if newest is not None:
        ordered = ordered[-newest:] if newest > 0 else []
    calls = []
    for record in ordered:
        try:
            calls.append(call_from_record(record, transcripts=transcripts))
        except ValueError as exc:
            if unreadable is None:
                raise StoreError(
                    f"the stored call {record['call_id']} is unreadable "
                    f"({describe_fault(exc)}); `sophia reindex` sets it aside"
                ) from None
            unreadable.append(
                Quarantined(
                    str(record["call_id"]),
                    "parse",
                    describe_fault(exc),
                    payload=_raw_call(record) if transcripts else None,
                )
            )
    return calls


def _raw_call(record: Mapping[str, Any]) -> str | None:
    """The stored call as one JSON document (already redacted), for a later retry."""
    try:
        return json.dumps(
            {
                "details": json.loads(record["details"]),
                "monologues": json.loads(record["monologues"]),
            }
        )
    except (ValueError, TypeError, KeyError):
        return None


def stored_chunk(
    record: Mapping[str, Any],
    chunk_id: str,
    score: float,
    *,
    similarity: float | None = None,
    keyword: float | None = None,
) -> StoredChunk:
    """A search hit from a chunk's stored fields (a missing `account` is no account), with
    the raw evidence behind its score."""
    # A search builds every line of ~100 candidates: a dict lookup, not Enum's constructor.
    lines = tuple(
        ChunkLine(
            speaker, _AFFILIATIONS.get(affiliation) or Affiliation(affiliation), start, end, text
        )
        for speaker, affiliation, start, end, text in json.loads(record["lines"])
    )
    return StoredChunk(
        chunk_id=chunk_id,
        call_id=record["call_id"],
        chunk_index=int(record["chunk_index"]),
        lines=lines,
        title=record["title"],
        account=record.get("account"),
        started=datetime.fromtimestamp(int(record["started_ms"]) / 1000, UTC),
        call_url=record["call_url"],
        start_ms=int(record["start_ms"]),
        end_ms=int(record["end_ms"]),
        score=float(score),
        similarity=similarity,
        keyword=keyword,
    )


def index_mismatch(where: str, built_with: str, built_dim: int, info: IndexInfo) -> IndexMismatch:
    """The start-up error for an index built in another embedding space."""
    return IndexMismatch(
        f"The index in {where} was built with {built_with} ({built_dim} dims), but the "
        f"configured embedder is {info.embedder} ({info.dim} dims). Run `sophia reindex` to "
        "rebuild it, or set SOPHIA_EMBEDDER back."
    )
