"""Every sentence the bot says to a person, in one place (log lines stay where they are)."""

from __future__ import annotations

__all__ = [
    "BOT_DISABLED",
    "FEEDBACK_THANKS",
    "HELP_TITLE",
    "HOME_FOOTER",
    "HOME_INTRO",
    "NOTHING_FOUND",
    "NOT_HERE",
    "NO_HITS",
    "RATE_LIMITED",
    "SHARED_BY",
    "SHARE_EXPIRED",
    "SOMETHING_BROKE",
    "TOO_LONG",
    "WORKING",
    "WORKING_ON",
]

# `sophia run` without the Slack tokens: exactly one line, on how to turn the bot on.
BOT_DISABLED = (
    "Slack bot is off: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN to turn it on "
    "(README, section “Slack”)."
)
HELP_TITLE = "Sophia: /gong commands"
HOME_INTRO = (
    "I answer questions about your team's Gong calls, citing the call, the speaker and the "
    "moment. Mention *@Sophia* in a channel, send me a direct message, or use `/gong`:"
)
HOME_FOOTER = "Each answer links to the moment in Gong. 👍 / 👎 on an answer tells us what helped."
# Shown while a mention or DM is being answered; replaced by the answer.
WORKING = ":mag: Looking through the calls…"
WORKING_ON = ":hourglass_flowing_sand: Working on `/gong {command}`…"
NO_HITS = "No moments matched “{query}”{scope}. Try fewer words, or wider filters."
NOTHING_FOUND = "I found nothing in the calls for that. Try other words, or `/gong help`."
NOT_HERE = (
    "I only answer in {channels}, or in a direct message to me. "
    "Ask an admin to add this channel to ALLOWED_CHANNELS."
)
RATE_LIMITED = (
    "You have asked me {limit} things in the last minute, which is my limit. "
    "Try again in {seconds} s."
)
SHARED_BY = "Shared by <@{user}> · `/gong {command}`"
SHARE_EXPIRED = "I could not share that answer any more; run the command again."
FEEDBACK_THANKS = {"up": "Thanks, noted 👍", "down": "Thanks, noted 👎: that helps us improve."}
SOMETHING_BROKE = (
    "Something went wrong on my side, sorry. It has been logged (reference `{reference}`); "
    "try again in a moment."
)
TOO_LONG = "_The rest of this answer is too long for Slack: ask a narrower question._"
