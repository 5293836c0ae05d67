"""The second-stage ranker: a linear model over `FEATURES`, read from a small JSON file.

Linear, so it needs no runtime dependency, scores 100 candidates in well under a
millisecond and orders them the same way on every machine. benchmarks/fit_ranker.py fits
it on QMSum's train calls and writes the file with what it was fitted on.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import RankerError
from core.ranking.features import FEATURES, features
from core.stores.base import StoredChunk

__all__ = ["FORMAT", "MODEL_PATH", "LinearRanker", "load_ranker"]

FORMAT = "sophia-ranker/1"
MODEL_PATH = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class LinearRanker:
    """Scores each candidate as `weights . (x - mean) / scale`; `pool` is how many fused
    candidates it wants to see."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    pool: int
    name: str  # identifies the fitted model in cache keys

    def rank(self, query: str, chunks: Sequence[StoredChunk]) -> list[StoredChunk]:
        """`chunks` best first by the model; equal scores keep the store's order."""
        if len(chunks) < 2:
            return list(chunks)
        x = (features(query, chunks) - np.asarray(self.mean)) / np.asarray(self.scale)
        scores = x @ np.asarray(self.weights)
        # A stable sort on the negated score: ties keep the store's order, on every machine.
        order = np.argsort(-np.round(scores, 9), kind="stable")
        return [chunks[int(i)] for i in order]


def load_ranker(path: Path = MODEL_PATH) -> LinearRanker:
    """The ranker in `path`, checked against the features this code computes."""
    try:
        raw = path.read_bytes()
        model: dict[str, Any] = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise RankerError(f"the search ranking model {path} is unreadable ({exc})") from None
    problem = _problem(model)
    if problem:
        raise RankerError(
            f"the search ranking model {path} is not usable: {problem}; refit it with "
            "benchmarks/fit_ranker.py or set SEARCH_RERANK=off"
        )
    return LinearRanker(
        mean=tuple(model["mean"]),
        scale=tuple(model["scale"]),
        weights=tuple(model["weights"]),
        pool=int(model["pool"]),
        name=f"{FORMAT}:{hashlib.sha256(raw).hexdigest()[:16]}",
    )


def _problem(model: Any) -> str | None:
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        return f"its format is not {FORMAT}"
    if model.get("features") != list(FEATURES):
        return "it was fitted on other features than this code computes"
    for key in ("mean", "scale", "weights"):
        values = model.get(key)
        if not isinstance(values, list) or len(values) != len(FEATURES):
            return f"{key!r} needs one number per feature ({len(FEATURES)})"
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            return f"{key!r} holds something other than finite numbers"
    if any(v <= 0 for v in model["scale"]):
        return "'scale' must be positive"
    pool = model.get("pool")
    if not isinstance(pool, int) or not 1 <= pool <= 100:
        return "'pool' must be a whole number from 1 to 100"
    return None
