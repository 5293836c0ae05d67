"""samples/ indexed once per session with the hashing embedder, and each test's own copy of
it (so a test may write: query log, cache, feedback, state). Load with `pytest_plugins`."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.fakes.sophia_api import make_settings, open_sophia

__all__ = ["hashing_samples", "sophia_dir"]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="session")
def hashing_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/ ingested once with the hashing embedder; tests copy it, never change it."""
    data_dir = tmp_path_factory.mktemp("hashing-samples")

    async def build() -> None:
        async with open_sophia(make_settings(data_dir)) as sophia:
            summary = await sophia.ingest_folder(SAMPLES)
            assert summary.indexed == 40, summary.line()

    asyncio.run(build())
    return data_dir


@pytest.fixture
def sophia_dir(hashing_samples: Path, tmp_path: Path) -> Path:
    """This test's own copy of the indexed samples."""
    target = tmp_path / "data"
    shutil.copytree(hashing_samples, target)
    return target
