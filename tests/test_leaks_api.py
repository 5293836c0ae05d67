"""Leak tests through the REST API: the real app (auth, routes, error mapping) in process,
each persona calling with its own API key, on samples/ under the restricted policy.

The API has search, ask, brief and call analysis; the other insights are reached through
`ask` ("which deals are stalled?"). The whole question matrix runs against `Session` (which
the routes ask through) in test_leaks.py; here a sample of it proves the API's wiring.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from sophia.core.config import Settings
from tests.fakes.sophia_api import api_client, open_sophia
from tests.leak_harness import Ask, LeakCheck, Persona, Record, Reply, SophiaDriver, check_surface
from tests.leak_questions import Corpus, Question, surface_sample

pytest_plugins = ["tests.fakes.leak_fixtures"]


class RestDriver(SophiaDriver):
    """POSTs each question to the API with the persona's key, as a client would."""

    surface = "api"

    @asynccontextmanager
    async def connect(self, persona: Persona) -> AsyncIterator[Ask]:
        assert persona.api_key is not None
        headers = {"Authorization": f"Bearer {self.settings.api_keys[persona.api_key]}"}
        async with open_sophia(self.settings) as sophia, api_client(sophia) as http:

            async def ask(question: Question) -> Reply:
                path, body = self._call(question)
                return self._reply(await http.post(path, json=body, headers=headers))

            yield ask

    @staticmethod
    def _call(q: Question) -> tuple[str, dict[str, Any]]:
        if q.kind == "search":
            return "/api/gong/search", {"query": q.text, "mode": q.mode, "filters": q.filters}
        if q.kind == "call":
            return "/api/gong/analyze/call", {"call_id": q.text}
        if q.kind == "brief":
            return "/api/gong/brief", {"topic": q.text}
        return "/api/gong/ask", {"question": q.text}

    @staticmethod
    def _reply(response: httpx.Response) -> Reply:
        if response.status_code == 403:
            return Reply(set(), response.text, 0, denied=True)
        if response.status_code != 200:
            return Reply(set(), response.text, 0, error=str(response.status_code))
        body = response.json()
        cited = body.get("hits") or body.get("citations") or []
        return Reply({c["call_id"] for c in cited}, response.text, 0)


def test_no_restricted_account_reaches_an_api_key_the_policy_keeps_it_from(
    indexed: tuple[Settings, Corpus], record_property: Record
) -> None:
    settings, corpus = indexed
    check = LeakCheck.under(settings, corpus)
    asked = surface_sample(corpus)  # the whole matrix runs against Session in test_leaks.py
    driver = RestDriver(settings)
    check_surface(
        check, "rest", [(driver, p, asked) for p in ("moss", "outsider")], record_property
    )
    # Two calls by id per account: moss-team may not see two accounts, reporting three.
    assert check.denials == 2 * 2 + 2 * 3


def test_a_restricted_call_and_a_missing_one_get_the_same_403(
    indexed: tuple[Settings, Corpus],
) -> None:
    settings, corpus = indexed
    restricted = min(corpus.calls["Brightwater Health"])
    missing = "1000000000000000001"

    async def both() -> list[httpx.Response]:
        async with open_sophia(settings) as sophia, api_client(sophia) as http:
            headers = {"Authorization": f"Bearer {settings.api_keys['reporting']}"}
            return [
                await http.post(
                    "/api/gong/analyze/call", json={"call_id": call_id}, headers=headers
                )
                for call_id in (restricted, missing)
            ]

    denied, unknown = asyncio.run(both())
    assert denied.status_code == unknown.status_code == 403
    assert (
        json.loads(denied.text)["error"]["message"] == json.loads(unknown.text)["error"]["message"]
    )
    assert "do not have access to this call" in denied.text
