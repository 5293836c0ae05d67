"""Pytest fixtures around the fake OpenAI API; load with `pytest_plugins` in a test module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from sophia.core.embedders.openai import OpenAIEmbedder
from tests.fakes.loopback import RecordedSleep, closed_after, serving
from tests.fakes.openai_server import FakeOpenAI

# The SDK reads these itself when they are not passed; a developer's must not leak in.
_OPENAI_VARIABLES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")

MakeEmbedder = Callable[..., OpenAIEmbedder]


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A started fake OpenAI API on loopback, stopped after the test."""
    yield from serving(FakeOpenAI(), monkeypatch, *_OPENAI_VARIABLES)


@pytest.fixture
def openai_sleeps() -> RecordedSleep:
    """The retry sleep injected by `make_openai_embedder`."""
    return RecordedSleep()


@pytest.fixture
async def make_openai_embedder(
    openai_server: FakeOpenAI, openai_sleeps: RecordedSleep
) -> AsyncIterator[MakeEmbedder]:
    """Factory of real OpenAIEmbedders pointed at the fake, with recorded (instant) sleeps."""
    async with closed_after(
        OpenAIEmbedder,
        api_key=openai_server.api_key,
        base_url=openai_server.url,
        sleep=openai_sleeps,
    ) as make:
        yield make
