"""The second-stage ranker: boosted regression trees over `FEATURES`, read from a JSON file.

The trees are fitted offline (benchmarks/fit_ranker.py, LightGBM's lambdarank on QMSum's
train calls) and evaluated here with numpy alone, all trees at once: no runtime dependency,
well under a millisecond for 100 candidates, and the same order on every machine.
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

__all__ = ["FORMAT", "MODEL_PATH", "Ranker", "Trees", "load_ranker"]

FORMAT = "sophia-ranker/1"
MODEL_PATH = Path(__file__).with_name("ranker.json")
_TREE_KEYS = frozenset({"split_feature", "threshold", "left", "right", "leaf_value"})


@dataclass(frozen=True)
class Trees:
    """Trees padded to one shape, `[tree, node]`: a node sends a row left when
    `x[feature] <= threshold`; a child `c < 0` is leaf `-c - 1` (LightGBM's convention)."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray  # [tree, leaf] -> value
    depth: int

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The sum over trees of each row's leaf value."""
        rows, count = x.shape[0], self.feature.shape[0]
        trees = np.arange(count)[None, :]
        node = np.zeros((rows, count), dtype=np.int64)
        for _ in range(self.depth):
            inner = node >= 0
            at = np.where(inner, node, 0)
            values = np.take_along_axis(x, self.feature[trees, at], axis=1)
            ahead = np.where(
                values <= self.threshold[trees, at], self.left[trees, at], self.right[trees, at]
            )
            node = np.where(inner, ahead, node)
        total: np.ndarray = self.leaf[trees, -node - 1].sum(axis=1)
        return total


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
        trees = build_trees(model["trees"])
    except (ValueError, TypeError) as exc:
        raise RankerError(
            f"the search ranking model {path} is not usable: {exc}; refit it with "
            "benchmarks/fit_ranker.py or set SEARCH_RERANK=off"
        ) from None
    name = f"{FORMAT}:{hashlib.sha256(raw).hexdigest()[:16]}"
    return Ranker(trees, int(model["pool"]), name)


def build_trees(trees: list[dict[str, list[Any]]]) -> Trees:
    """`Trees` from the model file's list of trees (each: split_feature, threshold, left,
    right, leaf_value)."""
    if not trees:
        raise ValueError("it has no trees")
    for i, tree in enumerate(trees):
        missing = _TREE_KEYS - set(tree) if isinstance(tree, dict) else _TREE_KEYS
        if missing:
            raise ValueError(f"tree {i} lacks {', '.join(sorted(missing))}")
    inner = max(len(t["split_feature"]) for t in trees) or 1
    leaves = max(len(t["leaf_value"]) for t in trees)
    shape = (len(trees), inner)
    feature = np.zeros(shape, dtype=np.int64)
    threshold = np.zeros(shape, dtype=np.float64)
    left = np.full(shape, -1, dtype=np.int64)
    right = np.full(shape, -1, dtype=np.int64)
    leaf = np.zeros((len(trees), leaves), dtype=np.float64)
    for i, tree in enumerate(trees):
        n = len(tree["split_feature"])
        if not all(len(tree[k]) == n for k in ("threshold", "left", "right")):
            raise ValueError(f"tree {i} has arrays of different lengths")
        if len(tree["leaf_value"]) != n + 1:
            raise ValueError(f"tree {i} needs one leaf more than it has splits")
        feature[i, :n], threshold[i, :n] = tree["split_feature"], tree["threshold"]
        left[i, :n], right[i, :n] = tree["left"], tree["right"]
        leaf[i, : n + 1] = tree["leaf_value"]
    if feature.min() < 0 or feature.max() >= len(FEATURES):
        raise ValueError("a split names a feature this code does not compute")
    if left.max() >= inner or right.max() >= inner or min(left.min(), right.min()) < -leaves:
        raise ValueError("a tree points at a node or leaf it does not have")
    if not (np.isfinite(threshold).all() and np.isfinite(leaf).all()):
        raise ValueError("a threshold or leaf value is not a finite number")
    # Each step goes one level down; a tree of n splits is at most n levels deep.
    return Trees(feature, threshold, left, right, leaf, depth=inner)


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
