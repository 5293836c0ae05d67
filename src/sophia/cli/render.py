"""Terminal rendering for the `sophia` command: tables, links, progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sophia.core.viewer import SURFACE_NAMES

# Types only: rendering must not load the index or the model for a command that prints.
if TYPE_CHECKING:
    from sophia.core.ingest import IngestSummary
    from sophia.core.insights.answer import Answer, Bullet
    from sophia.core.quarantine import QuarantineEntry
    from sophia.core.search import Hit, SearchResult
    from sophia.core.stats import Freshness, Stats

__all__ = ["IngestBar", "clock", "render_answer", "render_search", "render_stats"]


def clock(ms: int) -> str:
    """mm:ss (or h:mm:ss) from milliseconds."""
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def render_search(console: Console, result: SearchResult) -> None:
    """Hits as a table, then their links (clickable where the terminal supports it)."""
    request = result.request
    if result.notice:
        console.print(f"[yellow]{escape(result.notice)}[/yellow]")
    scope = f" · {escape(request.filters.account)}" if request.filters.account else ""
    header = f"[bold]{escape(request.query)}[/bold]{scope}"
    if not result.hits:
        console.print(f"{header}: no matching moments. Try fewer words or wider filters.")
        return
    cached = ", cached" if result.cached else ""
    console.print(
        f"{header} — {len(result.hits)} hits, {result.mode}, {result.took_ms:.0f} ms{cached}"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Speaker · account · date · at", min_width=22, max_width=34)
    table.add_column("What was said", ratio=1)
    for number, hit in enumerate(result.hits, 1):
        who = (
            f"[bold]{escape(hit.speaker)}[/bold]\n{escape(hit.account or '—')}\n"
            f"{hit.started.date().isoformat()} · [link={hit.url}]{clock(hit.moment_ms)}[/link]"
        )
        said = f"“{escape(hit.snippet)}”\n[dim]{escape(hit.title)}[/dim]"
        table.add_row(str(number), who, said)
    console.print(table)
    for number, hit in enumerate(result.hits, 1):
        console.print(f"[dim][{number}][/dim] {_link(hit)}", soft_wrap=True)


def _link(hit: Hit) -> str:
    return f"[link={hit.url}]{escape(hit.url)}[/link]"


def render_answer(console: Console, answer: Answer) -> None:
    """Sections of cited bullets, tables, then the numbered sources with their links."""
    console.print(f"[bold]{escape(answer.title)}[/bold]")
    console.print(f"[dim]{escape(answer.understood)}[/dim]")
    if answer.notice:
        console.print(f"[yellow]{escape(answer.notice)}[/yellow]")
    for section in answer.sections:
        console.print(f"\n[bold underline]{escape(section.title)}[/bold underline]")
        for bullet in section.bullets:
            console.print(f"  • {_bullet(bullet)}")
    for table in answer.tables:
        if not table.rows:
            continue
        grid = Table(title=table.title, title_justify="left", expand=False)
        for column in table.columns:
            grid.add_column(column)
        for row in table.rows:
            grid.add_row(*(escape("—" if cell is None else str(cell)) for cell in row))
        console.print()
        console.print(grid)
    if answer.citations:
        console.print("\n[bold]Sources[/bold]")
    for c in answer.citations:
        when = c.started.date().isoformat()
        console.print(
            f"  [dim][{c.number}][/dim] {escape(c.speaker)} · {escape(c.account or '—')} · {when} "
            f"· [link={c.url}]{clock(c.moment_ms)}[/link]  {escape(c.url)}",
            soft_wrap=True,
        )


def _bullet(bullet: Bullet) -> str:
    text = f"“{escape(bullet.text)}”" if bullet.quote else escape(bullet.text)
    refs = "".join(f"[dim]\\[{n}][/dim]" for n in bullet.citations)
    return f"{text} {refs}".rstrip()


def render_stats(console: Console, stats: Stats) -> None:
    """Index size, query times by surface and the last sync as a two-column table."""
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    rate = "—" if stats.cache_hit_rate is None else f"{stats.cache_hit_rate:.0%}"
    rows: list[tuple[str, str]] = [
        ("Chunks", f"{stats.total_chunks:,}"),
        ("Calls indexed", f"{stats.calls_indexed:,}"),
        # Server-side: a CLI command's model load is not averaged into REST's answers.
        *(
            (f"Query time, {SURFACE_NAMES[surface]}", timed.line())
            for surface, timed in stats.query_times.items()
        ),
        *([] if stats.query_times else [("Query time", "no queries yet")]),
        ("Cache hit rate", _hit_rate(stats, rate)),
        (
            "Last sync",
            stats.last_sync.isoformat(timespec="seconds") if stats.last_sync else "never",
        ),
        ("Source", "Gong API" if stats.source == "gong" else "folder (sophia ingest)"),
        ("Embedder", stats.embedder),
        ("Store", stats.store),
        ("Summarizer", stats.summarizer),
        (
            "PII redactions",
            f"{stats.pii_redactions:,} in {stats.calls_with_redactions:,} calls",
        ),
        ("Restricted accounts", f"{stats.restricted_accounts:,}"),
        ("Quarantined records", f"{stats.quarantined:,}"),
        *([] if stats.crm_pending is None else [("Salesforce pending", f"{stats.crm_pending:,}")]),
        *_freshness_rows(stats.freshness),
        ("Data dir", stats.data_dir),
    ]
    for name, value in rows:
        table.add_row(name, escape(value))
    console.print(table)


def render_quarantine(console: Console, entries: list[QuarantineEntry]) -> None:
    """Quarantined records, most recently failed first, with why."""
    if not entries:
        console.print("Nothing is quarantined.")
        return
    table = Table()
    for column in ("record", "source", "stage", "tries", "last tried", "reason"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            escape(entry.record_id),
            escape(entry.source),
            entry.stage,
            str(entry.attempts),
            entry.last_at.isoformat(timespec="seconds"),
            escape(entry.reason),
        )
    console.print(table)
    console.print(f"{len(entries)} quarantined; `sophia quarantine --retry` tries them again.")


def _hit_rate(stats: Stats, rate: str) -> str:
    # Redis counts every replica's lookups; the local log only this machine's queries.
    if stats.cache_hits is not None and stats.cache_misses is not None:
        return f"{rate} ({stats.cache_hits:,} hits, {stats.cache_misses:,} misses, {stats.cache})"
    return f"{rate} of {stats.queries_measured:,} queries"


class IngestBar:
    """A progress bar on a terminal; silent elsewhere (the summary line still prints)."""

    def __init__(self, console: Console, label: str) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._task = self._progress.add_task(label, total=None, detail="")

    def __enter__(self) -> IngestBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, summary: IngestSummary, seen: int | None, total: int | None) -> None:
        detail = f"{summary.indexed} indexed · {summary.unchanged} unchanged"
        self._progress.update(self._task, completed=seen or 0, total=total, detail=detail)


def _freshness_rows(freshness: Freshness | None) -> list[tuple[str, str]]:
    """Lag from a call's end to searchable, and the newest call indexed."""
    if freshness is None:
        return []
    newest = "none"
    if freshness.newest_call_started is not None and freshness.newest_call_indexed is not None:
        newest = (
            f"{freshness.newest_call_id}, started "
            f"{freshness.newest_call_started.isoformat(timespec='minutes')}, indexed "
            f"{freshness.newest_call_indexed.isoformat(timespec='minutes')}"
        )
    return [("Freshness (call end to searchable)", freshness.line()), ("Newest call", newest)]
