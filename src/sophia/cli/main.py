"""`sophia`: ingest, sync, search and inspect the index from a shell."""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from sophia.cli.audit import audit
from sophia.cli.render import (
    IngestBar,
    render_answer,
    render_quarantine,
    render_search,
    render_stats,
)
from sophia.core.callrefs import call_id_of
from sophia.core.config import Settings, load_settings
from sophia.core.errors import BadQuery, SophiaError
from sophia.core.ingest import IngestSummary
from sophia.core.insights.answer import Answer
from sophia.core.limits import EARLIEST_DAY, LATEST_DAY, day_in_range
from sophia.core.quarantine import QuarantineEntry
from sophia.core.query import SearchMode, Side, build_request, day_range
from sophia.core.search import Hit, SearchResult
from sophia.core.services import Sophia
from sophia.core.session import Session
from sophia.core.viewer import Viewer

app = typer.Typer(
    name="sophia",
    help="Sophia: cited answers from your team's Gong calls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Messages are single lines for logs and pipes; the terminal wraps them if it must.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Where the index lives (default: SOPHIA_DATA_DIR)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = {"data_dir": data_dir, "debug": debug}


# --- commands ------------------------------------------------------------------------------


# Sync, ingest, reindex and retries write the index: one at a time per data dir.
Wait = Annotated[
    bool,
    typer.Option("--wait", help="If another sync, ingest or reindex runs, wait for it to end."),
]


@app.command()
def ingest(
    ctx: typer.Context,
    from_dir: Annotated[
        Path, typer.Option("--from-dir", help="A folder of Gong API JSON (calls.json, ...).")
    ],
    wait: Wait = False,
) -> None:
    """Index every call in a Gong-shaped folder."""

    async def run(sophia: Sophia) -> IngestSummary:
        with IngestBar(err, "Indexing") as bar:
            return await sophia.ingest_folder(from_dir, bar, wait=wait)

    _report_ingest(_run(ctx, run))


@app.command()
def sync(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(help="Fetch calls started on or after this date (YYYY-MM-DD)."),
    ] = None,
    wait: Wait = False,
) -> None:
    """Fetch new and changed calls from the Gong API and index them."""

    async def run(sophia: Sophia) -> IngestSummary:
        start = None
        if since:
            zone = ZoneInfo(sophia.settings.sophia_timezone)
            start = datetime.combine(_date("--since", since), time.min, zone)
        with IngestBar(err, "Syncing") as bar:
            return await sophia.sync(start, bar, wait=wait)

    _report_ingest(_run(ctx, run))


@app.command()
def reindex(ctx: typer.Context, wait: Wait = False) -> None:
    """Rebuild every chunk and vector from the stored calls (after changing the embedder);
    searches keep answering from the old index until the new one is complete."""

    async def run(sophia: Sophia) -> IngestSummary:
        with IngestBar(err, "Reindexing") as bar:
            return await sophia.reindex(bar, wait=wait)

    _report_ingest(_run(ctx, run, check_index=False))


@app.command()
def purge(ctx: typer.Context, wait: Wait = False) -> None:
    """Run the daily purge now: remove calls older than RETENTION_DAYS, then compact the
    index (what syncs leave: small files, deleted rows, index deltas)."""
    removed = _run(ctx, lambda sophia: sophia.purge_expired(wait=wait))
    out.print(
        f"Removed {len(removed)} call{'s' * (len(removed) != 1)} past retention; "
        "the index is compacted."
    )


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    account: Annotated[str | None, typer.Option(help="Only this account's calls.")] = None,
    call_id: Annotated[
        list[str] | None, typer.Option("--call-id", help="Only this call (repeatable).")
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="Calls on or after this day (YYYY-MM-DD).")
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="Calls on or before this day (YYYY-MM-DD).")
    ] = None,
    side: Annotated[Side | None, typer.Option(help="Only moments where this side speaks.")] = None,
    mode: Annotated[SearchMode, typer.Option(help="hybrid, semantic or keyword.")] = (
        SearchMode.HYBRID
    ),
    limit: Annotated[int | None, typer.Option(help="How many hits (default SEARCH_LIMIT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
    queries: Annotated[
        Path | None,
        typer.Option(help='Batch: a JSONL file of {"qid", "query", "call_id"?, "account"?}.'),
    ] = None,
) -> None:
    """Search the indexed calls; every hit cites its call, speaker and moment."""
    if (query is None) == (queries is None):
        _fail("give either a QUERY or --queries FILE")

    async def run(sophia: Sophia) -> int:
        settings = sophia.settings
        start, end = day_range(
            _date("--from", from_) if from_ else None,
            _date("--to", to) if to else None,
            ZoneInfo(settings.sophia_timezone),
        )
        base: dict[str, Any] = {
            "mode": mode,
            "limit": limit or settings.search_limit,
            "alpha": settings.search_alpha,
            "filters": {
                "account": account,
                "call_ids": tuple(call_id or ()),
                "started_from": start,
                "started_to": end,
                "side": side.affiliation() if side else None,
            },
        }
        with err.status("Loading the embedding model…"):
            await sophia.embedder.warm_up()
        if queries is not None:
            return await _batch(sophia, queries, base)
        result = await _session(sophia).search(build_request(query=query, **base))
        if as_json:
            print(json.dumps(_result_json(result), ensure_ascii=False))
        else:
            render_search(out, result)
        return 0

    raise typer.Exit(_run(ctx, run))


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="A question in plain words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
) -> None:
    """Ask about the calls: "what pricing objections came up with Moss & Co this quarter?"."""
    _answer(ctx, lambda sophia: _session(sophia).ask(question), as_json)


