"""`sophia`: ingest, sync, search and inspect the index from a shell."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from sophia.cli.audit import audit
from sophia.cli.errors import OneLineErrors, errors_as_messages, usage_error
from sophia.cli.export import export
from sophia.cli.opening import run_with_sophia, shell_session
from sophia.cli.options import AsJson, Since, Wait, parse_day
from sophia.cli.output import (
    err,
    out,
    report_ingest,
    show_answer,
    show_quarantine,
    show_search,
    show_stats,
)
from sophia.cli.render import IngestBar
from sophia.core.callrefs import call_id_of
from sophia.core.config import load_settings
from sophia.core.query import SearchMode, Side, search_request

# Types only: the store, the embedder and the insights load when a command opens Sophia
# (cli/opening.py), so `--help`, `audit` and a mistyped option stay quick.
if TYPE_CHECKING:
    from sophia.core.ingest import IngestSummary
    from sophia.core.insights.answer import Answer
    from sophia.core.quarantine import QuarantineEntry
    from sophia.core.query import SearchRequest
    from sophia.core.services import Sophia
    from sophia.core.session import Session

app = typer.Typer(
    name="sophia",
    help="Sophia: cited answers from your team's Gong calls.",
    cls=OneLineErrors,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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

    report_ingest(run_with_sophia(ctx, run))


@app.command()
def sync(
    ctx: typer.Context,
    since: Since = None,
    wait: Wait = False,
) -> None:
    """Fetch new and changed calls from the Gong API and index them."""

    async def run(sophia: Sophia) -> IngestSummary:
        start = None
        if since:
            zone = ZoneInfo(sophia.settings.sophia_timezone)
            start = datetime.combine(parse_day("--since", since), time.min, zone)
        with IngestBar(err, "Syncing") as bar:
            return await sophia.sync(start, bar, wait=wait)

    report_ingest(run_with_sophia(ctx, run))


@app.command()
def reindex(ctx: typer.Context, wait: Wait = False) -> None:
    """Rebuild every chunk and vector from the stored calls, after changing the embedder.

    Searches keep answering from the old index until the new one is complete."""

    async def run(sophia: Sophia) -> IngestSummary:
        with IngestBar(err, "Reindexing") as bar:
            return await sophia.reindex(bar, wait=wait)

    report_ingest(run_with_sophia(ctx, run, check_index=False))


@app.command()
def purge(ctx: typer.Context, wait: Wait = False) -> None:
    """Run the daily purge now: remove calls older than RETENTION_DAYS, compact the index.

    Compacting folds in what syncs leave behind: small files, deleted rows, index deltas."""
    removed = run_with_sophia(ctx, lambda sophia: sophia.purge_expired(wait=wait))
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
    as_json: AsJson = False,
    queries: Annotated[
        Path | None,
        typer.Option(help='Batch: a JSONL file of {"qid", "query", "call_id"?, "account"?}.'),
    ] = None,
) -> None:
    """Search the indexed calls; every hit cites its call, speaker and moment."""
    if (query is None) == (queries is None):
        usage_error("give either a QUERY or --queries FILE")

    async def run(sophia: Sophia) -> int:
        settings = sophia.settings
        asked = partial(
            search_request,
            mode=mode,
            limit=limit or settings.search_limit,
            alpha=settings.search_alpha,
            zone=ZoneInfo(settings.sophia_timezone),
            first_day=parse_day("--from", from_) if from_ else None,
            last_day=parse_day("--to", to) if to else None,
            side=side,
        )

        def ask_for(words: str, one_call: str | None, one_account: str | None) -> SearchRequest:
            # A batch line's own call or account narrows the command's filters.
            calls = (one_call,) if one_call else tuple(call_id or ())
            return asked(words, account=one_account or account, call_ids=calls)

        with err.status("Loading the embedding model…"):
            await sophia.embedder.warm_up()
        if queries is not None:
            from sophia.cli.batch import run_batch

            return await run_batch(partial(shell_session, sophia), queries, ask_for)
        result = await shell_session(sophia).search(ask_for(query or "", None, None))
        show_search(result, as_json)
        return 0

    raise typer.Exit(run_with_sophia(ctx, run))


def _answer_command(
    name: str, argument: Any, ask: Callable[[Session, str], Awaitable[Answer]], summary: str
) -> None:
    """Register `sophia NAME ARGUMENT [--json]`: `ask` the shell user's session, print the
    answer."""

    def command(ctx: typer.Context, text: str = argument, as_json: AsJson = False) -> None:
        _answer(ctx, lambda sophia: ask(shell_session(sophia), text), as_json)

    command.__doc__ = summary
    app.command(name)(command)


_answer_command(
    "ask",
    typer.Argument(..., metavar="QUESTION", help="A question in plain words."),
    lambda session, question: session.ask(question),
    'Ask about the calls: "what pricing objections came up with Moss & Co this quarter?".',
)


@app.command()
def brief(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="A topic (with a period) or an account.")],
    as_json: AsJson = False,
    post: Annotated[
        str | None,
        typer.Option("--post", help="Post it to this Slack channel now (needs SLACK_BOT_TOKEN)."),
    ] = None,
) -> None:
    """A cited brief: "competitive mentions in Q4", "key decisions this week", "Olympus"."""
    if post:
        from sophia.cli.run import post_brief  # the Slack client loads only when posting

        pages = run_with_sophia(
            ctx, lambda sophia: post_brief(sophia, shell_session(sophia), subject, post)
        )
        out.print(f"Posted the brief to {escape(post)} ({pages} message{'s' * (pages != 1)}).")
        return
    _answer(ctx, lambda sophia: shell_session(sophia).brief(subject), as_json)


_answer_command(
    "analyze",
    typer.Argument(..., metavar="CALL_ID", help="A Gong call id or call URL."),
    lambda session, call: session.analyze_call(call_id_of(call)),
    "One call: summary, topics, objections, competitors, next steps, questions, talk ratio.",
)
_answer_command(
    "competitors",
    typer.Argument("", metavar="PERIOD", help='e.g. "this quarter", "Q4", "last month".'),
    lambda session, period: session.competitors(period),
    "Competitor mentions by competitor and account, with quotes and tone.",
)


@app.command()
def stalled(
    ctx: typer.Context,
    as_json: AsJson = False,
) -> None:
    """Open deals with no call for STALLED_DAYS, and the blockers of their last call."""
    _answer(ctx, lambda sophia: shell_session(sophia).stalled(), as_json)


@app.command()
def coaching(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="What was negotiated (default: pricing).")] = (
        "pricing"
    ),
    period: Annotated[str, typer.Option(help='e.g. "this quarter".')] = "",
    as_json: AsJson = False,
) -> None:
    """Discussions that ended well, with the talk tracks that worked."""
    _answer(ctx, lambda sophia: shell_session(sophia).coaching(topic, period), as_json)


@app.command()
def stats(
    ctx: typer.Context,
    as_json: AsJson = False,
) -> None:
    """Index size, query latency, cache hit rate and the last sync."""

    async def run(sophia: Sophia) -> None:
        show_stats(await shell_session(sophia).stats(), as_json)

    run_with_sophia(ctx, run)


@app.command()
def quarantine(
    ctx: typer.Context,
    retry: Annotated[
        bool, typer.Option("--retry", help="Try every quarantined record again.")
    ] = False,
    as_json: AsJson = False,
    wait: Wait = False,
) -> None:
    """Records that could not be indexed, with why; --retry tries them again."""

    async def run(sophia: Sophia) -> list[QuarantineEntry]:
        if retry:
            with IngestBar(err, "Retrying") as bar:
                report_ingest(await sophia.retry_quarantined(bar, wait=wait))
        return sophia.state.quarantined()

    show_quarantine(run_with_sophia(ctx, run), as_json)


app.command()(audit)
app.command()(export)


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

    run_with_sophia(ctx, lambda sophia: serve(sophia, bot=bot, api=api, scheduler=scheduler))


@app.command("prepare-model")
def prepare_model() -> None:
    """Export the local embedding model to ONNX once (image builds, `make setup`)."""
    from sophia.core.embedders.local import LocalEmbedder

    with errors_as_messages(debug=False):
        # Both files, whatever LOCAL_QUERY_WEIGHTS says now: an image's cache is read-only.
        embedder = LocalEmbedder(cache_dir=load_settings().sophia_model_cache, query_weights="int8")
        asyncio.run(embedder.warm_up())
        out.print(f"local model ready: {embedder.model_file} and {embedder.query_model_file.name}")


# --- plumbing ------------------------------------------------------------------------------


def _answer(
    ctx: typer.Context, produce: Callable[[Sophia], Awaitable[Answer]], as_json: bool
) -> None:
    async def run(sophia: Sophia) -> None:
        show_answer(await produce(sophia), as_json)

    run_with_sophia(ctx, run)
