"""What opening a Lance store sets for the process (core/stores/lance_process.py): pyarrow on
the system allocator, and Lance's per-partition index-builder warnings kept off stderr,
unless the operator named their own in Arrow's or Lance's environment variable."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from sophia.core.stores.lance import LanceStore
from tests.conftest import ROOT


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


# A fresh process (Lance reads its log filter once, at its first import): open a store, then
# fold a few rows into an IVF-PQ index most of whose partitions they miss, as a sync does.
_FOLD_A_FEW_ROWS = """
import sys
from pathlib import Path
import numpy as np
import pyarrow as pa
from sophia.core.stores.lance import LanceStore

LanceStore(Path(sys.argv[1]) / "index")
import lance

rng = np.random.default_rng(7)

def rows(n: int) -> pa.Table:
    vectors = rng.standard_normal((n, 16)).astype(np.float32).ravel()
    return pa.table({"vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors), 16)})

path = str(Path(sys.argv[1]) / "vectors.lance")
dataset = lance.write_dataset(rows(2000), path)
dataset.create_index("vector", index_type="IVF_PQ", num_partitions=32, num_sub_vectors=4)
dataset = lance.write_dataset(rows(3), path, mode="append")
dataset.optimize.optimize_indices(num_indices_to_merge=0)
print(dataset.stats.index_stats("vector_idx")["num_unindexed_rows"])
"""


def _fold(tmp_path: Path, lance_log: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LANCE_LOG"}
    if lance_log is not None:
        env["LANCE_LOG"] = lance_log
    return subprocess.run(
        [sys.executable, "-c", _FOLD_A_FEW_ROWS, str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_the_index_builder_does_not_log_a_line_per_empty_partition(tmp_path: Path) -> None:
    folded = _fold(tmp_path, None)
    assert folded.stdout.strip() == "0"  # the new rows are in the index
    assert "is empty" not in folded.stderr


def test_a_lance_log_level_named_in_the_environment_is_kept(tmp_path: Path) -> None:
    folded = _fold(tmp_path, "warn")
    assert "partition" in folded.stderr and "is empty, skipping" in folded.stderr
