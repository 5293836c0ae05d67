"""Leak tests through the REST API: the real app (auth, routes, error mapping) in process,
each persona calling with its own API key, on samples/ under the restricted policy.

The API has search, ask, brief and call analysis; the other insights are reached through
`ask` ("which deals are stalled?"). The whole question matrix runs against `Session` (which
the routes ask through) in test_leaks.py; here a sample of it proves the API's wiring.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from sophia.core.access import AccessPolicy
from sophia.core.config import Settings
from sophia.core.services import Sophia
from tests.fakes.sophia_api import api_client
from tests.leak_harness import (
    PERSONAS,
    AuditTail,
    Corpus,
    LeakCheck,
    Persona,
    Question,
    Reply,
    build_index,
    report,
    run_matrix,
    surface_sample,
)


class RestDriver:
    """POSTs each question to the API with the persona's key, as a client would."""

    surface = "api"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]:
        return asyncio.run(self._ask_all(persona, questions))

    async def _ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]:
        assert persona.api_key is not None
        headers = {"Authorization": f"Bearer {self.settings.api_keys[persona.api_key]}"}
        sophia = await Sophia.open(self.settings)
        try:
            async with api_client(sophia) as http:
                audit = AuditTail(self.settings.sophia_data_dir)
                replies = []
                for question in questions:
                    path, body = self._call(question)
                    response = await http.post(path, json=body, headers=headers)
                    replies.append(self._reply(response, audit.added()))
                return replies
        finally:
            await sophia.aclose()

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
    def _reply(response: httpx.Response, audited: int) -> Reply:
        if response.status_code == 403:
            return Reply(set(), response.text, audited, denied=True)
        if response.status_code != 200:
            return Reply(set(), response.text, audited, error=str(response.status_code))
        body = response.json()
        cited = body.get("hits") or body.get("citations") or []
        return Reply({c["call_id"] for c in cited}, response.text, audited)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Corpus]:
    return build_index(tmp_path_factory.mktemp("leaks-api"))


def test_no_restricted_account_reaches_an_api_key_the_policy_keeps_it_from(
    indexed: tuple[Settings, Corpus], record_property: Any
) -> None:
    settings, corpus = indexed
    check = LeakCheck(corpus, AccessPolicy.load(settings.access_policy, settings.api_keys))
    asked = surface_sample(corpus)  # the whole matrix runs against Session in test_leaks.py
    driver = RestDriver(settings)
    for persona in ("moss", "outsider"):
        run_matrix(check, driver, PERSONAS[persona], asked)
    report(check, record_property, "rest")
    assert check.leaks == [], "\n".join(check.leaks[:20])
    assert check.misses == [], "\n".join(check.misses[:20])
    assert check.audit_problems == [], "\n".join(check.audit_problems[:20])
    # Two calls by id per account: moss-team may not see two accounts, reporting three.
    assert check.denials == 2 * 2 + 2 * 3


def test_a_restricted_call_and_a_missing_one_get_the_same_403(
    indexed: tuple[Settings, Corpus],
) -> None:
    settings, corpus = indexed
    restricted = min(corpus.calls["Brightwater Health"])
    missing = "1000000000000000001"

    async def both() -> list[httpx.Response]:
        sophia = await Sophia.open(settings)
        try:
            async with api_client(sophia) as http:
                headers = {"Authorization": f"Bearer {settings.api_keys['reporting']}"}
                return [
                    await http.post(
                        "/api/gong/analyze/call", json={"call_id": call_id}, headers=headers
                    )
                    for call_id in (restricted, missing)
                ]
        finally:
            await sophia.aclose()

    denied, unknown = asyncio.run(both())
    assert denied.status_code == unknown.status_code == 403
    assert (
        json.loads(denied.text)["error"]["message"] == json.loads(unknown.text)["error"]["message"]
    )
    assert "do not have access to this call" in denied.text
