"""Reads a LanceDB search starts while its query is still being embedded (the search
service asks through `ReadsAhead`): the keyword half of a hybrid search, and the rows of a
search confined to calls. The search that follows on the same table handle (one version
of the table) takes them; any other reads again."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

__all__ = ["Ahead", "StartedReads"]

# A search that never comes (its query could not be embedded) leaves its reads here until
# newer ones push them out.
_KEPT = 8


@dataclass(frozen=True)
class Ahead:
    """What was started: the rows a filter allows (a pyarrow table) and the keyword half."""

    rows: Any | None
    bm25: Future[list[dict[str, Any]]] | None


class StartedReads:
    """One store's reads started ahead of their searches, the newest few (thread-safe:
    reads ahead and searches run in worker threads)."""

    def __init__(self) -> None:
        self._kept: deque[tuple[Any, Hashable, Ahead]] = deque(maxlen=_KEPT)
        self._lock = threading.Lock()

    def keep(self, chunks: Any, key: Hashable, ahead: Ahead) -> None:
        """Hold `ahead` for the search `key` on the table handle `chunks`."""
        with self._lock:
            self._kept.append((chunks, key, ahead))

    def take(self, chunks: Any, key: Hashable) -> Ahead | None:
        """The reads started for this search on this table handle, once; None if none."""
        with self._lock:
            for kept in self._kept:
                if kept[0] is chunks and kept[1] == key:
                    self._kept.remove(kept)
                    return kept[2]
        return None
