"""What each command asks core (through a `Session`), and the blocks its answer becomes.

Errors end here too: a `SophiaError` (a bad query, an unknown call, a future `AccessDenied`)
becomes its own friendly sentence, anything else a short apology with a reference that
finds the logged traceback. A user never sees a stack trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sophia.bot import messages
from sophia.bot.blocks import (
    Block,
    answer_blocks,
    help_blocks,
    hit_title,
    notice_blocks,
    search_blocks,
    stats_blocks,
)
from sophia.bot.commands import (
    Ask,
    Brief,
    CallAnalysis,
    Coaching,
    Command,
    Competitors,
    Help,
    Search,
    Stalled,
    Stats,
)
from sophia.core.errors import SophiaError
from sophia.core.insights.answer import Answer
from sophia.core.services import Sophia
from sophia.core.session import Session

__all__ = ["Reply", "reply_to"]

log = logging.getLogger("sophia.slack")


@dataclass
class Reply:
    """Blocks to show, the notification text, and whether it is an answer worth rating."""

    blocks: list[Block]
    text: str
    rated: bool = True


async def reply_to(command: Command, session: Session, sophia: Sophia) -> Reply:
    """Run `command` for the session's viewer; never raises for a user's mistake or ours."""
    zone = ZoneInfo(sophia.settings.sophia_timezone)
    try:
        match command:
            case Search(request=request):
                result = await session.search(request)
                text = (
                    f"{len(result.hits)} moments for “{request.query}”: "
                    + "; ".join(hit_title(h, zone) for h in result.hits[:3])
                    if result.hits
                    else f"No moments for “{request.query}”"
                )
                return Reply(search_blocks(result, zone), text, rated=bool(result.hits))
            case Ask(question=question, earlier=earlier):
                return _answer(await session.ask(question, earlier), zone)
            case Brief(text=subject):
                return _answer(await session.brief(subject), zone)
            case CallAnalysis(call_id=call_id):
                return _answer(await session.analyze_call(call_id), zone)
            case Competitors(text=period):
                return _answer(await session.competitors(period), zone)
            case Stalled():
                return _answer(await session.stalled(), zone)
            case Coaching(text=topic):
                return _answer(await session.coaching(topic), zone)
            case Stats():
                return Reply(stats_blocks(await session.stats()), "Sophia: index", rated=False)
            case Help(problem=problem):
                return Reply(help_blocks(problem), problem or messages.HELP_TITLE, rated=False)
    except SophiaError as exc:
        return Reply(notice_blocks(f"⚠️ {exc}"), str(exc), rated=False)
    except Exception:
        log.exception("slack %s failed", command.kind)
        text = messages.SOMETHING_BROKE.format(reference=session.request_id)
        return Reply(notice_blocks(text), text, rated=False)
    raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover


def _answer(answer: Answer, zone: ZoneInfo) -> Reply:
    blocks = answer_blocks(answer, zone)
    if answer.is_empty and not answer.notice:
        # Core promises a reason with every empty answer; if one slips through, still say so.
        blocks += notice_blocks(messages.NOTHING_FOUND)
    return Reply(blocks, answer.title, rated=not answer.is_empty)
