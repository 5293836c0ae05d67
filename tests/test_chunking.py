"""Chunker properties: nothing lost, nothing oversized, times that cover their text."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sophia.core.chunking import ChunkPlan, chunk_id, speaker_chunks
from sophia.core.embedders.hashing import HashingEmbedder
from sophia.core.embedders.local import LocalEmbedder
from sophia.core.models import Affiliation, Call, CallDetails, Monologue, Party, Sentence

WORDS = [
    "price",
    "budget",
    "seats",
    "DealForge",
    "timeline",
    "SOC",
    "2",
    "we'll",
    "ok",
    "Q4",
    "implementation",
    "antidisestablishmentarianism",
    "$184,000",
    "—",
    "naïve",
    "per-seat",
]


def make_call(turns: list[tuple[int, list[str]]]) -> Call:
    parties = (
        Party(
            party_id="a", speaker_id="s0", name="Dana Whitfield", affiliation=Affiliation.INTERNAL
        ),
        Party(
            party_id="b", speaker_id="s1", name="Priya Natarajan", affiliation=Affiliation.EXTERNAL
        ),
    )
    clock, monologues = 0, []
    for speaker, texts in turns:
        sentences = []
        for text in texts:
            sentences.append(
                Sentence(start_ms=clock, end_ms=clock + 300 * len(text.split()), text=text)
            )
            clock += 300 * len(text.split()) + 50
        monologues.append(Monologue(speaker_id=f"s{speaker}", sentences=tuple(sentences)))
    details = CallDetails(
        call_id="7782342274025937895",
        title="t",
        url="https://app.gong.io/call?id=7782342274025937895",
        started=datetime(2026, 11, 2, tzinfo=UTC),
        parties=parties,
    )
    return Call(details=details, monologues=tuple(monologues))


sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=60).map(" ".join)
turns = st.lists(
    st.tuples(st.integers(0, 2), st.lists(sentence, min_size=1, max_size=12)),
    min_size=1,
    max_size=25,
)
plans = st.integers(24, 254).flatmap(
    lambda size: st.builds(ChunkPlan, st.just(size), st.integers(0, size - 1))
)

LOCAL = LocalEmbedder()  # only its tokenizer is used here: no model load


@pytest.mark.parametrize(
    "count", [HashingEmbedder().count_tokens, LOCAL.count_tokens], ids=["words", "wordpiece"]
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(turns=turns, plan=plans)
def test_chunks_keep_every_sentence_within_the_limit(count, turns, plan) -> None:
    call = make_call(turns)
    chunks = speaker_chunks(call, count, plan)

    assert chunks, "a call with text has chunks"
    for chunk in chunks:
        assert count(chunk.text) <= plan.max_tokens
        for line in chunk.lines:
            assert chunk.start_ms <= line.start_ms <= line.end_ms <= chunk.end_ms
    # Every sentence is in some chunk: whole, or as word pieces inside its time range.
    lines = sorted({(ln.start_ms, ln.end_ms, ln.text) for c in chunks for ln in c.lines})
    for monologue in call.monologues:
        for s in monologue.sentences:
            pieces = [text for start, end, text in lines if s.start_ms <= start and end <= s.end_ms]
            assert " ".join(pieces).split() == s.text.split()


def test_chunk_ids_are_deterministic_and_versioned() -> None:
    call = make_call([(0, ["Hello there.", "Let's talk pricing."]), (1, ["Sure."])])
    first = speaker_chunks(call, HashingEmbedder().count_tokens, ChunkPlan(50, 10))
    second = speaker_chunks(call, HashingEmbedder().count_tokens, ChunkPlan(50, 10))
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert first[0].chunk_id == chunk_id(call.call_id, 0)
    assert chunk_id(call.call_id, 0) != chunk_id(call.call_id, 1)
    assert chunk_id(call.call_id, 0) != chunk_id("7782342274025937896", 0)


def test_lines_are_prefixed_with_their_speaker_and_short_turns_share_a_chunk() -> None:
    call = make_call(
        [(0, ["What is your budget?"]), (1, ["About fifty thousand."]), (0, ["Got it."])]
    )
    [chunk] = speaker_chunks(call, HashingEmbedder().count_tokens, ChunkPlan(100, 20))
    assert chunk.text == (
        "Dana Whitfield: What is your budget?\n"
        "Priya Natarajan: About fifty thousand.\n"
        "Dana Whitfield: Got it."
    )
    assert [line.affiliation for line in chunk.lines] == [
        Affiliation.INTERNAL,
        Affiliation.EXTERNAL,
        Affiliation.INTERNAL,
    ]


def test_long_monologue_splits_into_overlapping_windows() -> None:
    sentences = [f"Sentence number {i} is about the rollout plan." for i in range(40)]
    call = make_call([(0, sentences)])
    count = HashingEmbedder().count_tokens
    chunks = speaker_chunks(call, count, ChunkPlan(60, 20))
    assert len(chunks) > 3
    for before, after in itertools.pairwise(chunks):
        assert after.lines[0].text in {line.text for line in before.lines}, "neighbours overlap"
        assert after.start_ms < before.end_ms


def test_chunks_prefer_to_end_where_a_turn_ends() -> None:
    rep = [f"Our platform handles forecasting point {i}." for i in range(6)]
    buyer = [f"Our concern number {i} is the price." for i in range(6)]
    call = make_call([(0, rep), (1, buyer)])
    chunks = speaker_chunks(call, HashingEmbedder().count_tokens, ChunkPlan(70, 0))
    assert {line.speaker for line in chunks[0].lines} == {"Dana Whitfield"}


def test_unknown_speaker_is_labelled_and_affiliation_unknown() -> None:
    call = make_call([(2, ["Who is this?"])])
    [chunk] = speaker_chunks(call, HashingEmbedder().count_tokens, ChunkPlan(50, 0))
    assert chunk.lines[0].speaker == "Unknown speaker"
    assert chunk.lines[0].affiliation is Affiliation.UNKNOWN


def test_overlong_sentence_is_cut_at_words_with_time_shared_out() -> None:
    words = " ".join(f"word{i}" for i in range(500))
    call = make_call([(1, [words])])
    count = LOCAL.count_tokens
    chunks = speaker_chunks(call, count, ChunkPlan(100, 0))
    assert len(chunks) > 1
    assert all(count(c.text) <= 100 for c in chunks)
    assert " ".join(line.text for c in chunks for line in c.lines).split() == words.split()
    starts = [c.start_ms for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
