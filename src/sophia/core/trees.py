"""Boosted regression trees as LightGBM writes them, evaluated with numpy alone: the search
ranker (core/ranking/) and the call summary's unit scorer (core/insights/summary_model.py)
both ship their fitted trees as JSON and score rows with `Trees.predict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Trees", "build_trees"]

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


def build_trees(trees: list[dict[str, list[Any]]], features: int) -> Trees:
    """`Trees` from a model file's list of trees over `features` columns (each: split_feature,
    threshold, left, right, leaf_value; a child `c < 0` is leaf `-c - 1`, LightGBM's convention)."""
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
    if feature.min() < 0 or feature.max() >= features:
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
