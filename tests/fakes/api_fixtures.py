"""Fixtures for REST API tests: each test owns a copy of samples/ indexed with the hashing
embedder (tests/fakes/samples_fixtures.py). Load with `pytest_plugins`."""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["api_data_dir"]

pytest_plugins = ["tests.fakes.samples_fixtures"]


@pytest.fixture
def api_data_dir(sophia_dir: Path) -> Path:
    """This test's own copy of the indexed samples, as the REST tests call it."""
    return sophia_dir
