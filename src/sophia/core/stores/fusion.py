"""Relative score fusion, Weaviate's hybrid ranking, for stores that lack it."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["relative_score_fusion"]


def relative_score_fusion(
    vector_scores: Sequence[tuple[str, float]],
    keyword_scores: Sequence[tuple[str, float]],
    alpha: float,
) -> list[tuple[str, float]]:
    """Min-max normalise each list, then rank by `alpha * vector + (1 - alpha) * keyword`.

    An id missing from one list scores 0 there, and a list with weight 0 is not used at
    all, as in Weaviate's relativeScoreFusion.
    """
    fused: dict[str, float] = {}
    for weight, scores in ((alpha, vector_scores), (1.0 - alpha, keyword_scores)):
        if weight == 0:
            continue
        for key, score in _normalised(scores):
            fused[key] = fused.get(key, 0.0) + weight * score
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _normalised(scores: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    if not scores:
        return []
    values = [score for _, score in scores]
    low, high = min(values), max(values)
    if high == low:
        return [(key, 1.0) for key, _ in scores]
    return [(key, (score - low) / (high - low)) for key, score in scores]
