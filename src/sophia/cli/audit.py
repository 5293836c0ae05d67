"""`sophia audit`: who asked what, where, and which calls the answers cited.

Reads the audit log that every surface's sessions write (core/audit.py), the current file and
the rotated ones, in time order. It only reads files: no index, model or network is opened.
"""

from __future__ import annotations

import sys
from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from sophia.cli.errors import errors_as_messages
from sophia.cli.options import Since, parse_day
from sophia.cli.output import err, out
from sophia.core.audit import AuditEntry, read_audit
from sophia.core.config import load_settings

__all__ = ["audit"]

_COLUMNS = ("time", "surface", "user", "channel", "kind", "query", "calls", "ms", "outcome")
# The rest stay on one line. Call ids are in --json; the table counts them.
_WRAPPED = frozenset({"user", "channel", "query"})


def audit(
    ctx: typer.Context,
    since: Since = None,
    user: Annotated[
        str | None,
        typer.Option(help="Only this user (a Slack user id, an API key name, a shell user)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line, as stored.")
    ] = False,
) -> None:
    """Read the audit log: every query, answer, stats read and feedback click, oldest first."""
    options = ctx.obj or {}
    with errors_as_messages(debug=options.get("debug", False)):
        overrides = {"sophia_data_dir": options["data_dir"]} if options.get("data_dir") else {}
        settings = load_settings(**overrides)
        zone = ZoneInfo(settings.sophia_timezone)
        start = datetime.combine(parse_day("--since", since), time.min, zone) if since else None
        entries, unreadable = read_audit(settings.sophia_data_dir / "audit", since=start, user=user)
    if unreadable:
        err.print(f"[yellow]{unreadable} unreadable line(s) skipped.[/yellow]")
    if as_json:
        for entry in entries:
            sys.stdout.write(entry.model_dump_json(exclude_none=True) + "\n")
        return
    if not entries:
        err.print("No audit entries" + (" match." if since or user else " yet."))
        return
    out.print(_table(entries, zone))


def _table(entries: list[AuditEntry], zone: ZoneInfo) -> Table:
    table = Table(box=None, header_style="bold")
    for column in _COLUMNS:
        table.add_column(
            column,
            justify="right" if column in ("calls", "ms") else "left",
            no_wrap=column not in _WRAPPED,
        )
    for entry in entries:
        query = entry.query or ""
        if entry.kind == "feedback":
            query = f"{entry.vote} on {entry.about}"
        table.add_row(
            entry.time.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            entry.surface,
            escape(entry.user or "—"),
            escape(entry.channel or "—"),
            entry.kind,
            escape(query),
            str(len(entry.call_ids or [])),
            "" if entry.latency_ms is None else f"{entry.latency_ms:.0f}",
            entry.outcome if entry.error is None else f"{entry.outcome}: {entry.error}",
        )
    return table
