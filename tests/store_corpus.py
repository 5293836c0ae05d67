"""The corpus the store contract tests share: four hand-made chunks with hand-made unit
vectors, so every score can be worked out on paper (cosine similarities are dot products,
and a keyword list of two hits normalises to 1 and 0 whatever the BM25 flavour)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import numpy as np

from sophia.core.chunking import Chunk, ChunkLine, chunk_id
from sophia.core.models import Affiliation, Call, CallDetails, Monologue, Party, Sentence
from sophia.core.query import SearchFilters, SearchMode
from sophia.core.stores.base import IndexedCall, IndexInfo, StoredChunk, StoreQuery, VectorStore

HOSTILE = 'O\'Brien "Holdings"; DROP TABLE chunks; --'
INFO = IndexInfo("test:unit-4", 4)
CALL_1, CALL_2, CALL_3 = "7000000000000000001", "7000000000000000002", "7000000000000000003"
REP = ("Dana Rep", Affiliation.INTERNAL)
BUYER = ("Casey Buyer", Affiliation.EXTERNAL)
QUERY = "pricing discount"
Q = np.array([1, 0, 0, 0], dtype=np.float32)

OpenStore = Callable[..., Awaitable[VectorStore]]


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def indexed_call(
    call_id: str,
    account: str | None,
    started: datetime,
    turns: list[tuple[tuple[str, Affiliation], str, np.ndarray]],
    *,
    content_hash: str | None = None,
) -> IndexedCall:
    """A call whose every turn is one chunk, with the given vector."""
    parties = (
        Party(party_id="p1", speaker_id="1", name=REP[0], affiliation=REP[1]),
        Party(party_id="p2", speaker_id="2", name=BUYER[0], affiliation=BUYER[1]),
    )
    monologues, chunks = [], []
    for index, ((speaker, side), text, _) in enumerate(turns):
        start = index * 10_000
        monologues.append(
            Monologue(
                speaker_id="1" if side is Affiliation.INTERNAL else "2",
                sentences=(Sentence(start_ms=start, end_ms=start + 4000, text=text),),
            )
        )
        line = ChunkLine(speaker, side, start, start + 4000, text)
        chunks.append(Chunk(chunk_id(call_id, index), call_id, index, (line,)))
    details = CallDetails(
        call_id=call_id,
        title=f"Call {call_id[-1]}",
        url=f"https://app.gong.io/call?id={call_id}",
        started=started,
        duration_s=600,
        account=account,
        parties=parties,
    )
    vectors = np.stack([v for _, _, v in turns]) if turns else np.zeros((0, 4), np.float32)
    return IndexedCall(
        call=Call(details=details, monologues=tuple(monologues)),
        content_hash=content_hash or f"hash-{call_id}",
        chunks=chunks,
        vectors=vectors,
    )


# A: both query words, cos 0.6 | B: "pricing" only, cos 0.8 | C: no query word, cos 1.0 |
# D: no query word, cos 0.0. Calls start on 5 Oct, 20 Oct 15:00 and 10 Nov 2026.
def corpus() -> list[IndexedCall]:
    return [
        indexed_call(
            CALL_1,
            "Moss & Co",
            datetime(2026, 10, 5, 15, tzinfo=UTC),
            [
                (BUYER, "The pricing is too high without a discount.", unit(0.6, 0.8, 0, 0)),
                (REP, "Let us schedule the security review.", unit(0, 1, 0, 0)),
            ],
        ),
        indexed_call(
            CALL_2,
            HOSTILE,
            datetime(2026, 10, 20, 15, tzinfo=UTC),
            [(REP, "Our pricing changes next year.", unit(0.8, 0.6, 0, 0))],
        ),
        indexed_call(
            CALL_3,
            "Olympus",
            datetime(2026, 11, 10, 15, tzinfo=UTC),
            [(BUYER, "Security review and SSO questions.", unit(1, 0, 0, 0))],
        ),
    ]


def call_1_rewritten(text: str, vector: np.ndarray, content_hash: str) -> IndexedCall:
    """CALL_1 as a later sync sees it: one buyer turn, `text`, in place of its two."""
    started = datetime(2026, 10, 5, 15, tzinfo=UTC)
    turns = [(BUYER, text, vector)]
    return indexed_call(CALL_1, "Moss & Co", started, turns, content_hash=content_hash)


A, D = chunk_id(CALL_1, 0), chunk_id(CALL_1, 1)
B, C = chunk_id(CALL_2, 0), chunk_id(CALL_3, 0)


async def search(
    store: VectorStore,
    mode: SearchMode,
    text: str = QUERY,
    *,
    limit: int = 10,
    alpha: float = 0.5,
    **filters: object,
) -> list[StoredChunk]:
    vector = None if mode is SearchMode.KEYWORD else Q
    query = StoreQuery(mode, text, vector, alpha, limit, SearchFilters.model_validate(filters))
    return await store.search(query)


def ranked(hits: list[StoredChunk]) -> list[tuple[str, float]]:
    return [(hit.chunk_id, round(hit.score, 4)) for hit in hits]
