"""A deployment's output is JSON lines for a log shipper: an ingest of the samples with the
local model, its one-time ONNX export included, writes nothing else to stdout or stderr (no
progress bars: those are for a terminal, drawn by the CLI in text mode)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.model

# What `sophia run` does before its scheduler's first sync, at the deployments' log level.
_INGEST_WITH_JSON_LOGS = """
import asyncio, logging, sys
from pathlib import Path
from sophia.core.config import Settings
from sophia.core.logs import configure_logging
from sophia.core.services import Sophia

async def main() -> None:
    data_dir, model_cache, folder = map(Path, sys.argv[1:4])
    settings = Settings(
        _env_file=None, sophia_data_dir=data_dir, sophia_model_cache=model_cache,
        log_format="json", log_level="INFO",
    )
    configure_logging(settings.log_level, settings.log_format)
    sophia = await Sophia.open(settings)
    try:
        summary = await sophia.ingest_folder(folder)
    finally:
        sophia.close()
    logging.getLogger("sophia.test").info(summary.line())

asyncio.run(main())
"""


def test_an_ingest_with_json_logs_writes_only_json_lines(tmp_path: Path) -> None:
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            _INGEST_WITH_JSON_LOGS,
            str(tmp_path / "data"),
            str(tmp_path / "model-cache"),  # empty: the ONNX export runs too
            str(SAMPLES),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\r" not in shown.stdout + shown.stderr  # a progress bar redraws its line
    lines = (shown.stdout + shown.stderr).splitlines()
    entries = [json.loads(line) for line in lines]
    assert all(isinstance(entry, dict) and entry.get("level") for entry in entries)
    messages = [str(entry["message"]) for entry in entries]
    assert any(m.startswith("preparing the local model for onnxruntime") for m in messages)
    assert any(" calls indexed (" in m for m in messages), messages
