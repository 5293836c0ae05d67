"""The README's generated tables match the code they describe."""

from __future__ import annotations

import pytest

from sophia.cli.readme import SECTIONS, section
from tests.conftest import ROOT


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_readme_generated_section_matches_the_code(name: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert section(readme, name) == SECTIONS[name](), f"README {name} is stale: run `make docs`"
