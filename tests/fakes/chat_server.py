"""A fake OpenAI chat-completions API on 127.0.0.1, for the real openai client.

POST <prefix>/chat/completions answers with whatever the test's `model` callable writes for
the request's messages, wrapped in the API's response shape. Requests are recorded; the
next N requests can be made to fail with a status.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.loopback import LoopbackFake, LoopbackHandler

__all__ = ["FakeChat", "fake_chat"]

Model = Callable[[list[dict[str, Any]]], str]


class _Handler(LoopbackHandler):
    def do_POST(self) -> None:
        fake: FakeChat = self.fake
        body = json.loads(self.read_body() or b"{}")
        if not self.path.endswith("/chat/completions"):
            status, payload = 404, {"error": {"message": "not found"}}
        elif self.headers.get("Authorization") != "Bearer test-key":
            status, payload = 401, {"error": {"message": "bad key", "type": "invalid_api_key"}}
        else:
            status, payload = fake.reply(body)
        self.send_json(status, payload)


class FakeChat(LoopbackFake):
    """State of the fake: the model function, recorded requests, scripted failures."""

    handler = _Handler

    def __init__(self, model: Model) -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.fail_next: list[int] = []

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.requests.append(body)
        if self.fail_next:
            status = self.fail_next.pop(0)
            return status, {"error": {"message": "scripted failure", "type": "server_error"}}
        content = self.model(body["messages"])
        return 200, {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }


def fake_chat(model: Model) -> FakeChat:
    """A fake to use as `with fake_chat(model) as chat:` (started on entry, stopped on exit)."""
    return FakeChat(model)
