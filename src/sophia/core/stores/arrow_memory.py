"""Which allocator pyarrow's buffers come from, for a process that searches a Lance index.

pyarrow allocates from its bundled mimalloc by default. Between searches, mimalloc hands
freed memory back to the system, and the search thread whose allocation triggers that
stalls for about 5 ms. At a million chunks, 1 call-scoped search in 10 paid it, in the
pyarrow work that follows the reads (`combine_chunks`, `take`, `to_pylist`). The system
allocator shows no such stall (benchmarks/README.md, "Scale").
"""

from __future__ import annotations

import logging
import os

__all__ = ["use_system_allocator"]

log = logging.getLogger("sophia.stores")

# Arrow's own setting: an operator who names a pool keeps it.
_ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def use_system_allocator() -> None:
    """Make the system allocator pyarrow's default pool, unless the environment names one."""
    if os.environ.get(_ARROW_POOL_ENV):
        return
    import pyarrow as pa

    pool = pa.default_memory_pool()
    if pool.backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
        log.debug("pyarrow allocates from the system allocator (was %s)", pool.backend_name)
