"""The README and docs/: generated tables match the code, and every path and link is real.

Nothing in them may point outside the repository: a reader has only the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sophia.cli.readme import SECTIONS, section
from tests.conftest import ROOT

DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
# A repository path as the docs write it: a file (`src/sophia/core/search.py`) or a folder
# with its slash (`deploy/k8s/`); `deploy/sophia-web` in a kubectl line is no path.
_PATH = re.compile(
    r"(?<![\w./-])((?:src|tests|deploy|benchmarks|samples|docs)/(?:[\w*-]+/)*(?:[\w*-]+(?:\.[\w*-]+)+)?)"
)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _name(doc: Path) -> str:
    return str(doc.relative_to(ROOT))


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    text = _FENCE.sub("", doc.read_text())
    return {_slug(m[1]) for m in re.finditer(r"^#+ (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_generated_table_matches_the_code(name: str) -> None:
    generated = SECTIONS[name]
    text = (ROOT / generated.path).read_text()
    assert section(text, name) == generated.generate(), (
        f"{generated.path}: the {name} table is stale: run `make docs`"
    )


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_every_repository_path_named_exists(doc: Path) -> None:
    missing = [
        path
        for path in sorted(set(_PATH.findall(doc.read_text())))
        if not any(ROOT.glob(path.rstrip("/")))
    ]
    assert not missing, f"{_name(doc)} names paths that do not exist: {missing}"


def _resolves(doc: Path, target: str) -> bool:
    """A relative link of `doc` names a file in the repository (and a heading it has)."""
    path, _, anchor = target.partition("#")
    file = (doc.parent / path).resolve() if path else doc
    if not file.is_relative_to(ROOT) or not file.exists():
        return False
    return not anchor or file.suffix != ".md" or anchor in _anchors(file)


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_every_link_stays_in_the_repository_and_resolves(doc: Path) -> None:
    links = _LINK.findall(_FENCE.sub("", doc.read_text()))
    broken = [
        target
        for target in links
        if not target.startswith(("http://", "https://", "mailto:")) and not _resolves(doc, target)
    ]
    assert not broken, f"{_name(doc)} has links that do not resolve in the repository: {broken}"


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_nothing_points_outside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    assert "../shared" not in text and "/work/" not in text, (
        f"{_name(doc)} points outside the repository"
    )
