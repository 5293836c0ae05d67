"""The real deployment files, read once per test module; load with `pytest_plugins`."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.deploy_checks import COMPOSE, DOCKERFILE
from tests.k8s_checks import k8s_documents


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return DOCKERFILE.read_text()


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return doc


@pytest.fixture(scope="module")
def k8s() -> list[dict[str, Any]]:
    return k8s_documents()
