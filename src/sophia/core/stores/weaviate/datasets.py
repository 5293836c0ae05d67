"""Data sets: the chunk and call collections of one build of the index, named by the record.

The index record (`NMeta`) names the live data set in its `collection` property. A reindex
fills a new set beside the live one (`N_g<12 hex>` and `N_g<12 hex>Call`) and then rewrites
the record in one object update, so every reader moves at once and a reindex killed
before that leaves the old set serving. A record written before data sets existed has no
`collection`: its data is in the first set, `N` and `NCall`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sophia.core.stores.weaviate.schema import CALL_FIELDS, CHUNK_FIELDS, Collection

__all__ = ["DataSet", "built_sets"]


@dataclass(frozen=True)
class DataSet:
    """The chunk collection and the call collection of one build."""

    chunks: Collection
    calls: Collection

    @classmethod
    def named(cls, chunks: str) -> DataSet:
        """The set whose chunk collection is `chunks` (its calls are `chunks` + "Call")."""
        return cls(
            Collection(chunks, CHUNK_FIELDS, indexed=True),
            Collection(f"{chunks}Call", CALL_FIELDS, indexed=False),
        )

    @classmethod
    def first(cls, base: str) -> DataSet:
        """The set a new index starts with (and where an index from before sets lives)."""
        return cls.named(base)

    @classmethod
    def fresh(cls, base: str) -> DataSet:
        """A new set's names, for a reindex to fill."""
        return cls.named(f"{base}_g{uuid.uuid4().hex[:12]}")

    @classmethod
    def live(cls, base: str, record: dict[str, Any]) -> DataSet:
        """The set the index record names."""
        return cls.named(str(record.get("collection") or base))

    @property
    def names(self) -> list[str]:
        return [self.chunks.name, self.calls.name]


def built_sets(base: str, existing: list[str]) -> list[DataSet]:
    """The sets among `existing` collection names that a reindex made for `base`."""
    pattern = re.compile(rf"{re.escape(base)}_g[0-9a-f]{{12}}")
    return [DataSet.named(name) for name in existing if pattern.fullmatch(name)]
