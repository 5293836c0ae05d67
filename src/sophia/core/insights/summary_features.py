"""What the summary model knows of each unit: general features of its words, its speaker
and its place in the call, never the call's own words.

Three groups: the unit alone (length, cue phrases, first-person and pointing words), the
unit in its call (TF-IDF centrality, LexRank, position, speaker share, how its neighbours
score), and how it reads (core/insights/summary_style.py). The unit-alone and in-call
features also come z-scored within the call, so the model can compare units across calls.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from sophia.core.insights.cues import DECISION, NEXT_STEP, PRICING, objection
from sophia.core.insights.spoken import Spoken
from sophia.core.insights.summary_style import STYLE_FEATURES, style_features
from sophia.core.insights.summary_units import SummaryUnit

__all__ = ["FEATURES", "Matrix", "unit_features"]

Matrix = npt.NDArray[np.float64]

_WORD = re.compile(r"[a-z][a-z']+")
_STOP = frozenset(
    "the and that this with have for you are was but not what its it's we're they our your "
    "about just like from there their them then than they're know think yeah okay right so "
    "well really would could should will can all any one can't don't i'm i've we've you're "
    "let's get got going want need make more some very also into how when where which who "
    "been being were had has did does doing out over only because actually mean sort kind "
    "thing things something maybe probably lot bit mhm hmm uh um".split()
)
_SELF = frozenset("i i'm i've i'd i'll me my mine you you're you've you'll your yours".split())
_WE = frozenset("we we'll we're we've let's us".split())
# Articles and prepositions mark noun phrases: a sentence dense in them names things.
_PHRASE_WORDS = frozenset("the an of to in on for with at from by about as".split())
_POINTING = frozenset("it it's that that's this these those they them there he she".split())
_NUMBER = re.compile(
    r"\$?\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|percent|dozen|half)\b",
    re.IGNORECASE,
)
# Features z-scored within the call as well as raw.
_SCALED = (
    "centrality",
    "graph_centrality",
    "length",
    "disfluency",
    "first_person",
    "content_density",
    "salience",
    "substance",
    "number",
    "question",
    "opening",
    "closing",
    "speaker_share",
    "capitalised",
    "phrase_words",
    "pointing_words",
    "and_words",
    "long_words",
)
_CONTEXT = (
    "position",
    "words",
    "turn_words",
    "call_units",
    "speaker_rank",
    "joins",
    "lexrank_near",
    "lexrank_around",
    "centrality_around",
    "closest_unit",
    "like_central_units",
    "stop_words",
    "customer",
    "decision",
    "next_step",
    "commas",
    "sentence_end",
    "we_words",
)
FEATURES = (*_SCALED, *(f"{n}_z" for n in _SCALED), *_CONTEXT, *STYLE_FEATURES)


def unit_features(
    sentences: Sequence[Spoken],
    units: Sequence[SummaryUnit],
    names_competitor: Callable[[str], bool] = lambda _: False,
) -> tuple[Matrix, Matrix]:
    """The FEATURES of each unit (one row each), and the units' unit-length TF-IDF vectors."""
    scaled, vectors = _unit_in_call(sentences, units, names_competitor)
    similar = vectors @ vectors.T
    np.fill_diagonal(similar, 0.0)
    scaled[:, 1] = _graph_centrality(similar)
    spread = scaled.std(axis=0)
    z = (scaled - scaled.mean(axis=0)) / np.where(spread == 0, 1.0, spread)
    context = _context(units, scaled[:, 0], scaled[:, 1], similar)
    style = style_features([u.text for u in units])
    return np.hstack([scaled, z, context, style]), vectors


