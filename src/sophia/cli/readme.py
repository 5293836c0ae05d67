"""The documentation's generated tables: settings and /gong commands come from code, so they
cannot drift.

`make docs` rewrites each table between its markers in the file it lives in;
tests/test_readme.py fails when one is stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sophia.bot.commands import commands_markdown
from sophia.core.config import settings_table

__all__ = ["SECTIONS", "Section", "section", "write_sections"]


@dataclass(frozen=True)
class Section:
    """A generated table: the file (relative to the repository) and what goes in it."""

    path: Path
    generate: Callable[[], str]


# Marker name -> the table between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
SECTIONS: dict[str, Section] = {
    "settings-table": Section(Path("docs/configuration.md"), settings_table),
    "slack-commands": Section(Path("docs/slack.md"), commands_markdown),
}


def section(text: str, name: str) -> str:
    """The text between the markers of `name` in `text`."""
    return text.split(f"<!-- {name}:start -->", 1)[1].split(f"<!-- {name}:end -->", 1)[0].strip()


def write_sections(root: Path = Path(".")) -> None:
    """Regenerate every generated table in place, in the files under `root`."""
    for name, generated in SECTIONS.items():
        path = root / generated.path
        text = path.read_text()
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        path.write_text(f"{head}{start}\n{generated.generate()}\n{end}{tail}")


if __name__ == "__main__":
    write_sections()
