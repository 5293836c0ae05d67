"""The call-insights table's test databases: SQLite under the data dir, or a fresh
PostgreSQL database (the suite's server), and Sophia opened on the indexed samples with
one of them. Load with `pytest_plugins` (after the samples and postgres plugins)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from sophia.core.services import Sophia
from tests.fakes.sophia_api import make_settings

__all__ = ["COMPETITORS", "Opener", "database", "opened"]

COMPETITORS = "DealForge, Quotient AI, Pipestream, Ledgerly"

Opener = Callable[..., Any]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings that put the table in SQLite under the data dir, or in a fresh PostgreSQL
    database (EXPORT_DATABASE_URL)."""
    if request.param == "sqlite":
        return {}
    url: str = request.getfixturevalue("postgres_url")
    return {"export_database_url": url}


@pytest.fixture
async def opened(sophia_dir: Path, database: dict[str, Any]) -> AsyncIterator[Opener]:
    """Opens Sophia on this test's copy of the indexed samples, with the planted
    competitors and the test's database; keyword arguments update the settings."""
    apps: list[Sophia] = []

    async def open_one(**updates: Any) -> Sophia:
        fields = {"competitors": COMPETITORS, **database, **updates}
        apps.append(await Sophia.open(make_settings(sophia_dir, **fields)))
        return apps[-1]

    yield open_one
    for app in apps:
        await app.aclose()
