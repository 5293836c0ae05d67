"""A fake OpenAI embeddings API on 127.0.0.1, for the real openai client.

It serves POST <any prefix>/embeddings the way the API does: Bearer auth, string or list
input, `dimensions` for text-embedding-3 models, `encoding_format` float or base64, and the
API's limits (2048 inputs, 300,000 tokens per request, 8192 tokens per input) answered with
400. Vectors are feature hashes of the words, so texts that share words are near each other
and a real store can rank them. Tests script faults (429 with Retry-After, 5xx, refusals)
and read every request back.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpe_openai
import numpy as np

from sophia.core.config import Settings
from tests.fakes.loopback import LoopbackFake, LoopbackHandler

__all__ = ["FakeOpenAI", "Recorded"]

NATIVE_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}
OTHER_MODEL_DIMS = 768  # any other model name: a "compatible server" model of this size
MAX_INPUTS = 2048
MAX_REQUEST_TOKENS = 300_000
MAX_INPUT_TOKENS = 8192
# OpenAI's own path, and the one an Azure OpenAI resource's v1 endpoint serves.
EMBEDDINGS_PATHS = ("/v1/embeddings", "/openai/v1/embeddings")
_WORD = re.compile(r"\w+")
# Counted independently of the embedder under test, with the same encoding the API uses.
_CL100K = bpe_openai.get_encoding("cl100k_base")


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any

    @property
    def inputs(self) -> list[str]:
        value = self.body.get("input") if isinstance(self.body, dict) else None
        return [value] if isinstance(value, str) else list(value or [])


@dataclass
class _Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)


class _Handler(LoopbackHandler):
    def do_POST(self) -> None:
        fake: FakeOpenAI = self.fake
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, payload, extra = fake.handle(self.path, headers, self.read_body())
        self.send_json(status, payload, extra)


class FakeOpenAI(LoopbackFake):
    """Start with `start()`, point the client at `url` (which ends in /v1), `stop()` after."""

    handler = _Handler

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or f"sk-test-{secrets.token_hex(16)}"
        self.requests: list[Recorded] = []
        self._faults: deque[_Fault] = deque()
        self._always: _Fault | None = None
        self._refused: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The base URL to give the client (OpenAI's own ends in /v1)."""
        return f"{self.root}/v1"

    def sophia_settings(self, data_dir: Path, **overrides: Any) -> Settings:
        """Settings of a Sophia on `data_dir` that embeds through this fake, with no
        retention cut-off."""
        fields: dict[str, Any] = {
            "sophia_data_dir": data_dir,
            "sophia_embedder": "openai",
            "openai_api_key": self.api_key,
            "openai_base_url": self.url,
            "retention_days": 0,
        }
        return Settings(_env_file=None, **(fields | overrides))

    # --- scripting -------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        message: str = "scripted failure",
    ) -> None:
        """Answer the next `times` requests with `status` (and these headers)."""
        fault = _Fault(status, dict(headers or {}), _error(message, code))
        with self._lock:
            self._faults.extend([fault] * times)

    def fail_always(self, status: int, *, message: str = "the model is overloaded") -> None:
        """Answer every request with `status` until `recover()`."""
        self._always = _Fault(status, {}, _error(message, None))

    def refuse_inputs_containing(self, marker: str) -> None:
        """Answer 400 to any request with an input holding `marker`, as the API does for
        an input it will not embed (the rest of the request is refused with it)."""
        with self._lock:
            self._refused.append(marker)

    def recover(self) -> None:
        """Stop failing."""
        with self._lock:
            self._faults.clear()
            self._always = None
            self._refused.clear()

    def embedding_requests(self) -> list[Recorded]:
        """Recorded requests to the embeddings endpoint, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path in EMBEDDINGS_PATHS]

    # --- serving ---------------------------------------------------------------------------

    def handle(
        self, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(Recorded(path, headers, body))
            fault = self._faults.popleft() if self._faults else self._always
        if path not in EMBEDDINGS_PATHS:
            return 404, {"error": _error(f"Invalid URL (POST {path})", None)}, {}
        if headers.get("authorization") != f"Bearer {self.api_key}":
            # Like OpenAI, quote part of the presented key: the client must not repeat it.
            presented = headers.get("authorization", "").removeprefix("Bearer ")
            shown = f"{presented[:6]}***{presented[-4:]}" if presented else "(none)"
            return (
                401,
                {"error": _error(f"Incorrect API key provided: {shown}", "invalid_api_key")},
                {},
            )
        if fault is not None:
            return fault.status, {"error": fault.error}, fault.headers
        return self._embeddings(body)

    def _embeddings(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict) or "model" not in body or "input" not in body:
            return 400, {"error": _error("model and input are required", None)}, {}
        model = str(body["model"])
        inputs = body["input"]
        texts = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return 400, {"error": _error("input must be a string or a list of strings", None)}, {}
        if not texts or any(t == "" for t in texts):
            return 400, {"error": _error("input cannot be an empty string", None)}, {}
        if len(texts) > MAX_INPUTS:
            return 400, {"error": _error(f"at most {MAX_INPUTS} inputs", None)}, {}
        with self._lock:
            refused = list(self._refused)
        if any(marker in text for marker in refused for text in texts):
            return 400, {"error": _error("'$.input' is invalid.", "invalid_input")}, {}
        counts = [len(_CL100K.encode_ordinary(t)) for t in texts]
        if max(counts) > MAX_INPUT_TOKENS or sum(counts) > MAX_REQUEST_TOKENS:
            return 400, {"error": _error("maximum context length exceeded", None)}, {}
        native = NATIVE_DIMS.get(model, OTHER_MODEL_DIMS)
        dims = native
        if "dimensions" in body:
            if model not in NATIVE_DIMS:
                return 400, {"error": _error("This model does not support dimensions", None)}, {}
            dims = int(body["dimensions"])
        base64_wanted = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = word_vector(text, dims)
            embedding: Any = (
                base64.b64encode(vector.astype("<f4").tobytes()).decode()
                if base64_wanted
                else [float(x) for x in vector]
            )
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        usage = {"prompt_tokens": sum(counts), "total_tokens": sum(counts)}
        return 200, {"object": "list", "data": data, "model": model, "usage": usage}, {}


def word_vector(text: str, dims: int) -> np.ndarray:
    """A unit vector of signed word hashes: shared words make vectors close."""
    vector = np.zeros(dims, dtype=np.float32)
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        vector[int.from_bytes(digest[:4], "little") % dims] += 1.0 if digest[4] & 1 else -1.0
    norm = float(np.linalg.norm(vector))
    if norm == 0:
        vector[0] = 1.0
        return vector
    return vector / norm


def _error(message: str, code: str | None) -> dict[str, Any]:
    return {"message": message, "type": "invalid_request_error", "param": None, "code": code}
