"""Speaker-based chunking of a call transcript.

A chunk is a run of consecutive sentences, each line prefixed with its speaker, sized in
the embedder's own tokens. Chunks prefer to end where a speaker's turn ends; a monologue
longer than a chunk is cut into overlapping windows at sentence ends; a sentence longer
than a chunk is cut at word boundaries.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sophia.core.limits import MAX_CHUNK_CHARS, MAX_NAME_CHARS
from sophia.core.models import Affiliation, Call

__all__ = [
    "CHUNKER_VERSION",
    "Chunk",
    "ChunkLine",
    "ChunkPlan",
    "chunk_id",
    "render_lines",
    "speaker_chunks",
]

# Part of every chunk id: bump it when the chunking rules change.
CHUNKER_VERSION = "speaker-v1"
_NAMESPACE = uuid.UUID("6f1c2a4e-4b7d-5c8e-9a3f-2d1e0b9c8a7f")
# A turn boundary is worth cutting at only if the chunk is at least this full.
_MIN_FILL_AT_TURN = 0.5

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class ChunkPlan:
    """How big chunks are, in the embedder's tokens, and at most in characters (text
    without spaces would otherwise make one "word" of any length)."""

    max_tokens: int
    overlap_tokens: int
    max_chars: int = MAX_CHUNK_CHARS

    def __post_init__(self) -> None:
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise ValueError("overlap must be smaller than the chunk size")
        if self.max_chars < 2 * MAX_NAME_CHARS:
            raise ValueError("max_chars must leave room for a speaker's name")


class ChunkLine(NamedTuple):
    """One sentence (or a piece of an overlong one) inside a chunk, with who said it when.

    A named tuple, not a dataclass: a search builds ~1,500 of them from the stored JSON of
    its 100 candidates, and a tuple is built in ~60 % of a frozen dataclass's time."""

    speaker: str
    affiliation: Affiliation
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """What gets embedded and cited: sentences of one call, in order."""

    chunk_id: str
    call_id: str
    index: int
    lines: tuple[ChunkLine, ...]

    @property
    def text(self) -> str:
        """The embedded text: one line per speaker turn, prefixed with the speaker."""
        return render_lines(self.lines)

    @property
    def start_ms(self) -> int:
        return self.lines[0].start_ms

    @property
    def end_ms(self) -> int:
        return max(line.end_ms for line in self.lines)

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:32]