@app.command()
def brief(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="A topic (with a period) or an account.")],
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
    post: Annotated[
        str | None,
        typer.Option("--post", help="Post it to this Slack channel now (needs SLACK_BOT_TOKEN)."),
    ] = None,
) -> None:
    """A cited brief: "competitive mentions in Q4", "key decisions this week", "Olympus"."""
    if post:
        from sophia.cli.run import post_brief  # the Slack client loads only when posting

        pages = _run(ctx, lambda sophia: post_brief(sophia, _session(sophia), subject, post))
        out.print(f"Posted the brief to {escape(post)} ({pages} message{'s' * (pages != 1)}).")
        return
    _answer(ctx, lambda sophia: _session(sophia).brief(subject), as_json)


@app.command()
def analyze(
    ctx: typer.Context,
    call_id: Annotated[str, typer.Argument(help="A Gong call id or call URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
) -> None:
    """One call: summary, topics, objections, competitors, next steps, questions, talk ratio."""
    _answer(ctx, lambda sophia: _session(sophia).analyze_call(call_id_of(call_id)), as_json)


@app.command()
def competitors(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(help='e.g. "this quarter", "Q4", "last month".')] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
) -> None:
    """Competitor mentions by competitor and account, with quotes and tone."""
    _answer(ctx, lambda sophia: _session(sophia).competitors(period), as_json)


@app.command()
def stalled(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
) -> None:
    """Open deals with no call for STALLED_DAYS, and the blockers of their last call."""
    _answer(ctx, lambda sophia: _session(sophia).stalled(), as_json)


@app.command()
def coaching(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="What was negotiated (default: pricing).")] = (
        "pricing"
    ),
    period: Annotated[str, typer.Option(help='e.g. "this quarter".')] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
) -> None:
    """Discussions that ended well, with the talk tracks that worked."""
    _answer(ctx, lambda sophia: _session(sophia).coaching(topic, period), as_json)


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
) -> None:
    """Index size, query latency, cache hit rate and the last sync."""

    async def run(sophia: Sophia) -> None:
        result = await _session(sophia).stats()
        if as_json:
            print(result.model_dump_json())
        else:
            render_stats(out, result)

    _run(ctx, run)


