"""Second-stage ranking of a store's hybrid candidates (features + a fitted linear model)."""

from core.ranking.features import FEATURES, features
from core.ranking.model import MODEL_PATH, LinearRanker, load_ranker

__all__ = ["FEATURES", "MODEL_PATH", "LinearRanker", "features", "load_ranker"]
