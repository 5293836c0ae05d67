"""One generation of a LanceDB index, open: its database, its `chunks` and `calls` tables,
and the record (index.json) that says what embedder built it.

lancedb is imported where tables are opened or built, never at module level: the import
costs about a second (its namespace client), which commands that only check the record or
count rows (`sophia stats`) must not pay. They read through Lance itself (`lance`)."""

from __future__ import annotations

import json
import re
import threading
import uuid
import weakref
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sophia.core.chunking import CHUNKER_VERSION
from sophia.core.clock import Clock
from sophia.core.errors import StoreError
from sophia.core.stores.base import IndexInfo
from sophia.core.stores.generations import GenerationGone
from sophia.core.stores.lance_schema import CALL_SCHEMA, chunk_schema
from sophia.core.stores.lance_visible import Versions, readable
from sophia.core.stores.records import index_mismatch

__all__ = [
    "CALLS",
    "CHUNKS",
    "OpenGeneration",
    "check_generation",
    "create_generation",
    "dataset_of",
    "datasets_at",
    "lance_message",
    "open_generation",
    "versions_on_disk",
]

CHUNKS, CALLS, _RECORD = "chunks", "calls", "index.json"
# Lance datasets behind LanceDB's table handles (each at its own version): opening one
# costs a few milliseconds, more than a call-scoped search.
_DATASETS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_DATASETS_LOCK = threading.Lock()
# ", /root/.cargo/registry/src/…/commit.rs:123:45": where in LanceDB, not what went wrong.
_RUST_LOCATION = re.compile(r",?\s*/\S+\.rs:\d+(?::\d+)?")


@dataclass
class OpenGeneration:
    """One generation's open database and tables."""

    name: str
    path: Path
    db: Any
    chunks: Any
    calls: Any
    uid: str
    embedder: str
    dim: int
    has_fts: bool
    # Handles at the versions recent reads used (core/stores/lance_visible.py), newest last.
    views: dict[Versions, tuple[Any, Any]] = field(default_factory=dict)

    def latest(self) -> Versions:
        """The newest committed versions on disk, whoever wrote them."""
        # Asked of the Lance datasets: ~45 µs a table against ~210 µs for LanceDB's
        # `version`, which goes through its event loop; a search pins once (both tables).
        return Versions(
            dataset_of(self.chunks).latest_version, dataset_of(self.calls).latest_version
        )

    def readable(self) -> Versions:
        """The versions a read uses now: never a write's first commit without its second."""
        return readable(self.path, self.latest)

    def tables_at(self, versions: Versions) -> tuple[Any, Any]:
        """The chunks and calls tables opened at `versions` (new LanceDB handles)."""
        return (
            self.db.open_table(CHUNKS, version=versions.chunks),
            self.db.open_table(CALLS, version=versions.calls),
        )


def dataset_of(table: Any) -> Any:
    """The Lance dataset behind a LanceDB table handle, at the handle's version. Queries on it
    skip LanceDB's query builder: ~2.5 ms less per full-text query at 1M chunks."""
    with _DATASETS_LOCK:
        dataset = _DATASETS.get(table)
        if dataset is None:
            dataset = _DATASETS[table] = table.to_lance()
        return dataset


def create_generation(path: Path, info: IndexInfo, clock: Clock) -> None:
    """The tables and the record of a new generation for `info` at `path`."""
    import lancedb  # lazily: see the module docstring

    db = lancedb.connect(path, read_consistency_interval=timedelta(0))
    for name, schema in ((CHUNKS, chunk_schema(info.dim)), (CALLS, CALL_SCHEMA)):
        if name not in db.list_tables().tables:
            db.create_table(name, schema=schema)
    record: dict[str, Any] = {
        "embedder": info.embedder,
        "dim": info.dim,
        "chunker": CHUNKER_VERSION,
        "uid": uuid.uuid4().hex,
        "created": clock.now().isoformat(),
    }
    tmp = path / f"{_RECORD}.tmp"
    tmp.write_text(json.dumps(record, indent=2))
    tmp.replace(path / _RECORD)


def open_generation(
    path: Path, name: str, expected: IndexInfo | None, index: Path
) -> OpenGeneration:
    """Open generation `name` at `path`, checking it was built for `expected` (when given;
    `index` is the data dir's index, for the message)."""
    import lancedb  # lazily: see the module docstring

    record = check_generation(path, expected, index)
    # Another process (a sync) may write while this one serves: always read the latest.
    db = lancedb.connect(path, read_consistency_interval=timedelta(0))
    existing = set(db.list_tables().tables)
    if not {CHUNKS, CALLS} <= existing:
        raise StoreError(f"the index in {path} is incomplete; run `sophia reindex`")
    chunks = db.open_table(CHUNKS)
    return OpenGeneration(
        name=name,
        path=path,
        db=db,
        chunks=chunks,
        calls=db.open_table(CALLS),
        uid=str(record["uid"]),
        embedder=str(record["embedder"]),
        dim=int(record["dim"]),
        has_fts=any(i.index_type == "FTS" for i in chunks.list_indices()),
    )


def check_generation(path: Path, expected: IndexInfo | None, index: Path) -> dict[str, Any]:
    """The record of the generation at `path`, checked against `expected` (when given),
    without opening its tables."""
    record = _read_record(path)
    if expected is not None and (record["embedder"], record["dim"]) != (
        expected.embedder,
        expected.dim,
    ):
        raise index_mismatch(str(index), record["embedder"], record["dim"], expected)
    return record


def versions_on_disk(path: Path) -> Versions:
    """The latest committed versions of the generation's two tables, read through Lance."""
    chunks, calls = datasets_at(path, None)
    return Versions(chunks.version, calls.version)


def datasets_at(path: Path, versions: Versions | None) -> tuple[Any, Any]:
    """The generation's `chunks` and `calls` as Lance datasets at `versions` (else latest)."""
    import lance  # the format under LanceDB, a fraction of its import time

    try:
        return (
            lance.dataset(str(path / f"{CHUNKS}.lance"), version=versions and versions.chunks),
            lance.dataset(str(path / f"{CALLS}.lance"), version=versions and versions.calls),
        )
    except FileNotFoundError:
        raise GenerationGone(str(path)) from None
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"the index in {path} is unreadable ({lance_message(exc)}); run `sophia reindex`"
        ) from exc


def lance_message(exc: BaseException) -> str:
    """LanceDB's error as one line, without the Rust source locations it appends."""
    text = " ".join(str(exc).split())
    return _RUST_LOCATION.sub("", text) or type(exc).__name__


def _read_record(path: Path) -> dict[str, Any]:
    try:
        record: dict[str, Any] = json.loads((path / _RECORD).read_text())
    except FileNotFoundError:
        raise GenerationGone(str(path)) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path / _RECORD} is unreadable ({exc}); run `sophia reindex`") from None
    return record
