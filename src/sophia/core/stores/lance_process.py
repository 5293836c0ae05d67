"""What a process that opens a Lance index sets for the libraries under it, once, before they
start: which allocator pyarrow uses, and which of Lance's log lines reach stderr. An
operator's own setting of either (Arrow's and Lance's environment variables) is kept.

- pyarrow allocates from its bundled mimalloc by default, which returns freed memory to the
  system inside allocations. At a million chunks, 1 call-scoped search in 10 stalled about
  5 ms in the pyarrow work after its reads (`combine_chunks`, `take`, `to_pylist`), right
  after searches that freed a lot; with the system allocator none did (benchmarks/README.md,
  "Scale").
- Folding a sync's few new rows into the IVF-PQ index, Lance's index builder warns once per
  partition that gets none of them: ~1,000 lines of "partition N is empty, skipping" per sync
  at a million chunks, burying the log lines that matter. Its other warnings still show.
"""

from __future__ import annotations

import logging
import os

__all__ = ["prepare_process"]

log = logging.getLogger("sophia.stores")

# Arrow's and Lance's own settings: an operator who sets one keeps it.
_ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
_LANCE_LOG_ENV = "LANCE_LOG"
# Lance's Rust logger reads this when `lance` is first imported (lazily, after a store opens).
_LANCE_LOG_DEFAULT = "warn,lance::index::vector::builder=error"


def prepare_process() -> None:
    """Set the allocator and Lance's log filter, unless the environment names its own."""
    os.environ.setdefault(_LANCE_LOG_ENV, _LANCE_LOG_DEFAULT)
    if os.environ.get(_ARROW_POOL_ENV):
        return
    import pyarrow as pa

    pool = pa.default_memory_pool()
    if pool.backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
        log.debug("pyarrow allocates from the system allocator (was %s)", pool.backend_name)
