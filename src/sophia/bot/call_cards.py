"""Post each newly indexed call's card to its account's channel, once ever.

Runs in the scheduler after every sync (only the scheduler replica posts). A card is
claimed in the state DB before it is posted, so no restart or second run posts it twice; the
analysis is asked through a session whose viewer is the target channel, so the access
policy decides whether a restricted account's card may go there.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sophia.bot.posting import post_answer
from sophia.core.call_cards import AccountChannels, card_of
from sophia.core.errors import AccessDenied, SophiaError
from sophia.core.services import Sophia
from sophia.core.viewer import Viewer

__all__ = ["post_call_cards"]

log = logging.getLogger("sophia.cards")


async def post_call_cards(
    sophia: Sophia, client: AsyncWebClient, channels: AccountChannels
) -> list[tuple[str, str]]:
    """Card every call indexed since the last run; returns (call id, channel) posted."""
    settings = sophia.settings
    since = sophia.clock.now() - timedelta(hours=settings.call_card_max_age_hours)
    zone = ZoneInfo(settings.sophia_timezone)
    posted = []
    for call_id in sophia.state.uncarded(since):
        call = await sophia.store.get_call(call_id)
        if call is None:  # purged since it was indexed
            continue
        channel = channels.channel_for(call.details.account)
        # Claimed even without a channel: settled, not looked at again.
        if not sophia.state.claim_card(call_id) or channel is None:
            continue
        session = sophia.session(Viewer("scheduler", channel=channel))
        try:
            analysis = await session.analyze_call(call_id)
            await post_answer(client, channel, card_of(analysis, call), zone)
        except AccessDenied:
            log.warning("call %s: the access policy keeps its card out of %s", call_id, channel)
            continue
        except (SlackApiError, SophiaError) as exc:
            log.error("call %s: card not posted to %s: %s", call_id, channel, _why(exc))
            continue
        posted.append((call_id, channel))
    if posted:
        log.info("call cards posted: %d", len(posted))
    return posted


def _why(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", exc))
    return str(exc)
