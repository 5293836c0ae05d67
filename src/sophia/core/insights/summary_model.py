"""The call summary's unit scorer: boosted regression trees over the summary FEATURES,
read from summary_model.json beside this file.

The trees are fitted offline on QMSum's train meetings (benchmarks/fit_summary_model.py:
LightGBM, each unit labelled by the share of its word pairs that the meeting's human
summary has too) and evaluated here with numpy: no runtime dependency, the same scores on
every machine (core/trees.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sophia.core.errors import SummaryModelError
from sophia.core.insights.summary_features import FEATURES, Matrix
from sophia.core.trees import Trees, build_trees

__all__ = ["FORMAT", "MODEL_PATH", "SummaryModel", "load_summary_model", "summary_model"]

FORMAT = "sophia-summary-model/1"
MODEL_PATH = Path(__file__).with_name("summary_model.json")


@dataclass(frozen=True)
class SummaryModel:
    """Scores units: the sum of the trees' leaf values for each row of features."""

    trees: Trees

    def score(self, features: Matrix) -> Matrix:
        """One score per row of `features` (columns in FEATURES order)."""
        return self.trees.predict(features)


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
        return SummaryModel(build_trees(_trees(model), len(FEATURES)))
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
