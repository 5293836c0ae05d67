"""The README's configuration table is generated from the settings class."""

from __future__ import annotations

from core.config import settings_table
from tests.conftest import ROOT

START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"


def test_readme_configuration_table_matches_the_settings_class() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == settings_table(), "README configuration table is stale: run `make docs`"
