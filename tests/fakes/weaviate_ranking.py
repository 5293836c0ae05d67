"""Exact scoring, as Weaviate defines it.

- near vector: cosine distance 1 - cos(q, v), smallest first;
- bm25: Weaviate's BM25F over word-tokenized text: idf = ln(1 + (N - n + 0.5) / (n + 0.5)),
  tf = f / (f + k1 (1 - b + b len / avglen)), stopwords dropped from the query, a repeated
  query word counted again; N, n and avglen over the whole class (filters choose which objects
  are scored, not the statistics);
- hybrid: relative score fusion: each sub-search ranks max(limit + offset, 100) candidates, each
  list is min-max normalised (all equal: 1), weighted 1 - alpha (keyword) and alpha (vector) and
  summed; alpha 0 skips the vector search and alpha 1 the keyword search; ties go to the higher
  raw score of the last list, then to the id.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
from weaviate.proto.v1 import base_pb2

from tests.fakes.weaviate_model import Refused, StoredClass, StoredObject, decode_vector

__all__ = ["bm25_scores", "hybrid_scores", "nearest", "query_vector"]

_HYBRID_POOL = 100  # hybrid.DefaultLimit


def query_vector(cls: StoredClass, message: Any) -> tuple[str, np.ndarray]:
    """The target vector and the query vector of a near-vector or hybrid search."""
    targets = list(message.targets.target_vectors) if message.HasField("targets") else []
    if len(targets) != 1 or targets[0] not in cls.vectors:
        raise Refused(f"name exactly one declared target vector, not {targets}")
    spec = cls.vectors[targets[0]]
    if not spec.indexed:
        raise Refused(f"vector {targets[0]!r} has no index")
    given = list(message.vectors) or (
        [base_pb2.Vectors(vector_bytes=message.vector_bytes)] if message.vector_bytes else []
    )
    if len(given) != 1:
        raise Refused("a vector search needs exactly one query vector")
    return targets[0], decode_vector(given[0], spec)


def nearest(
    candidates: dict[str, StoredObject], target: str, query: np.ndarray
) -> list[tuple[str, float]]:
    """Objects with the target vector, by cosine distance, nearest first."""
    scored = []
    for oid, obj in candidates.items():
        vector = obj.vectors.get(target)
        if vector is None:
            continue
        norm = float(np.linalg.norm(vector) * np.linalg.norm(query))
        scored.append((oid, 1.0 - (float(vector @ query) / norm if norm else 0.0)))
    return sorted(scored, key=lambda item: (item[1], item[0]))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def bm25_scores(
    cls: StoredClass, candidates: dict[str, StoredObject], query: str, properties: Iterable[str]
) -> list[tuple[str, float]]:
    """Objects among `candidates` that match the query, by Weaviate's BM25F, best first."""
    names = list(properties) or [n for n, p in cls.props.items() if p.searchable]
    for name in names:
        if not cls.prop(name).searchable:
            raise Refused(
                f"property '{name}' is not searchable: it has no searchable inverted index"
            )
    terms = Counter(word for word in _words(query) if word not in cls.stopwords)
    docs = {
        oid: [w for n in names for w in _words(obj.properties.get(n, ""))]
        for oid, obj in cls.objects.items()
    }
    total = len(docs)
    average = sum(len(words) for words in docs.values()) / total if total else 0.0
    scores: dict[str, float] = {}
    for term, repeats in terms.items():
        having = [oid for oid, words in docs.items() if term in words]
        idf = math.log(1 + (total - len(having) + 0.5) / (len(having) + 0.5)) * repeats
        for oid in having:
            if oid not in candidates:
                continue
            freq = docs[oid].count(term)
            norm = cls.k1 * (1 - cls.b + cls.b * len(docs[oid]) / average)
            scores[oid] = scores.get(oid, 0.0) + idf * freq / (freq + norm)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def hybrid_scores(
    cls: StoredClass, candidates: dict[str, StoredObject], hybrid: Any, wanted: int
) -> list[tuple[str, float]]:
    """Relative score fusion of the keyword and vector sub-searches, best first."""
    if hybrid.fusion_type == hybrid.FUSION_TYPE_RANKED:
        raise Refused("ranked fusion is not implemented by the fake", unimplemented=True)
    if (
        hybrid.HasField("vector_distance")
        or hybrid.HasField("bm25_search_operator")
        or hybrid.HasField("near_text")
    ):
        raise Refused(
            "hybrid options beyond alpha are not implemented by the fake", unimplemented=True
        )
    alpha = hybrid.alpha_param if hybrid.use_alpha_param else hybrid.alpha
    pool = max(wanted, _HYBRID_POOL)
    lists: list[tuple[float, list[tuple[str, float]]]] = []
    if alpha < 1 and hybrid.query:
        lists.append(
            (1 - alpha, bm25_scores(cls, candidates, hybrid.query, hybrid.properties)[:pool])
        )
    if alpha > 0:
        target, vector = query_vector(
            cls, hybrid.near_vector if hybrid.HasField("near_vector") else hybrid
        )
        lists.append(
            (alpha, [(oid, 1 - d) for oid, d in nearest(candidates, target, vector)[:pool]])
        )
    fused: dict[str, float] = {}
    tiebreak: dict[str, float] = {}
    for weight, ranked in lists:
        if not ranked:
            continue
        low, high = min(s for _, s in ranked), max(s for _, s in ranked)
        for oid, score in ranked:
            normalised = 1.0 if high == low else (score - low) / (high - low)
            fused[oid] = fused.get(oid, 0.0) + weight * normalised
            tiebreak[oid] = score
    return sorted(fused.items(), key=lambda item: (-item[1], -tiebreak[item[0]], item[0]))
