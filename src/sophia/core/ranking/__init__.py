"""Second-stage ranking of a store's hybrid candidates (features + fitted trees)."""

from sophia.core.ranking.features import FEATURES, features
from sophia.core.ranking.model import MODEL_PATH, Ranker, load_ranker

__all__ = ["FEATURES", "MODEL_PATH", "Ranker", "features", "load_ranker"]
