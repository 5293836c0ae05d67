"""The moments that summarise one call: chosen, tidied and put back in the order they were said.

Candidate units are short spans of one speaker's sentences, tidied (core/insights/tidy.py),
without greetings, small talk and backchannels. Each unit is scored by a weighted sum of
general features (how central its words are to the call, how much it says, whether it
carries a decision, a number, a next step, an objection or a competitor's name); the weights
were fitted on QMSum's train meetings by `benchmarks/summary_weights.py`. Units are then
picked with maximal marginal relevance to a word budget, so the summary covers the call
instead of repeating its main point, and returned in time order; a long turn's chosen
consecutive units are quoted as one. Deterministic: no model, no randomness, ties broken by
position.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sophia.core.insights.cues import DECISION, NEXT_STEP, PRICING, mentions, objection, small_talk
from sophia.core.insights.spoken import Spoken, speaker_label
from sophia.core.insights.summarizer import Candidate
from sophia.core.insights.tidy import tidy
from sophia.core.models import Affiliation

__all__ = [
    "FEATURES",
    "WEIGHTS",
    "SummaryUnit",
    "choose",
    "pick",
    "summary_candidates",
    "summary_units",
    "unit_features",
]

Matrix = npt.NDArray[np.float64]

# Gong's names for the parts of a call that are about the call, not its subject.
_NOT_SUMMARY_TOPICS = frozenset({"call setup", "small talk"})
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
# Articles and prepositions mark noun phrases: a sentence dense in them names things
# ("the price of the annual plan") where chat points at them ("that one, it's fine").
_PHRASE_WORDS = frozenset("the an of to in on for with at from by about as".split())
_POINTING = frozenset("it it's that that's this these those they them there he she".split())
_NUMBER = re.compile(
    r"\$?\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|percent|dozen|half)\b",
    re.IGNORECASE,
)
_MIN_WORDS = 6
# Longest span of one speaker that is a unit; longer turns become several units. Short
# units spend the budget on the sentence that matters, not the rest of its turn (15 words
# beat 20-45 on QMSum train: benchmarks/README.md).
UNIT_WORDS = 15

# Each feature's weight in a unit's score (features are z-scored within the call). Fitted by
# coordinate ascent on mean ROUGE-L F1 over QMSum's 155 train meetings
# (benchmarks/summary_weights.py, with 45-word units; a refit for 15-word units gained
# only noise on train); 0 means the fit found no use for the feature.
_WEIGHTS = {
    "centrality": 0.0,
    "graph_centrality": 1.5,
    "length": 0.5,
    "disfluency": 0.0,
    "first_person": -1.5,
    "content_density": 0.0,
    "salience": -0.5,
    "substance": 0.0,
    "number": 0.0,
    "question": 0.0,
    "opening": 1.5,
    "closing": 0.0,
    "speaker_share": -0.5,
    "capitalised": -0.5,
    "phrase_words": 3.0,
    "pointing_words": -2.0,
    "and_words": 1.5,
    "long_words": -0.5,
}
FEATURES = tuple(_WEIGHTS)
WEIGHTS = np.array([_WEIGHTS[name] for name in FEATURES])
# How much a unit's score counts against its overlap with what is already chosen.
RELEVANCE = 0.7
# Must-include kinds, chosen on QMSum train (+0.003 ROUGE-L over any objection and any next
# step, which took weak moments in): an objection with two cues or one about price, and a
# next step said in the call's last 40 % (where calls agree them) or under Gong's topic.
_CLEAR_OBJECTION = 1.5
_NEXT_STEPS_FROM = 0.6


@dataclass(frozen=True)
class SummaryUnit:
    """A span of one speaker's consecutive sentences, and its tidied words."""

    sentences: tuple[Spoken, ...]
    text: str
    # The same speaker's turn goes on from the unit before (nothing but backchannels between).
    joins: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


