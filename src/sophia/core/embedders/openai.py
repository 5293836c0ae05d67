"""OpenAI embeddings (text-embedding-3-small by default) through the official async client.

Any server speaking the same embeddings API works through OPENAI_BASE_URL: a proxy, a
self-hosted model server, or an Azure OpenAI resource's v1 endpoint
(`https://NAME.openai.azure.com/openai/v1/`, with the deployment name as EMBEDDING_MODEL).

Texts are counted in cl100k tokens offline (the `bpe-openai` package ships the encoding;
tiktoken would download it) and sent in requests sized by tokens, under the API's limits
per request. Retries are ours, not the SDK's (it is built with `max_retries=0`): the
`core.retry` policy every HTTP client uses (Retry-After honoured, else exponential backoff
with jitter, bounded attempts), a shorter budget for a query that someone is waiting on, and
a sleep that tests can replace.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any, Unpack
from urllib.parse import urlsplit

import numpy as np
from openai import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncOpenAI,
    OpenAIError,
)
from pydantic import ValidationError

from sophia.core.chunking import ChunkPlan
from sophia.core.clock import Clock, SystemClock
from sophia.core.config import Settings
from sophia.core.embedders.base import Vectors
from sophia.core.errors import ConfigError, EmbeddingError, EmbeddingRefused
from sophia.core.retry import Retrier, RetryDefaults, RetryOptions, Transient, retry_after_s

__all__ = ["OpenAIEmbedder"]

log = logging.getLogger("sophia.embedders.openai")

# The API's input window for every embedding model (8192 per its docs; 8191 is the figure
# the models report, so we keep the smaller).
_WINDOW = 8191
# The API takes at most 2048 inputs and 300,000 tokens per request. A request well under
# the token cap keeps a retried request cheap and spreads load under tokens-per-minute limits.
_MAX_BATCH_INPUTS = 2048
_MAX_BATCH_TOKENS = 100_000
_RETRY_STATUSES = frozenset({408, 409, 429})
_RETRY = RetryDefaults(max_attempts=6, backoff_s=0.5, max_backoff_s=30.0, max_retry_after_s=60.0)
# The models whose output size the API can shorten with `dimensions`.
_SHORTENABLE = re.compile(r"^text-embedding-3-")
# Text that looks like an OpenAI key, in case a server echoes one back in an error.
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_\-*]{3,}")


class OpenAIEmbedder:
    """An `Embedder` backed by the OpenAI embeddings API (or one compatible with it)."""

    max_tokens = _WINDOW
    default_plan = ChunkPlan(max_tokens=700, overlap_tokens=100)

    def __init__(
        self,
        *,
        api_key: str,
        model: str = "text-embedding-3-small",
        dims: int = 1536,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        query_timeout_s: float = 10.0,
        query_attempts: int = 2,
        max_batch_tokens: int = _MAX_BATCH_TOKENS,
        max_batch_inputs: int = _MAX_BATCH_INPUTS,
        clock: Clock | None = None,
        **retry: Unpack[RetryOptions],
    ) -> None:
        """`retry` changes the budget of an ingest's requests (`_RETRY`) or the sleep between
        attempts; a query gets `query_attempts`."""
        if not api_key:
            raise ConfigError("OPENAI_API_KEY is empty")
        if dims < 1 or query_attempts < 1:
            raise ValueError("dims and attempts must be positive")
        self.name = f"openai:{model}:{dims}"
        self.dim = dims
        self._model = model
        self._secret = api_key
        self._where = _host_of(base_url)
        self._timeout_s = timeout_s
        self._query_timeout_s = query_timeout_s
        self._query_attempts = query_attempts
        self._max_batch_tokens = min(max_batch_tokens, 300_000)
        self._max_batch_inputs = min(max_batch_inputs, _MAX_BATCH_INPUTS)
        self._clock = clock or SystemClock()
        self._retrier = Retrier.configured(_RETRY, **retry)
        self._client = AsyncOpenAI(
            api_key=api_key,
            # None means the SDK's default host; the SDK would also read OPENAI_BASE_URL
            # itself, but Settings (with .env) is the one source of configuration.
            base_url=base_url or "https://api.openai.com/v1",
            max_retries=0,
            timeout=timeout_s,
        )

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> OpenAIEmbedder:
        """An embedder configured by OPENAI_API_KEY, OPENAI_BASE_URL, EMBEDDING_MODEL and
        EMBEDDING_DIMS; `overrides` go to the constructor."""
        if settings.openai_api_key is None:
            raise ConfigError("SOPHIA_EMBEDDER=openai needs OPENAI_API_KEY")
        options: dict[str, Any] = {
            "api_key": settings.openai_api_key.get_secret_value(),
            "model": settings.embedding_model,
            "dims": settings.embedding_dims,
            "base_url": settings.openai_base_url,
            **overrides,
        }
        return cls(**options)

    # --- the Embedder Protocol -----------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        return _count(text)

    async def warm_up(self) -> None:
        return None

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start, end in self._batches(texts):
            vectors[start:end] = await self._embed(
                texts[start:end], attempts=self._retrier.attempts, timeout_s=self._timeout_s
            )
        return vectors

    async def embed_query(self, text: str) -> Vectors:
        # A token is at least one byte: a short query fits without loading the encoding.
        if len(text.encode()) > self.max_tokens:
            self._check_length(text)
        # Someone is waiting: a short budget, then search falls back to keyword matches.
        vectors = await self._embed(
            [text], attempts=self._query_attempts, timeout_s=self._query_timeout_s
        )
        first: Vectors = vectors[0]
        return first

    async def aclose(self) -> None:
        """Close the HTTP connections of the client."""
        await self._client.close()

    # --- batching ------------------------------------------------------------------------

    def _batches(self, texts: Sequence[str]) -> Iterator[tuple[int, int]]:
        """[start, end) ranges of `texts`, each within the per-request token and input caps."""
        start, tokens = 0, 0
        for i, text in enumerate(texts):
            cost = self._check_length(text)
            if i > start and (
                tokens + cost > self._max_batch_tokens or i - start >= self._max_batch_inputs
            ):
                yield start, i
                start, tokens = i, 0
            tokens += cost
        if start < len(texts):
            yield start, len(texts)

    def _check_length(self, text: str) -> int:
        tokens = _count(text)
        if tokens > self.max_tokens:
            raise EmbeddingError(
                f"a text of {tokens} tokens is longer than {self._model}'s input window "
                f"({self.max_tokens}); lower CHUNK_TOKENS or shorten the query"
            )
        return tokens

    # --- requests ------------------------------------------------------------------------

    async def _embed(self, texts: Sequence[str], *, attempts: int, timeout_s: float) -> Vectors:
        return await self._retrier.run(
            lambda: self._attempt(texts, timeout_s),
            give_up=self._gave_up,
            on_retry=_log_retry,
            attempts=attempts,
        )

    async def _attempt(self, texts: Sequence[str], timeout_s: float) -> Vectors:
        # The API refuses empty strings; a space embeds as "nothing here".
        inputs = [text if text.strip() else " " for text in texts]
        try:
            if _SHORTENABLE.match(self._model):
                response = await self._client.embeddings.create(
                    model=self._model, input=inputs, dimensions=self.dim, timeout=timeout_s
                )
            else:
                # Other models (and most compatible servers) refuse `dimensions`; their
                # native size must equal EMBEDDING_DIMS, which is checked below.
                response = await self._client.embeddings.create(
                    model=self._model, input=inputs, timeout=timeout_s
                )
        except APITimeoutError as exc:
            raise Transient(f"timed out after {timeout_s:g} s") from exc
        except APIConnectionError as exc:
            raise Transient(f"cannot connect ({self._scrubbed(_cause(exc))})") from exc
        except APIStatusError as exc:
            raise self._status_error(exc) from None
        except (OpenAIError, ValidationError, ValueError) as exc:
            raise EmbeddingError(
                f"OpenAI embeddings at {self._where} answered with something unreadable: "
                f"{self._scrubbed(str(exc))}"
            ) from None
        return self._matrix(response.data, len(inputs))

    def _matrix(self, data: Sequence[Any], expected: int) -> Vectors:
        if len(data) != expected:
            raise EmbeddingError(
                f"OpenAI embeddings at {self._where} returned {len(data)} vectors "
                f"for {expected} texts"
            )
        rows = [item.embedding for item in sorted(data, key=lambda item: item.index)]
        try:
            vectors = np.asarray(rows, dtype=np.float32)
        except ValueError:  # vectors of different lengths
            vectors = np.zeros(0, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            got = vectors.shape[1] if vectors.ndim == 2 else "uneven"
            raise EmbeddingError(
                f"{self._model} at {self._where} returned {got}-dimensional vectors, but "
                f"EMBEDDING_DIMS is {self.dim}; set EMBEDDING_DIMS to the model's size"
            )
        # The API's vectors are unit length already; a compatible server's may not be.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        result: Vectors = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        return result

    def _status_error(self, exc: APIStatusError) -> Exception:
        """A retryable `Transient`, or the `EmbeddingError` to report."""
        status = exc.status_code
        code = _error_code(exc)
        if status == 429 and code == "insufficient_quota":
            return EmbeddingError(
                "OpenAI refused the request: the account behind OPENAI_API_KEY has no quota "
                "left (429 insufficient_quota); check its plan and billing"
            )
        if status in _RETRY_STATUSES or status >= 500:
            retry_after = retry_after_s(exc.response.headers, self._clock)
            what = "rate limited (429)" if status == 429 else f"server error {status}"
            return Transient(what, status=status, retry_after_s=retry_after)
        if status in (401, 403):
            # OpenAI's 401 message quotes part of the key: leave it out entirely.
            return EmbeddingError(
                f"OpenAI embeddings at {self._where} rejected OPENAI_API_KEY ({status}); "
                "check the key (and, for a compatible server, OPENAI_BASE_URL)"
            )
        if status == 404:
            return EmbeddingError(
                f"OpenAI embeddings at {self._where} know no model {self._model!r} (404); "
                "check EMBEDDING_MODEL (on Azure: the deployment name) and OPENAI_BASE_URL"
            )
        # What is left (400, 413, 422) is about what we sent: the texts, not the service.
        return EmbeddingRefused(
            f"OpenAI embeddings at {self._where} refused the request ({status}): "
            f"{self._scrubbed(_error_message(exc))}"
        )

    def _gave_up(self, error: Transient, attempts: int) -> EmbeddingError:
        if self._retrier.asks_too_long(error):
            return EmbeddingError(
                f"OpenAI embeddings at {self._where} ask to wait {error.retry_after_s:.0f} s "
                f"({error.status}), longer than the {self._retrier.max_retry_after_s:.0f} s we "
                "wait at most; try again later"
            )
        return EmbeddingError(
            f"OpenAI embeddings at {self._where} failed after {attempts} attempts: {error.what}"
        )

    def _scrubbed(self, text: str) -> str:
        return _KEY_LIKE.sub("sk-***", text.replace(self._secret, "***"))


def _log_retry(error: Transient, wait: float, attempt: int) -> None:
    # Status and wait only: requests carry the key and transcript text.
    log.warning("OpenAI embeddings: %s; retrying in %.1f s (attempt %d)", error.what, wait, attempt)


@functools.cache
def _cl100k() -> Any:
    import bpe_openai

    return bpe_openai.get_encoding("cl100k_base")


# bpe-openai refuses a single input of a million characters or more.
_COUNT_SLICE = 200_000


def _count(text: str) -> int:
    """cl100k tokens of `text`, as the API counts them (special tokens are plain text)."""
    encoding = _cl100k()
    if len(text) <= _COUNT_SLICE:
        return len(encoding.encode_ordinary(text))
    # Only absurd inputs get here; slices may differ from the whole by a token per cut.
    return sum(
        len(encoding.encode_ordinary(text[i : i + _COUNT_SLICE]))
        for i in range(0, len(text), _COUNT_SLICE)
    )


def _host_of(base_url: str | None) -> str:
    """The server's address for messages, without any credentials in the URL."""
    if not base_url:
        return "api.openai.com"
    parts = urlsplit(base_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or base_url}{port}{parts.path.rstrip('/')}"


def _cause(exc: APIConnectionError) -> str:
    cause = exc.__cause__
    return type(cause).__name__ if cause is not None else "connection error"


def _error_body(exc: APIStatusError) -> dict[str, Any]:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return inner
    return {}


def _error_code(exc: APIStatusError) -> str | None:
    code = _error_body(exc).get("code") or _error_body(exc).get("type")
    return str(code) if code else None


def _error_message(exc: APIStatusError) -> str:
    message = _error_body(exc).get("message")
    return str(message) if message else f"HTTP {exc.status_code}"
