"""What the `sophia` command prints: JSON from core's shared schemas (the same the REST API
returns), or tables for a terminal (cli/render.py), and the summary of an ingest."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from sophia.cli.render import render_answer, render_quarantine, render_search, render_stats

if TYPE_CHECKING:
    from pydantic import BaseModel

    from sophia.core.ingest import IngestSummary
    from sophia.core.insights.answer import Answer
    from sophia.core.quarantine import QuarantineEntry
    from sophia.core.search import SearchResult
    from sophia.core.stats import Stats

__all__ = [
    "err",
    "json_line",
    "out",
    "report_ingest",
    "show_answer",
    "show_quarantine",
    "show_search",
    "show_stats",
]

# Messages are single lines for logs and pipes; the terminal wraps them if it must.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def json_line(value: BaseModel | dict[str, Any]) -> None:
    """One JSON document on one line of stdout (plain print: never wrapped or styled)."""
    if isinstance(value, dict):
        print(json.dumps(value, ensure_ascii=False, default=str))
    else:
        print(value.model_dump_json())


def show_search(result: SearchResult, as_json: bool) -> None:
    """A search result: the REST API's `SearchOut` as JSON, or a table with links."""
    if as_json:
        from sophia.core.search_schema import SearchOut  # loaded already: Sophia is open

        json_line(SearchOut.of(result))
    else:
        render_search(out, result)


def show_answer(answer: Answer, as_json: bool) -> None:
    """A cited answer: JSON, or sections, tables and numbered sources."""
    if as_json:
        json_line(answer)
    else:
        render_answer(out, answer)


def show_stats(stats: Stats, as_json: bool) -> None:
    """The stats: JSON (the REST API's schema), or a two-column table."""
    if as_json:
        json_line(stats)
    else:
        render_stats(out, stats)


def show_quarantine(entries: list[QuarantineEntry], as_json: bool) -> None:
    """Quarantined records: a JSON line each (without the kept call), or a table."""
    if not as_json:
        render_quarantine(out, entries)
        return
    for entry in entries:
        fields = asdict(entry)
        fields.pop("payload")
        json_line(fields)


def report_ingest(summary: IngestSummary) -> None:
    """What an ingest set aside or skipped (stderr), then its summary line."""
    for reason in summary.quarantined[:10]:
        err.print(f"[yellow]quarantined:[/yellow] {escape(reason)}")
    if len(summary.quarantined) > 10:
        err.print(
            f"[yellow]… and {len(summary.quarantined) - 10} more; see `sophia quarantine`[/yellow]"
        )
    if summary.duplicates:
        shown = ", ".join(summary.duplicates[:10])
        err.print(f"[yellow]duplicate call ids (the last one was kept):[/yellow] {escape(shown)}")
    if summary.empty:
        shown = ", ".join(summary.empty[:10])
        err.print(f"[yellow]calls without transcript text:[/yellow] {escape(shown)}")
    out.print(escape(summary.line()))