def chunk_id(call_id: str, index: int) -> str:
    """The deterministic id of a call's `index`-th chunk (UUIDv5)."""
    return str(uuid.uuid5(_NAMESPACE, f"{call_id}:{index}:{CHUNKER_VERSION}"))


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of an overlong one) with its speaker and token cost."""

    turn: int
    speaker: str
    affiliation: Affiliation
    start_ms: int
    end_ms: int
    text: str
    tokens: int


def speaker_chunks(call: Call, count_tokens: TokenCounter, plan: ChunkPlan) -> list[Chunk]:
    """Chunks of `call`, none longer than `plan.max_tokens` by `count_tokens`."""
    prefix_cost: dict[str, int] = {}

    def line_cost(speaker: str) -> int:
        if speaker not in prefix_cost:
            prefix_cost[speaker] = count_tokens(f"{speaker}:")
        return prefix_cost[speaker]

    units = list(_units(call, count_tokens, plan, line_cost))
    groups = _pack(units, plan, line_cost)
    groups = _enforce_limit(groups, count_tokens, plan)
    return [
        Chunk(chunk_id(call.call_id, i), call.call_id, i, _lines(group))
        for i, group in enumerate(groups)
    ]


def _units(
    call: Call, count_tokens: TokenCounter, plan: ChunkPlan, line_cost: TokenCounter
) -> Iterable[_Unit]:
    for turn, monologue in enumerate(call.monologues):
        speaker, affiliation = call.details.speaker(monologue.speaker_id)
        budget = plan.max_tokens - line_cost(speaker)
        # "Speaker: " starts the line; names are capped (MAX_NAME_CHARS) by the parser.
        char_budget = plan.max_chars - len(speaker) - 2
        for sentence in monologue.sentences:
            for start, end, text in _fit_sentence(
                sentence.start_ms, sentence.end_ms, sentence.text, count_tokens, budget, char_budget
            ):
                yield _Unit(turn, speaker, affiliation, start, end, text, count_tokens(text))


def _fit_sentence(
    start_ms: int,
    end_ms: int,
    text: str,
    count_tokens: TokenCounter,
    budget: int,
    char_budget: int,
) -> list[tuple[int, int, str]]:
    """The sentence, or word-boundary pieces of it that each fit `budget` tokens and
    `char_budget` characters (a word longer than either is cut into slices)."""
    if len(text) <= char_budget and count_tokens(text) <= budget:
        return [(start_ms, end_ms, text)]
    # A slice of `budget` characters holds at most `budget` word pieces; a BPE token may be
    # a fraction of a character, so BPE's counts are checked below as for any piece.
    width = max(1, min(char_budget, budget))
    words: list[str] = []
    for word in text.split():
        if len(word) > char_budget or count_tokens(word) > budget:
            words.extend(word[i : i + width] for i in range(0, len(word), width))
        else:
            words.append(word)
    pieces: list[list[str]] = [[]]
    for word in words:
        candidate = [*pieces[-1], word]
        joined = " ".join(candidate)
        if pieces[-1] and (len(joined) > char_budget or count_tokens(joined) > budget):
            pieces.append([word])
        else:
            pieces[-1] = candidate
    # Time is shared out in proportion to words: the transcript has no finer timing.
    span, done, result = end_ms - start_ms, 0, []
    for piece in pieces:
        piece_start = start_ms + span * done // len(words)
        done += len(piece)
        result.append((piece_start, start_ms + span * done // len(words), " ".join(piece)))
    return result


def _too_big(units: list[_Unit], plan: ChunkPlan, line_cost: TokenCounter) -> bool:
    return _cost(units, line_cost) > plan.max_tokens or len(_render(units)) > plan.max_chars


def _cost(units: list[_Unit], line_cost: TokenCounter) -> int:
    total, previous = 0, None
    for unit in units:
        if unit.speaker != previous:
            total += line_cost(unit.speaker)
            previous = unit.speaker
        total += unit.tokens
    return total


def _pack(units: list[_Unit], plan: ChunkPlan, line_cost: TokenCounter) -> list[list[_Unit]]:
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        if current and _too_big([*current, unit], plan, line_cost):
            kept, carried = _split_at_turn(current, plan.max_tokens, line_cost)
            if carried and _too_big([*carried, unit], plan, line_cost):
                kept, carried = current, []
            groups.append(kept)
            overlap = _overlap(kept, plan.overlap_tokens, line_cost)
            # Overlap is a courtesy: drop it rather than fail to make progress.
            while overlap and _too_big([*overlap, *carried, unit], plan, line_cost):
                overlap.pop(0)
            current = overlap + carried
        current.append(unit)
    if current:
        groups.append(current)
    return groups


def _split_at_turn(
    units: list[_Unit], max_tokens: int, line_cost: TokenCounter
) -> tuple[list[_Unit], list[_Unit]]:
    """Cut before the last turn that starts late enough; the rest opens the next chunk."""
    for i in range(len(units) - 1, 0, -1):
        if units[i].turn != units[i - 1].turn:
            if _cost(units[:i], line_cost) >= _MIN_FILL_AT_TURN * max_tokens:
                return units[:i], units[i:]
            break
    return units, []


def _overlap(units: list[_Unit], overlap_tokens: int, line_cost: TokenCounter) -> list[_Unit]:
    """The trailing sentences of a chunk that fit in `overlap_tokens`."""
    taken: list[_Unit] = []
    for unit in reversed(units):
        if _cost([unit, *taken], line_cost) > overlap_tokens:
            break
        taken.insert(0, unit)
    return taken


def _enforce_limit(
    groups: list[list[_Unit]], count_tokens: TokenCounter, plan: ChunkPlan
) -> list[list[_Unit]]:
    """Re-split any group whose rendered text counts over the limits.

    Summing per-sentence counts is exact for word-piece tokenizers but only close for BPE
    ones, where joining text can merge tokens differently; this pass makes the limit hold.
    """
    result: list[list[_Unit]] = []
    queue = list(groups)
    while queue:
        group = queue.pop(0)
        spill: list[_Unit] = []
        while len(group) > 1 and (
            len(_render(group)) > plan.max_chars or count_tokens(_render(group)) > plan.max_tokens
        ):
            spill.insert(0, group.pop())
        result.append(group)
        if spill:
            queue.insert(0, spill)
    return result


def render_lines(lines: Iterable[ChunkLine]) -> str:
    """`Speaker: sentence sentence` per run of one speaker's sentences, one run per line."""
    runs: list[tuple[str, list[str]]] = []
    for line in lines:
        if runs and runs[-1][0] == line.speaker:
            runs[-1][1].append(line.text)
        else:
            runs.append((line.speaker, [line.text]))
    return "\n".join(f"{speaker}: {' '.join(texts)}" for speaker, texts in runs)


def _render(units: list[_Unit]) -> str:
    return render_lines(_lines(units))


def _lines(units: list[_Unit]) -> tuple[ChunkLine, ...]:
    return tuple(ChunkLine(u.speaker, u.affiliation, u.start_ms, u.end_ms, u.text) for u in units)
