"""The moments that summarise one call: chosen, tidied and put back in the order they were said.

Candidate units are short spans of one speaker's sentences (or clauses of a long one),
tidied, without greetings, small talk and backchannels (core/insights/summary_units.py). A
model scores each unit from general features of its words, its speaker and its place in the
call (core/insights/summary_features.py, core/insights/summary_model.py: trees fitted on QMSum's
train meetings by `benchmarks/fit_summary_model.py`). Units are then picked with maximal
marginal relevance to a word budget, so the summary covers the call instead of repeating
its main point, and returned in time order; a long turn's chosen consecutive units are
quoted as one, and one speaker's consecutive quotes share a bullet. Deterministic: no
randomness, ties broken by position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from sophia.core.insights.cues import NEXT_STEP, mentions, objection
from sophia.core.insights.spoken import QUOTE_GAP, Spoken, by_speaker, speaker_label
from sophia.core.insights.summarizer import Candidate
from sophia.core.insights.summary_features import Matrix, unit_features
from sophia.core.insights.summary_model import summary_model
from sophia.core.insights.summary_units import MIN_WORDS, SummaryUnit, summary_units

__all__ = [
    "RELEVANCE",
    "bullets",
    "choose",
    "joined",
    "pick",
    "quoted",
    "sentence_units",
    "summary_candidates",
    "summary_words",
    "unit_scores",
]

# How much a unit's score counts against its overlap with what is already chosen.
RELEVANCE = 0.7
# A quote that trails off ("Try it on the P Z Ms and") reads as a fragment: it keeps this share
# of its lead over the call's weakest unit. On QMSum it takes such quotes from 91 of the 1,833
# units summaries chose to 11, with ROUGE-L unchanged within its noise (benchmarks/README.md).
_TRAILING = 0.5
# Must-include kinds, chosen on QMSum train (+0.003 ROUGE-L over any objection and any next
# step, which took weak moments in): an objection with two cues or one about price, and a
# next step said in the call's last 40 % (where calls agree them) or under Gong's topic.
_CLEAR_OBJECTION = 1.5
_NEXT_STEPS_FROM = 0.6


def summary_candidates(
    sentences: Sequence[Spoken],
    words: int,
    names_competitor: Callable[[str], bool] = lambda _: False,
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
    scores, vectors = unit_scores(sentences, units, names_competitor)
    chosen = choose(units, scores, vectors, words, names_competitor, relevance)
    candidates: list[Candidate] = []
    for run in joined(units, chosen):
        # Clauses of one sentence cite it once.
        parts = list({s.index: s for i in run for s in units[i].sentences}.values())
        text = quoted(units, run)
        best = max(float(scores[i]) for i in run)
        candidates.append(Candidate(parts[0], best, tuple(parts[1:]), text=text))
    return candidates


def unit_scores(
    sentences: Sequence[Spoken],
    units: Sequence[SummaryUnit],
    names_competitor: Callable[[str], bool] = lambda _: False,
) -> tuple[npt.NDArray[np.float64], Matrix]:
    """The model's score of each unit, and the units' TF-IDF vectors (for redundancy)."""
    features, vectors = unit_features(sentences, units, names_competitor)
    return summary_model().score(features), vectors


def quoted(units: Sequence[SummaryUnit], run: Sequence[int]) -> str:
    """The words of a run of units, with an ellipsis where it starts or ends inside a
    sentence."""
    text = " ".join(units[i].text for i in run)
    if units[run[-1]].clipped_end:
        text = text.rstrip(" ,;:") + "…"
    return ("…" if units[run[0]].clipped_start else "") + text


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
    scores: npt.NDArray[np.float64],
    vectors: Matrix,
    words: int,
    names_competitor: Callable[[str], bool] = lambda _: False,
    relevance: float = RELEVANCE,
) -> list[int]:
    """Indexes of the units to quote, in time order (see `summary_candidates`)."""
    if not units:
        return []
    weakest = float(scores.min())
    trailing = np.array([u.trails_off for u in units])
    scores = np.where(trailing, weakest + (scores - weakest) * _TRAILING, scores)
    tail = _NEXT_STEPS_FROM * units[-1].sentences[-1].index
    # A clause is judged by its whole sentence ("..., so for them the extra cost is close to
    # nothing." is an objection because of the competitor named before the comma); of the
    # sentence chosen, the clauses that are that kind alone are quoted, else all of them.
    whole = sentence_units(units)
    texts = [" ".join(units[j].text for j in whole[i]) for i in range(len(units))]
    # How strongly a unit is each kind a summary must not miss (0: not that kind): a clear
    # objection of the customer's, a competitor named, a next step where calls agree them.
    kinds: list[Callable[[SummaryUnit, str], float]] = [
        lambda u, text: _clear(objection(text)) if u.sentences[0].is_customer else 0.0,
        lambda u, text: float(names_competitor(text)),
        lambda u, text: (
            _in_topic(u, "next steps")
            + (mentions(NEXT_STEP, text) if u.sentences[0].index >= tail else 0.0)
        ),
    ]
    first: list[int] = []
    for strength in kinds:
        strengths = [strength(u, text) for u, text in zip(units, texts, strict=True)]
        if any(strengths):
            best = max(range(len(units)), key=lambda i: (strengths[i], scores[i], -i))
            alone = [i for i in whole[best] if strength(units[i], units[i].text)]
            first += alone or whole[best]
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
    for what is left of the budget is passed over. A unit costs what it adds to
    `summary_words`: its words, and a speaker label unless it goes in a bullet of the same
    speaker (see `bullets`).
    """
    span = float(np.ptp(scores)) or 1.0
    relevant = (scores - scores.min()) / span
    n = len(units)
    chosen: list[int] = []
    used = 0
    overlap = np.zeros(n)
    open_ = np.ones(n, dtype=bool)
    queue = list(dict.fromkeys(first))
    while open_.any() and words - used >= MIN_WORDS:
        if queue:
            best = queue.pop(0)
        else:
            marginal = np.where(open_, relevance * relevant - (1 - relevance) * overlap, -np.inf)
            best = int(np.argmax(marginal))
        open_[best] = False
        cost = summary_words(units, sorted([*chosen, best]))
        if cost > words:
            continue
        chosen.append(best)
        used = cost
        overlap = np.maximum(overlap, vectors @ vectors[best])
    return sorted(chosen)


