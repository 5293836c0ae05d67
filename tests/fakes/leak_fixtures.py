"""The index the leak tests ask: samples/ under the restricted policy of
tests/leak_harness.py, built once per test module. Load with `pytest_plugins`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr

from sophia.core.config import Settings
from tests.conftest import SAMPLES
from tests.fakes.sophia_api import open_sophia
from tests.leak_harness import API_KEYS, COMPETITORS, POLICY
from tests.leak_questions import Corpus

__all__ = ["build_index", "indexed"]


def build_index(root: Path) -> tuple[Settings, Corpus]:
    """samples/ indexed under `root` with the hashing embedder and the restricted policy."""
    policy = root / "policy.yaml"
    policy.write_text(POLICY)
    settings = Settings(
        _env_file=None,
        sophia_data_dir=root / "data",
        sophia_embedder="hashing",
        sophia_summarizer="extractive",
        retention_days=0,
        access_policy=policy,
        sophia_api_keys=SecretStr(API_KEYS),
        competitors=COMPETITORS,
        api_rate_limit=0,
        slack_rate_limit=0,
        audit_max_bytes=1_000_000_000,  # never rotates: drivers count lines in one file
    )

    async def build() -> Corpus:
        async with open_sophia(settings) as sophia:
            await sophia.ingest_folder(SAMPLES)
            return Corpus.of(await sophia.store.list_calls(transcripts=False))

    return settings, asyncio.run(build())


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Corpus]:
    """samples/ indexed once per test module, under the restricted policy; tests only ask."""
    return build_index(tmp_path_factory.mktemp("leaks"))