@app.command()
def quarantine(
    ctx: typer.Context,
    retry: Annotated[
        bool, typer.Option("--retry", help="Try every quarantined record again.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
    wait: Wait = False,
) -> None:
    """Records that could not be indexed, with why; --retry tries them again."""

    async def run(sophia: Sophia) -> list[QuarantineEntry]:
        if retry:
            with IngestBar(err, "Retrying") as bar:
                _report_ingest(await sophia.retry_quarantined(bar, wait=wait))
        return sophia.state.quarantined()

    entries = _run(ctx, run)
    if as_json:
        for entry in entries:
            fields = asdict(entry)
            fields.pop("payload")
            print(json.dumps(fields, default=str, ensure_ascii=False))
    else:
        render_quarantine(out, entries)


app.command()(audit)


@app.command()
def run(
    ctx: typer.Context,
    bot: Annotated[bool, typer.Option("--bot/--no-bot", help="The Slack bot.")] = True,
    api: Annotated[bool, typer.Option("--api/--no-api", help="The REST API.")] = True,
    scheduler: Annotated[
        bool, typer.Option("--scheduler/--no-scheduler", help="Sync, weekly brief, purge.")
    ] = True,
) -> None:
    """Run the Slack bot, the REST API and the scheduler until Ctrl-C or SIGTERM."""
    from sophia.cli.run import serve  # Slack and the scheduler load only for `run`

    _run(ctx, lambda sophia: serve(sophia, bot=bot, api=api, scheduler=scheduler))


@app.command("prepare-model")
def prepare_model() -> None:
    """Export the local embedding model to ONNX once (image builds, `make setup`)."""
    from sophia.core.embedders.local import LocalEmbedder

    with _errors_as_messages(debug=False):
        embedder = LocalEmbedder(cache_dir=load_settings().sophia_model_cache)
        asyncio.run(embedder.warm_up())
        out.print(f"local model ready: {embedder.model_file}")


# --- plumbing ------------------------------------------------------------------------------


def _answer(
    ctx: typer.Context, produce: Callable[[Sophia], Awaitable[Answer]], as_json: bool
) -> None:
    async def run(sophia: Sophia) -> None:
        answer = await produce(sophia)
        if as_json:
            print(answer.model_dump_json())
        else:
            render_answer(out, answer)

    _run(ctx, run)


def _session(sophia: Sophia) -> Session:
    """A session for whoever runs the command (the audit log names the shell user)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        user = "unknown"
    return sophia.session(Viewer("cli", user=user))


async def _batch(sophia: Sophia, path: Path, base: dict[str, Any]) -> int:
    """One JSON line out per line in; a bad line gets an error line and the rest still run."""
    failures = 0
    for number, line in enumerate(_lines(path), 1):
        qid: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise BadQuery("each line must be a JSON object")
            qid = item.get("qid", number)
            filters = dict(base["filters"])
            if item.get("call_id"):
                filters["call_ids"] = (str(item["call_id"]),)
            if item.get("account"):
                filters["account"] = str(item["account"])
            request = build_request(query=item.get("query", ""), **{**base, "filters": filters})
            result = await _session(sophia).search(request)
            print(json.dumps({"qid": qid, "hits": _hits_json(result.hits)}, ensure_ascii=False))
        except (json.JSONDecodeError, SophiaError) as exc:
            failures += 1
            print(json.dumps({"qid": qid, "line": number, "error": str(exc)}))
    if failures:
        err.print(f"[red]{failures} query line(s) failed; see their error lines.[/red]")
    return 1 if failures else 0


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8") as handle:
            yield from (line for line in handle if line.strip())
    except OSError as exc:
        raise BadQuery(f"cannot read {path}: {exc.strerror}") from None


def _result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.request.query,
        "mode": result.mode.value,
        "took_ms": result.took_ms,
        "cached": result.cached,
        "notice": result.notice,
        "hits": _hits_json(result.hits),
    }


def _hits_json(hits: list[Hit]) -> list[dict[str, Any]]:
    return [
        {
            "call_id": h.call_id,
            "chunk_id": h.chunk_id,
            "start_ms": h.start_ms,
            "end_ms": h.end_ms,
            "moment_ms": h.moment_ms,
            "speaker": h.speaker,
            "account": h.account,
            "title": h.title,
            "date": h.started.isoformat(),
            "score": h.score,
            "snippet": h.snippet,
            "text": h.text,
            "url": h.url,
            "call_url": h.call_url,
        }
        for h in hits
    ]


def _report_ingest(summary: IngestSummary) -> None:
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


def _date(option: str, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"{option} must be a date like 2026-10-01, got {value!r}") from None
    if not day_in_range(day):
        raise BadQuery(f"{option} must be between {EARLIEST_DAY} and {LATEST_DAY}, got {value!r}")
    return day


def _fail(message: str) -> None:
    err.print(f"[red]Error:[/red] {escape(message)}")
    raise typer.Exit(2)


@asynccontextmanager
async def _opened(settings: Settings, check_index: bool) -> AsyncIterator[Sophia]:
    sophia = await Sophia.open(settings, check_index=check_index)
    try:
        yield sophia
    finally:
        await sophia.aclose()


def _run(
    ctx: typer.Context, work: Callable[[Sophia], Awaitable[T]], *, check_index: bool = True
) -> T:
    """Open Sophia, run `work`, and turn every failure into one line and an exit code."""
    options = ctx.obj or {}

    async def go() -> T:
        overrides = {"sophia_data_dir": options["data_dir"]} if options.get("data_dir") else {}
        async with _opened(load_settings(**overrides), check_index) as sophia:
            return await work(sophia)

    with _errors_as_messages(debug=options.get("debug", False)):
        return asyncio.run(go())
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def _errors_as_messages(*, debug: bool) -> Iterator[None]:
    try:
        yield
    except SophiaError as exc:
        if debug:
            raise
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print(
            "[yellow]Interrupted.[/yellow] Finished batches are saved; run it again to continue."
        )
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            raise
        err.print(
            f"[red]Unexpected error:[/red] {type(exc).__name__}: {escape(str(exc))} "
            "(run with --debug for details)"
        )
        raise typer.Exit(1) from None
