"""What CRM enrichment writes to Salesforce, from the call-insights table's rows and the
stored call's details: a call's Task, and the insight fields of its Account/Opportunity.
Nothing here talks to Salesforce."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sophia.core.errors import ConfigError
from sophia.core.models import CallDetails

__all__ = ["INSIGHTS", "field_map", "record_fields", "salesforce_ids", "task_fields", "task_key"]

# The insights a record's field can hold (SALESFORCE_ACCOUNT_FIELDS and _OPPORTUNITY_FIELDS).
INSIGHTS = ("last_call", "objections", "competitors")
# Salesforce record ids: 15 or 18 letters and digits; the key prefix names the object.
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TEXT_FIELD = 255  # a text field's usual length; longer values are cut
_DESCRIPTION = 32_000  # Task.Description's length
_TOP_OBJECTIONS = 3


def field_map(value: str, variable: str) -> dict[str, str]:
    """insight -> field API name, from 'last_call=Last_Gong_Call__c, ...'."""
    fields: dict[str, str] = {}
    for item in (i.strip() for i in value.split(",")):
        if not item:
            continue
        insight, _, name = (part.strip() for part in item.partition("="))
        if insight not in INSIGHTS or not _API_NAME.match(name):
            raise ConfigError(
                f"{variable}: expected insight=FieldApiName pairs with insights "
                f"{', '.join(INSIGHTS)}, got {item!r}"
            )
        fields[insight] = name
    return fields


def salesforce_ids(details: CallDetails) -> tuple[str | None, str | None]:
    """The call's Salesforce Account and Opportunity ids, from Gong's CRM context (an id of
    another CRM, or none, is None)."""
    account = details.account_id if _is_id(details.account_id, "001") else None
    opportunity = next(
        (
            o.opportunity_id
            for o in details.opportunities
            if (o.system or "salesforce").casefold() == "salesforce"
            and _is_id(o.opportunity_id, "006")
        ),
        None,
    )
    return account, opportunity


def task_key(call_id: str) -> str:
    """What the Task's key field holds: how a call's Task is found again."""
    return f"gong:{call_id}"


def task_fields(
    row: dict[str, Any], details: CallDetails, what_id: str, key_field: str, zone: ZoneInfo
) -> dict[str, Any]:
    """The Task of one call: its summary and link, on the Opportunity (else the Account)."""
    content = details.content
    summary = (content.brief if content else None) or "\n".join(
        f"- {point}" for point in (content.key_points if content else ())
    )
    lines = [summary or "Gong has no summary of this call yet."]
    if row["objections_by_kind"]:
        lines.append("Objections: " + _kinds(row["objections_by_kind"]))
    if row["competitors"]:
        lines.append("Competitors: " + ", ".join(row["competitors"]))
    if row["next_steps"]:
        lines.append("Next steps:\n" + "\n".join(f"- {s}" for s in row["next_steps"][:5]))
    lines.append(f"Gong: {row['url']}")
    return {
        "Subject": f"Gong call: {row['title']}"[:_TEXT_FIELD],
        "Description": "\n\n".join(lines)[:_DESCRIPTION],
        "WhatId": what_id,
        "ActivityDate": _local(row["started"], zone).date().isoformat(),
        "Status": "Completed",
        key_field: task_key(row["call_id"]),
    }


def record_fields(
    rows: Sequence[dict[str, Any]], fields: dict[str, str], zone: ZoneInfo
) -> dict[str, Any]:
    """An Account's or Opportunity's insight fields, from its calls' rows."""
    if not rows or not fields:
        return {}
    kinds: Counter[str] = Counter()
    for row in rows:
        kinds.update(row["objections_by_kind"])
    values = {
        "last_call": _local(max(r["started"] for r in rows), zone).date().isoformat(),
        "objections": _kinds(dict(kinds.most_common(_TOP_OBJECTIONS))),
        "competitors": ", ".join(sorted({c for r in rows for c in r["competitors"]})),
    }
    return {name: values[insight][:_TEXT_FIELD] or None for insight, name in fields.items()}


def _kinds(counts: dict[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{kind.replace('_', ' ')} ({n})" for kind, n in ordered)


def _local(when: datetime, zone: ZoneInfo) -> datetime:
    # SQLite hands back the UTC time it stored without its zone.
    return (when if when.tzinfo else when.replace(tzinfo=ZoneInfo("UTC"))).astimezone(zone)


def _is_id(value: str | None, prefix: str) -> bool:
    return value is not None and bool(_ID.match(value)) and value.startswith(prefix)
