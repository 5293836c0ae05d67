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
# A tree's possible leaves are bits of one unsigned 64-bit word.
_MAX_LEAVES = 64
_ALL = np.uint64(2**64 - 1)


@dataclass(frozen=True)
class Trees:
    """Trees as flat arrays of their splits, evaluated all at once by leaf bitmasks (the
    QuickScorer scheme): a split a row does not pass (`x[feature] > threshold`, so it
    goes right) rules out the leaves of its left subtree, and the row's leaf is the
    leftmost leaf no split ruled out. One comparison over every split of every tree, an
    AND per tree, no walk down the trees."""

    feature: np.ndarray  # [tree, split]; padding splits compare feature 0 with +inf
    threshold: np.ndarray
    mask: np.ndarray  # [tree, split] -> the tree's leaves left possible when x goes right
    leaf: np.ndarray  # [tree, leaf position from the left] -> value

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The sum over trees of each row's leaf value."""
        right = x[:, self.feature] > self.threshold  # [row, tree, split]
        possible = np.bitwise_and.reduce(np.where(right, self.mask, _ALL), axis=2)
        lowest = possible & (~possible + np.uint64(1))  # the leftmost leaf still possible
        position = np.log2(lowest.astype(np.float64)).astype(np.int64)
        values = np.take_along_axis(self.leaf[None, :, :], position[..., None], 2)
        total: np.ndarray = values[..., 0].sum(axis=1)
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
    right, leaf_value; a child `c < 0` is leaf `-c - 1`, LightGBM's convention)."""
    if not trees:
        raise ValueError("it has no trees")
    for i, tree in enumerate(trees):
        missing = _TREE_KEYS - set(tree) if isinstance(tree, dict) else _TREE_KEYS
        if missing:
            raise ValueError(f"tree {i} lacks {', '.join(sorted(missing))}")
    splits = max(len(t["split_feature"]) for t in trees) or 1
    leaves = max(len(t["leaf_value"]) for t in trees)
    if leaves > _MAX_LEAVES:
        raise ValueError(f"a tree has more than {_MAX_LEAVES} leaves")
    shape = (len(trees), splits)
    feature = np.zeros(shape, dtype=np.int64)
    threshold = np.full(shape, np.inf)
    mask = np.full(shape, _ALL, dtype=np.uint64)
    leaf = np.zeros((len(trees), leaves), dtype=np.float64)
    for i, tree in enumerate(trees):
        n = len(tree["split_feature"])
        if not all(len(tree[k]) == n for k in ("threshold", "left", "right")):
            raise ValueError(f"tree {i} has arrays of different lengths")
        if len(tree["leaf_value"]) != n + 1:
            raise ValueError(f"tree {i} needs one leaf more than it has splits")
        feature[i, :n], threshold[i, :n] = tree["split_feature"], tree["threshold"]
        order, left_leaves = _layout(tree, i)
        for node, ruled_out in enumerate(left_leaves):
            mask[i, node] = _ALL ^ np.uint64(sum(1 << order[k] for k in ruled_out))
        for k, value in enumerate(tree["leaf_value"]):
            leaf[i, order[k]] = value
    if feature.min() < 0 or feature.max() >= len(FEATURES):
        raise ValueError("a split names a feature this code does not compute")
    if not (np.isfinite(threshold[threshold != np.inf]).all() and np.isfinite(leaf).all()):
        raise ValueError("a threshold or leaf value is not a finite number")
    return Trees(feature, threshold, mask, leaf)


def _layout(tree: dict[str, list[Any]], i: int) -> tuple[dict[int, int], list[list[int]]]:
    """Each leaf's position from the left, and each split's left-subtree leaves."""
    n = len(tree["split_feature"])
    order: dict[int, int] = {}
    left_leaves: list[list[int]] = [[] for _ in range(n)]
    seen: set[int] = set()

    def walk(child: int) -> list[int]:
        if child < 0:
            leaf = -child - 1
            if leaf >= n + 1 or leaf in order:
                raise ValueError(f"tree {i} points at a node or leaf it does not have")
            order[leaf] = len(order)
            return [leaf]
        if child >= n or child in seen:
            raise ValueError(f"tree {i} points at a node or leaf it does not have")
        seen.add(child)
        left = walk(int(tree["left"][child]))
        left_leaves[child] = left
        return left + walk(int(tree["right"][child]))

    walk(0 if n else -1)
    if len(order) != n + 1:
        raise ValueError(f"tree {i} has leaves no split leads to")
    return order, left_leaves


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