def bullets(units: Sequence[SummaryUnit], chosen: Sequence[int]) -> list[list[list[int]]]:
    """The chosen indexes (in time order) as the summary shows them: bullets of one speaker,
    each a list of quotes, each quote a run of units (see `joined`)."""
    runs = joined(units, chosen)
    said_by = [speaker_label(units[run[0]].sentences[0]) for run in runs]
    return [[runs[i] for i in group] for group in by_speaker(said_by)]


def summary_words(units: Sequence[SummaryUnit], chosen: Sequence[int]) -> int:
    """The words the summary of these units shows: each bullet's speaker label, its quotes
    and the gaps between them."""
    gap = len(QUOTE_GAP.split())
    return sum(
        len(speaker_label(units[quotes[0][0]].sentences[0]).split())
        + sum(units[i].words for run in quotes for i in run)
        + gap * (len(quotes) - 1)
        for quotes in bullets(units, chosen)
    )


def sentence_units(units: Sequence[SummaryUnit]) -> list[list[int]]:
    """For each unit, the indexes of the units quoting its sentence: all the clauses of a
    cut sentence, else the unit alone."""
    whole: list[list[int]] = []
    for i, unit in enumerate(units):
        if unit.clipped_start:
            whole.append(whole[-1])
            whole[-1].append(i)
        else:
            whole.append([i])
    return whole


def _clear(strength: float) -> float:
    return strength if strength >= _CLEAR_OBJECTION else 0.0


def _in_topic(unit: SummaryUnit, topic: str) -> float:
    """1 when Gong put any of the unit's sentences under this topic."""
    return float(any((s.topic or "").casefold() == topic for s in unit.sentences))