def summary_units(sentences: Sequence[Spoken], max_words: int = UNIT_WORDS) -> list[SummaryUnit]:
    """One speaker's consecutive sentences, tidied, in spans of at most `max_words` words
    (a longer sentence is a unit alone).

    Greetings and small talk end a span and are left out; sentences that tidy to nothing
    ("Mm-hmm.", "Yeah.") are skipped without ending one.
    """
    units: list[SummaryUnit] = []
    span: list[tuple[Spoken, str]] = []
    joins = False

    def close() -> bool:
        text = " ".join(t for _, t in span)
        kept = len(text.split()) >= _MIN_WORDS
        if kept:
            units.append(SummaryUnit(tuple(s for s, _ in span), text, joins))
        span.clear()
        return kept

    for sentence in sentences:
        text = tidy(sentence.text)
        if not text:
            continue
        chatter = small_talk(sentence.text) or (
            (sentence.topic or "").casefold() in _NOT_SUMMARY_TOPICS
        )
        cut = False
        if span:
            same = sentence.speaker == span[-1][0].speaker
            words = sum(len(t.split()) for _, t in span) + len(text.split())
            if chatter or not same or words > max_words:
                # Only a turn cut for length goes on in the next unit.
                cut = close() and same and not chatter
        if chatter:
            continue
        if not span:
            joins = cut
        span.append((sentence, text))
    if span:
        close()
    return units


def unit_features(
    sentences: Sequence[Spoken],
    units: Sequence[SummaryUnit],
    names_competitor: Callable[[str], bool] = lambda _: False,
) -> tuple[Matrix, Matrix]:
    """The FEATURES of each unit (one row each), and the units' unit-length TF-IDF vectors."""
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

    vectors = np.zeros((len(units), len(vocabulary)))
    rows = np.zeros((len(units), len(FEATURES)))
    for k, unit in enumerate(units):
        text = unit.text
        words = _WORD.findall(text.lower())
        content = _content(text)
        for w in content:
            if w in vocabulary:
                vectors[k, vocabulary[w]] += idf[vocabulary[w]]
        spoken_words = sum(len(s.text.split()) for s in unit.sentences)
        position = unit.sentences[0].index / last
        rows[k] = [
            0.0,
            0.0,
            math.log(unit.words),
            1 - unit.words / max(spoken_words, unit.words),
            sum(w in _SELF for w in words) / max(len(words), 1),
            len(content) / max(len(words), 1),
            sum(frequency[w] for w in content) / max(len(content), 1) / top,
            _substance(unit, names_competitor),
            bool(_NUMBER.search(text)),
            text.rstrip().endswith("?"),
            position < 0.1,
            position > 0.9,
            talk[unit.sentences[0].speaker] / all_talk,
            sum(t[:1].isupper() for t in text.split()[1:]) / max(unit.words - 1, 1),
            sum(w in _PHRASE_WORDS for w in words) / max(len(words), 1),
            sum(w in _POINTING for w in words) / max(len(words), 1),
            sum(w == "and" for w in words) / max(len(words), 1),
            sum(len(w) >= 7 for w in words) / max(len(words), 1),
        ]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms == 0, 1.0, norms)
    rows[:, 0] = vectors @ centroid
    rows[:, 1] = _graph_centrality(vectors)
    return rows, vectors


def summary_candidates(
    sentences: Sequence[Spoken],
    words: int,
    names_competitor: Callable[[str], bool] = lambda _: False,
    weights: npt.NDArray[np.float64] = WEIGHTS,
    relevance: float = RELEVANCE,
) -> list[Candidate]:
    """The units that best summarise the call within `words` words (speaker labels count),
    in the order they were said, each a candidate whose text is the tidied span.

    When the call has them, the best-scored customer objection, competitor mention and next
    step are always in: a sales team reads a summary for exactly those.
    """
    units = summary_units(sentences)
    if not units:
        return []
    features, vectors = unit_features(sentences, units, names_competitor)
    chosen = choose(units, features, vectors, words, names_competitor, weights, relevance)
    scores = _standardised(features) @ weights
    candidates: list[Candidate] = []
    for run in joined(units, chosen):
        parts = [s for i in run for s in units[i].sentences]
        text = " ".join(units[i].text for i in run)
        best = max(float(scores[i]) for i in run)
        candidates.append(Candidate(parts[0], best, tuple(parts[1:]), text=text))
    return candidates


