"""The second-stage ranker: boosted regression trees over `FEATURES`, read from a JSON file.

The trees are fitted offline (benchmarks/fit_ranker.py, LightGBM's lambdarank on QMSum's
train calls) and evaluated with numpy alone (core/trees.py), all trees at once: no runtime
dependency, well under a millisecond for 100 candidates, and the same order on every machine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sophia.core.errors import RankerError
from sophia.core.ranking.features import FEATURES, features
from sophia.core.stores.base import StoredChunk
from sophia.core.trees import Trees, build_trees

__all__ = ["FORMAT", "MODEL_PATH", "Ranker", "load_ranker"]

FORMAT = "sophia-ranker/1"
MODEL_PATH = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Ranker:
    """Orders candidates by the trees' score; `pool` is how many fused candidates it wants."""

    trees: Trees
    pool: int
    name: str  # identifies the fitted model in cache keys

    def rank(self, query: str, chunks: Sequence[StoredChunk]) -> list[StoredChunk]:
        """`chunks` best first by the model; equal scores keep the store's order."""
        if len(chunks) < 2 or not any(_measured(c) for c in chunks):
            # Fitted on the raw cosine and BM25 the embedded store reports; a store that
            # returns only the fused score (Weaviate's hybrid) keeps its own order.
            return list(chunks)
        scores = self.trees.predict(features(query, chunks))
        # A stable sort on rounded scores: ties keep the store's order, on every machine.
        order = np.argsort(-np.round(scores, 9), kind="stable")
        return [chunks[int(i)] for i in order]


def _measured(chunk: StoredChunk) -> bool:
    return chunk.similarity is not None or chunk.keyword is not None


def load_ranker(path: Path = MODEL_PATH) -> Ranker:
    """The ranker in `path`, checked against the features this code computes."""
    try:
        raw = path.read_bytes()
        model: Any = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise RankerError(f"the search ranking model {path} is unreadable ({exc})") from None
    try:
        _check(model)
        trees = build_trees(model["trees"], len(FEATURES))
    except (ValueError, TypeError) as exc:
        raise RankerError(
            f"the search ranking model {path} is not usable: {exc}; refit it with "
            "benchmarks/fit_ranker.py or set SEARCH_RERANK=off"
        ) from None
    name = f"{FORMAT}:{hashlib.sha256(raw).hexdigest()[:16]}"
    return Ranker(trees, int(model["pool"]), name)


def _check(model: Any) -> None:
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise ValueError(f"its format is not {FORMAT}")
    if model.get("features") != list(FEATURES):
        raise ValueError("it was fitted on other features than this code computes")
    pool = model.get("pool")
    if not isinstance(pool, int) or not 1 <= pool <= 100:
        raise ValueError("'pool' must be a whole number from 1 to 100")
    if not isinstance(model.get("trees"), list):
        raise ValueError("'trees' must be a list")
