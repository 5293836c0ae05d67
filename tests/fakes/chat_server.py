"""A fake OpenAI chat-completions API on 127.0.0.1, for the real openai client.

POST <prefix>/chat/completions answers with whatever the test's `model` callable writes for
the request's messages, wrapped in the API's response shape. Requests are recorded; the
next N requests can be made to fail with a status.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeChat", "fake_chat"]

Model = Callable[[list[dict[str, Any]]], str]


class FakeChat:
    """State of the fake: the model function, recorded requests, scripted failures."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.fail_next: list[int] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

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


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        fake: FakeChat = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.endswith("/chat/completions"):
            status, payload = 404, {"error": {"message": "not found"}}
        elif self.headers.get("Authorization") != "Bearer test-key":
            status, payload = 401, {"error": {"message": "bad key", "type": "invalid_api_key"}}
        else:
            status, payload = fake.reply(body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def fake_chat(model: Model) -> Iterator[FakeChat]:
    """A started fake, stopped on exit."""
    fake = FakeChat(model)
    fake._thread.start()
    try:
        yield fake
    finally:
        fake._server.shutdown()
        fake._server.server_close()