def joined(units: Sequence[SummaryUnit], chosen: Sequence[int]) -> list[list[int]]:
    """The chosen indexes (in time order) in runs that read as one quote: a long turn's
    consecutive units."""
    runs: list[list[int]] = []
    for i in chosen:
        if runs and runs[-1][-1] == i - 1 and units[i].joins:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def choose(
    units: Sequence[SummaryUnit],
    features: Matrix,
    vectors: Matrix,
    words: int,
    names_competitor: Callable[[str], bool] = lambda _: False,
    weights: npt.NDArray[np.float64] = WEIGHTS,
    relevance: float = RELEVANCE,
) -> list[int]:
    """Indexes of the units to quote, in time order (see `summary_candidates`)."""
    if not units:
        return []
    scores = _standardised(features) @ weights
    tail = _NEXT_STEPS_FROM * units[-1].sentences[-1].index
    # How strongly a unit is each kind a summary must not miss (0: not that kind): a clear
    # objection of the customer's, a competitor named, a next step where calls agree them.
    kinds: list[Callable[[SummaryUnit], float]] = [
        lambda u: _clear(objection(u.text)) if u.sentences[0].is_customer else 0.0,
        lambda u: float(names_competitor(u.text)),
        lambda u: (
            _in_topic(u, "next steps")
            + (mentions(NEXT_STEP, u.text) if u.sentences[0].index >= tail else 0.0)
        ),
    ]
    first = []
    for strength in kinds:
        strengths = [strength(u) for u in units]
        if any(strengths):
            first.append(max(range(len(units)), key=lambda i: (strengths[i], scores[i], -i)))
    return pick(scores, vectors, units, words, relevance, first)


def pick(
    scores: npt.NDArray[np.float64],
    vectors: Matrix,
    units: Sequence[SummaryUnit],
    words: int,
    relevance: float = RELEVANCE,
    first: Sequence[int] = (),
) -> list[int]:
    """Maximal marginal relevance within a word budget: the indexes chosen, in time order.

    `first` are taken before anything else (while they fit). Then each step takes the unit
    whose score, less its overlap with what is already chosen, is highest; a unit too long
    for what is left of the budget is passed over. A unit costs its words and its speaker's
    label, except when it is quoted as part of a chosen neighbour's turn (see `joined`).
    """
    span = float(np.ptp(scores)) or 1.0
    relevant = (scores - scores.min()) / span
    labels = [len(speaker_label(u.sentences[0]).split()) for u in units]
    n = len(units)
    chosen: list[int] = []
    used = 0
    overlap = np.zeros(n)
    open_ = np.ones(n, dtype=bool)
    queue = list(dict.fromkeys(first))
    while open_.any() and words - used >= _MIN_WORDS:
        if queue:
            best = queue.pop(0)
        else:
            marginal = np.where(open_, relevance * relevant - (1 - relevance) * overlap, -np.inf)
            best = int(np.argmax(marginal))
        open_[best] = False
        # Joining a chosen neighbour's quote saves a label (theirs or this one's).
        before = units[best].joins and best - 1 in chosen
        after = best + 1 < n and units[best + 1].joins and best + 1 in chosen
        cost = units[best].words + (0 if before or after else labels[best])
        if used + cost > words:
            continue
        chosen.append(best)
        used += cost
        overlap = np.maximum(overlap, vectors @ vectors[best])
    return sorted(chosen)


def _clear(strength: float) -> float:
    return strength if strength >= _CLEAR_OBJECTION else 0.0


def _in_topic(unit: SummaryUnit, topic: str) -> float:
    """1 when Gong put any of the unit's sentences under this topic."""
    return float(any((s.topic or "").casefold() == topic for s in unit.sentences))


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2]


def _substance(unit: SummaryUnit, names_competitor: Callable[[str], bool]) -> float:
    """Decisions, next steps, pricing, a customer's objection, a competitor named."""
    text = unit.text
    first = unit.sentences[0]
    return float(
        bool(DECISION.search(text))
        + bool(NEXT_STEP.search(text))
        + bool(PRICING.search(text))
        + (first.affiliation is Affiliation.EXTERNAL and objection(text) > 0)
        + names_competitor(text)
    )


def _graph_centrality(vectors: Matrix, damping: float = 0.85, rounds: int = 30) -> Matrix:
    """LexRank: the stationary weight of each unit in its similarity graph."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0)
    similar = vectors @ vectors.T
    np.fill_diagonal(similar, 0.0)
    similar[similar < 0.1] = 0.0
    degree = similar.sum(axis=1, keepdims=True)
    walk = np.where(degree > 0, similar / np.where(degree == 0, 1.0, degree), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(rounds):
        rank = (1 - damping) / n + damping * (walk.T @ rank)
    return rank * n


def _standardised(features: Matrix) -> Matrix:
    """Each feature as z-scores within the call, so weights carry over between calls."""
    spread = features.std(axis=0)
    standard: Matrix = (features - features.mean(axis=0)) / np.where(spread == 0, 1.0, spread)
    return standard
