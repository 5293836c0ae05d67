"""Slack's text format both ways: unescaping what users type, escaping what we show.

Slack escapes `&`, `<` and `>` in every message and command it sends (`Moss &amp; Co`) and
wraps links and mentions in angle brackets (`<https://…|label>`, `<@U123>`). What we send
must be escaped the same way, or transcript text such as "a <b> tag" would be read as markup.
"""

from __future__ import annotations

import re

__all__ = ["escape", "link", "plain_text", "unescape"]

# <https://…|label>, <mailto:…>, <@U123|name>, <#C123|name>, <!here>
_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def unescape(text: str) -> str:
    """What the user typed: links become their URL, mentions their name, entities characters."""

    def plain(match: re.Match[str]) -> str:
        target, label = match[1], match[2]
        if target.startswith(("@", "#")):
            return f"{target[0]}{label}" if label else target
        if target.startswith("!"):
            return f"@{label or target[1:]}"
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return target  # a URL: its address is what a command needs (a pasted Gong link)

    text = _ANGLE.sub(plain, text)
    # &amp; last: "&amp;lt;" is a literal "&lt;" the user typed.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """Text that Slack shows as written (no links, mentions or entities)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link; the label is escaped and may not contain the `|` that ends the URL."""
    return f"<{escape(url)}|{escape(label).replace('|', '¦')}>"


def plain_text(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis (plain_text fields)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
