"""The allocator behind pyarrow once a Lance store is open (core/stores/arrow_memory.py):
the system's, unless the operator named one in Arrow's own environment variable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from sophia.core.stores.lance import LanceStore


@pytest.fixture
def mimalloc_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pyarrow's stock default (its bundled mimalloc), restored to the suite's pool after."""
    before = pa.default_memory_pool()
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    yield
    pa.set_memory_pool(before)


@pytest.mark.usefixtures("mimalloc_pool")
def test_opening_a_store_moves_pyarrow_to_the_system_allocator(tmp_path: Path) -> None:
    assert pa.default_memory_pool().backend_name == "mimalloc"
    LanceStore(tmp_path / "index")
    assert pa.default_memory_pool().backend_name == "system"
    # What pyarrow builds from now on comes from that pool.
    before = pa.system_memory_pool().bytes_allocated()
    column = pa.array(range(100_000), type=pa.int64())
    assert pa.system_memory_pool().bytes_allocated() >= before + column.nbytes


@pytest.mark.usefixtures("mimalloc_pool")
def test_an_allocator_named_in_the_environment_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    LanceStore(tmp_path / "index")
    assert pa.default_memory_pool().backend_name == "mimalloc"
