"""The call summary's unit scorer: boosted regression trees over the summary FEATURES,
read from summary_model.json beside this file.

The trees are fitted offline on QMSum's train meetings (benchmarks/fit_summary_model.py:
LightGBM, each unit labelled by the share of its word pairs that the meeting's human
summary has too) and evaluated here with numpy: no runtime dependency, the same scores on
every machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sophia.core.errors import SummaryModelError
from sophia.core.insights.summary_features import FEATURES, Matrix

__all__ = [
    "FORMAT",
    "MODEL_PATH",
    "SummaryModel",
    "Tree",
    "load_summary_model",
    "summary_model",
    "tree_from",
]

FORMAT = "sophia-summary-model/1"
MODEL_PATH = Path(__file__).with_name("summary_model.json")


@dataclass(frozen=True)
class Tree:
    """One regression tree: node i sends a row left when `x[feature[i]] <= threshold[i]`;
    a child `c < 0` is leaf `-c - 1` (LightGBM's numbering)."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    leaf: tuple[float, ...]

    def predict(self, x: Matrix) -> Matrix:
        """Each row's leaf value."""
        out = np.empty(len(x))
        # A tree of one leaf has no splits: every row is in leaf 0.
        self._fill(x, np.arange(len(x)), 0 if self.feature else -1, out)
        return out

    def _fill(self, x: Matrix, rows: npt.NDArray[np.intp], node: int, out: Matrix) -> None:
        """Write the leaf value of each of `rows` (all at `node`) into `out`."""
        if node < 0:
            out[rows] = self.leaf[-node - 1]
            return
        left = x[rows, self.feature[node]] <= self.threshold[node]
        if left.any():
            self._fill(x, rows[left], self.left[node], out)
        if not left.all():
            self._fill(x, rows[~left], self.right[node], out)


@dataclass(frozen=True)
class SummaryModel:
    """Scores units: the sum of the trees' leaf values for each row of features."""

    trees: tuple[Tree, ...]

    def score(self, features: Matrix) -> Matrix:
        """One score per row of `features` (columns in FEATURES order)."""
        total = np.zeros(len(features))
        for tree in self.trees:
            total += tree.predict(features)
        return total


@cache
def summary_model() -> SummaryModel:
    """The shipped model, read once."""
    return load_summary_model(MODEL_PATH)


def load_summary_model(path: Path) -> SummaryModel:
    """The model in `path`, checked against the features this code computes."""
    try:
        model: Any = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SummaryModelError(f"the call summary model {path} is unreadable ({exc})") from None
    try:
        return SummaryModel(tuple(tree_from(t) for t in _trees(model)))
    except (ValueError, TypeError, KeyError) as exc:
        raise SummaryModelError(
            f"the call summary model {path} is not usable: {exc}; refit it with "
            "benchmarks/fit_summary_model.py"
        ) from None


def _trees(model: Any) -> list[Any]:
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise ValueError(f"its format is not {FORMAT}")
    if model.get("features") != list(FEATURES):
        raise ValueError("it was fitted on other features than this code computes")
    trees = model.get("trees")
    if not isinstance(trees, list) or not trees:
        raise ValueError("'trees' must be a list of trees")
    return trees


def tree_from(raw: dict[str, list[Any]]) -> Tree:
    """One tree of the model file (split_feature, threshold, left, right, leaf_value), checked."""
    tree = Tree(
        tuple(int(f) for f in raw["split_feature"]),
        tuple(float(t) for t in raw["threshold"]),
        tuple(int(c) for c in raw["left"]),
        tuple(int(c) for c in raw["right"]),
        tuple(float(v) for v in raw["leaf_value"]),
    )
    splits = len(tree.feature)
    if not len(tree.threshold) == len(tree.left) == len(tree.right) == splits:
        raise ValueError("a tree has arrays of different lengths")
    if len(tree.leaf) != splits + 1:
        raise ValueError("a tree needs one leaf more than it has splits")
    if any(not 0 <= f < len(FEATURES) for f in tree.feature):
        raise ValueError("a split names a feature this code does not compute")
    # Children point forward (LightGBM numbers a node before its children): no cycles.
    for i, child in enumerate((*tree.left, *tree.right)):
        if not (-len(tree.leaf) <= child < 0 or i % max(splits, 1) < child < splits):
            raise ValueError("a tree points at a node or leaf it does not have")
    if not all(np.isfinite(tree.threshold)) or not all(np.isfinite(tree.leaf)):
        raise ValueError("a threshold or leaf value is not a finite number")
    return tree
