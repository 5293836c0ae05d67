"""The call summary's unit scorer: the shipped trees load and score; a broken file is a
friendly error, never a crash deep in numpy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sophia.core.errors import SummaryModelError
from sophia.core.insights.summary_features import FEATURES
from sophia.core.insights.summary_model import (
    FORMAT,
    MODEL_PATH,
    SummaryModel,
    load_summary_model,
    summary_model,
)

# One split on feature 2: rows with x[2] <= 0.5 score 1.0, the others 3.0.
STUMP = {
    "split_feature": [2],
    "threshold": [0.5],
    "left": [-1],
    "right": [-2],
    "leaf_value": [1.0, 3.0],
}


def write(tmp_path: Path, **changes: Any) -> Path:
    body = {"format": FORMAT, "features": list(FEATURES), "trees": [STUMP, STUMP]} | changes
    path = tmp_path / "summary_model.json"
    path.write_text(json.dumps(body))
    return path


def test_the_shipped_model_was_fitted_on_train_and_scores_every_unit() -> None:
    shipped = json.loads(MODEL_PATH.read_text())
    assert shipped["fitted_on"]["split"] == "train"
    assert shipped["features"] == list(FEATURES)
    rows = np.random.default_rng(0).random((7, len(FEATURES)))
    scores = summary_model().score(rows)
    assert scores.shape == (7,) and np.isfinite(scores).all()
    assert np.array_equal(scores, summary_model().score(rows))
    assert len(set(scores.round(9))) > 1  # the trees tell units apart


def test_trees_send_rows_left_or_right_and_add_up(tmp_path: Path) -> None:
    model = load_summary_model(write(tmp_path))
    rows = np.zeros((3, len(FEATURES)))
    rows[:, 2] = [0.0, 0.5, 0.9]
    assert model.score(rows).tolist() == [2.0, 2.0, 6.0]
    leaf_only = {"split_feature": [], "threshold": [], "left": [], "right": [], "leaf_value": [4.0]}
    assert load_summary_model(write(tmp_path, trees=[leaf_only])).score(rows).tolist() == [4.0] * 3
    assert isinstance(model, SummaryModel)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"format": "sophia-ranker/1"}, "format"),
        ({"features": ["centrality"]}, "other features"),
        ({"trees": []}, "list of trees"),
        ({"trees": [STUMP | {"split_feature": [len(FEATURES)]}]}, "does not compute"),
        ({"trees": [STUMP | {"left": [0]}]}, "does not have"),
        ({"trees": [STUMP | {"leaf_value": [1.0]}]}, "one leaf more"),
        ({"trees": [STUMP | {"threshold": [float("nan")]}]}, "finite"),
        ({"trees": [{"split_feature": [0]}]}, "not usable"),
    ],
)
def test_a_broken_model_file_is_a_friendly_error(
    tmp_path: Path, changes: dict[str, Any], says: str
) -> None:
    with pytest.raises(SummaryModelError, match=says):
        load_summary_model(write(tmp_path, **changes))


def test_an_unreadable_model_file_is_a_friendly_error(tmp_path: Path) -> None:
    path = tmp_path / "summary_model.json"
    path.write_text("{not json")
    with pytest.raises(SummaryModelError, match="unreadable"):
        load_summary_model(path)
    with pytest.raises(SummaryModelError, match="unreadable"):
        load_summary_model(tmp_path / "missing.json")
