"""Block Kit's limits and our escaping rules, as the fake Slack checks every message it is
sent: what Slack would refuse (or show wrongly)."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["block_problems"]

_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
_ANGLE = re.compile(r"<([^<>]*)>")
_ANGLE_TARGET = re.compile(r"^(?:https?://\S+|mailto:\S+|[@#!]\S+)(?:\|[^|]*)?$")


def _mrkdwn_problems(text: str) -> list[str]:
    """Markup Slack would misread: a bare `&`, or `<…>` that is neither a link nor a mention."""
    problems = []
    if _ENTITY.search(text):
        problems.append(f"unescaped & in {text[:80]!r}")
    # A ">" that opens a line is mrkdwn's block quote, not text.
    unquoted = re.sub(r"(?m)^>", "", text)
    stripped = _ANGLE.sub(lambda m: "" if _ANGLE_TARGET.match(m[1]) else "\0", unquoted)
    if "\0" in stripped or "<" in stripped or ">" in stripped:
        problems.append(f"unescaped < or > in {text[:80]!r}")
    return problems


def block_problems(blocks: list[dict[str, Any]], max_blocks: int = 50) -> list[str]:
    """What Slack would refuse (or show wrongly) in these blocks."""
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks (at most {max_blocks})")
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for block in blocks:
        kind = block.get("type")
        if "block_id" in block:
            if block["block_id"] in block_ids:
                problems.append(f"block_id {block['block_id']!r} repeated")
            block_ids.add(block["block_id"])
        if kind == "section":
            text = block.get("text")
            fields = block.get("fields") or []
            if text is None and not fields:
                problems.append("a section with neither text nor fields")
            if text is not None:
                problems += _text_problems(text, 3000, "section text")
            if len(fields) > 10:
                problems.append(f"{len(fields)} fields (at most 10)")
            for item in fields:
                problems += _text_problems(item, 2000, "field")
        elif kind == "header":
            text = block.get("text") or {}
            if text.get("type") != "plain_text":
                problems.append("a header must be plain_text")
            problems += _text_problems(text, 150, "header")
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                problems.append(f"context with {len(elements)} elements (1 to 10)")
            for element in elements:
                problems += _text_problems(element, 3000, "context")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                problems.append(f"actions with {len(elements)} elements (1 to 25)")
            for element in elements:
                action_id = element.get("action_id", "")
                if action_id in action_ids:
                    problems.append(f"action_id {action_id!r} repeated")
                action_ids.add(action_id)
                problems += _text_problems(element.get("text") or {}, 75, "button text")
                if len(element.get("value", "")) > 2000:
                    problems.append("button value over 2000 characters")
        elif kind != "divider":
            problems.append(f"unknown block type {kind!r}")
    return problems


def _text_problems(text: dict[str, Any], limit: int, what: str) -> list[str]:
    value = str(text.get("text", ""))
    problems = []
    if not value:
        problems.append(f"empty {what}")
    if len(value) > limit:
        problems.append(f"{what} of {len(value)} characters (at most {limit})")
    if text.get("type") == "mrkdwn":
        problems += _mrkdwn_problems(value)
    return problems