def _unit_in_call(
    sentences: Sequence[Spoken],
    units: Sequence[SummaryUnit],
    names_competitor: Callable[[str], bool],
) -> tuple[Matrix, Matrix]:
    said = [_content(s.text) for s in sentences]
    frequency = Counter(w for words in said for w in words)
    spread = Counter(w for words in said for w in set(words))
    vocabulary = {w: i for i, w in enumerate(sorted(frequency))}
    idf = np.array([math.log(1 + len(sentences) / spread[w]) for w in sorted(frequency)])
    centroid = np.array([frequency[w] for w in sorted(frequency)], dtype=float) * idf
    centroid /= np.linalg.norm(centroid) or 1.0
    talk = Counter({s.speaker: 0 for s in sentences})
    for s in sentences:
        talk[s.speaker] += len(s.text.split())
    all_talk = sum(talk.values()) or 1
    top = max(frequency.values(), default=1)
    last = max(len(sentences) - 1, 1)

    # The tidied words of each sentence cut into clauses: its clauses' words.
    clause_words: Counter[int] = Counter()
    for unit in units:
        if unit.clipped_start or unit.clipped_end:
            clause_words[unit.sentences[0].index] += unit.words
    vectors = np.zeros((len(units), len(vocabulary)))
    rows = np.zeros((len(units), len(_SCALED)))
    for k, unit in enumerate(units):
        text = unit.text
        words = _WORD.findall(text.lower())
        share = max(len(words), 1)
        content = _content(text)
        for w in content:
            if w in vocabulary:
                vectors[k, vocabulary[w]] += idf[vocabulary[w]]
        spoken_words = sum(len(s.text.split()) for s in unit.sentences)
        if unit.sentences[0].index in clause_words:
            # A clause: its sentence's share of words tidied away, not the other clauses'.
            tidied = clause_words[unit.sentences[0].index]
            spoken_words = round(spoken_words * unit.words / tidied)
        position = unit.sentences[0].index / last
        rows[k] = [
            0.0,
            0.0,
            math.log(unit.words),
            1 - unit.words / max(spoken_words, unit.words),
            sum(w in _SELF for w in words) / share,
            len(content) / share,
            sum(frequency[w] for w in content) / max(len(content), 1) / top,
            _substance(unit, names_competitor),
            bool(_NUMBER.search(text)),
            text.rstrip().endswith("?"),
            position < 0.1,
            position > 0.9,
            talk[unit.sentences[0].speaker] / all_talk,
            sum(t[:1].isupper() for t in text.split()[1:]) / max(unit.words - 1, 1),
            sum(w in _PHRASE_WORDS for w in words) / share,
            sum(w in _POINTING for w in words) / share,
            sum(w == "and" for w in words) / share,
            sum(len(w) >= 7 for w in words) / share,
        ]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms == 0, 1.0, norms)
    rows[:, 0] = vectors @ centroid  # graph_centrality (column 1) needs every unit's vector
    return rows, vectors


def _context(
    units: Sequence[SummaryUnit], centrality: Matrix, lexrank: Matrix, similar: Matrix
) -> Matrix:
    """Where a unit stands: its place, its turn and speaker, and the units around it
    (`similar`: the units' cosine similarities, 0 on the diagonal)."""
    n = len(units)
    last = max(units[-1].sentences[-1].index, 1) if units else 1
    talk: Counter[str] = Counter()
    for u in units:
        talk[u.sentences[0].speaker] += u.words
    rank = {speaker: i for i, (speaker, _) in enumerate(talk.most_common())}
    turn = np.zeros(n)
    start = 0
    for i in range(1, n + 1):
        if i == n or not units[i].joins:
            turn[start:i] = sum(u.words for u in units[start:i])
            start = i
    closest = similar.max(axis=1) if n > 1 else np.zeros(n)
    central = similar[:, np.argsort(-lexrank, kind="stable")[:10]].mean(axis=1)
    rows = np.zeros((n, len(_CONTEXT)))
    for i, unit in enumerate(units):
        text = unit.text
        said = text.split()
        bare = [w.lower().strip(".,?!;:") for w in said]
        words = len(said)
        rows[i] = [
            unit.sentences[0].index / last,
            words,
            turn[i],
            math.log(n),
            rank[unit.sentences[0].speaker],
            unit.joins,
            _around(lexrank, i, 2),
            _around(lexrank, i, 5),
            _around(centrality, i, 5),
            closest[i],
            central[i],
            sum(w in _STOP for w in bare) / words,
            unit.sentences[0].is_customer,
            bool(DECISION.search(text)),
            bool(NEXT_STEP.search(text)),
            text.count(",") / words,
            text.rstrip()[-1:] in ".?!",
            sum(w in _WE for w in bare) / words,
        ]
    return rows


def _around(values: Matrix, i: int, reach: int) -> float:
    return float(values[max(0, i - reach) : i + reach + 1].mean())


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2]


def _substance(unit: SummaryUnit, names_competitor: Callable[[str], bool]) -> float:
    """Decisions, next steps, pricing, a customer's objection, a competitor named."""
    text = unit.text
    return float(
        bool(DECISION.search(text))
        + bool(NEXT_STEP.search(text))
        + bool(PRICING.search(text))
        + (unit.sentences[0].is_customer and objection(text) > 0)
        + names_competitor(text)
    )


def _graph_centrality(similar: Matrix, damping: float = 0.85, rounds: int = 30) -> Matrix:
    """LexRank: the stationary weight of each unit in its similarity graph (`similar`: the
    units' cosine similarities, 0 on the diagonal)."""
    n = len(similar)
    if n == 0:
        return np.zeros(0)
    similar = np.where(similar < 0.1, 0.0, similar)
    degree = similar.sum(axis=1, keepdims=True)
    walk = np.where(degree > 0, similar / np.where(degree == 0, 1.0, degree), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(rounds):
        rank = (1 - damping) / n + damping * (walk.T @ rank)
    return rank * n
