"""The README's generated tables: settings and /gong commands come from code, so they cannot drift.

`make docs` rewrites each table between its markers; tests/test_readme.py fails when one is stale.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sophia.bot.commands import commands_markdown
from sophia.core.config import settings_table

__all__ = ["SECTIONS", "section", "write_sections"]

# Marker name -> what goes between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
SECTIONS: dict[str, Callable[[], str]] = {
    "settings-table": settings_table,
    "slack-commands": commands_markdown,
}


def section(text: str, name: str) -> str:
    """The text between the markers of `name` in `text`."""
    return text.split(f"<!-- {name}:start -->", 1)[1].split(f"<!-- {name}:end -->", 1)[0].strip()


def write_sections(readme: Path = Path("README.md")) -> None:
    """Regenerate every generated section of the README in place."""
    text = readme.read_text()
    for name, generate in SECTIONS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = f"{head}{start}\n{generate()}\n{end}{tail}"
    readme.write_text(text)


if __name__ == "__main__":
    write_sections()
