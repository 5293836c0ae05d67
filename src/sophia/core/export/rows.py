"""A call's row of the call-insights table, from what call analysis finds in it, and the
account-week rows summed from those. Nothing here reads a database."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

from sophia.core.insights.call_analysis import (
    competitor_sentences,
    next_step_sentences,
    objection_candidates,
    questions,
)
from sophia.core.insights.competitor_catalog import Competitor, named_in
from sophia.core.insights.cues import sentiment
from sophia.core.insights.objection_kinds import objection_kind
from sophia.core.insights.spoken import spoken_sentences, talk_time_ms
from sophia.core.models import Affiliation, Call
from sophia.core.query import account_key

__all__ = ["CallInsight", "account_weeks", "call_insight"]


@dataclass(frozen=True)
class CallInsight:
    """One call's row (`call`), its objections and its competitors' mention counts."""

    call: dict[str, Any]
    objections: list[dict[str, Any]] = field(default_factory=list)
    competitors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def call_id(self) -> str:
        return str(self.call["call_id"])


def call_insight(
    call: Call, catalog: Sequence[Competitor], restricted: frozenset[str], zone: ZoneInfo
) -> CallInsight:
    """The row of `call`; `restricted` holds the account keys the access policy restricts."""
    details = call.details
    sentences = spoken_sentences(call)
    talk = talk_time_ms(sentences)
    spoken = talk[Affiliation.INTERNAL] + talk[Affiliation.EXTERNAL]
    objections = [
        {
            "position": n,
            "kind": objection_kind(c.sentence.text, catalog),
            "speaker": c.sentence.speaker,
            "start_ms": c.sentence.start_ms,
            "text": c.sentence.text,
        }
        for n, c in enumerate(objection_candidates(sentences))
    ]
    named: Counter[str] = Counter(
        c.name for s in competitor_sentences(sentences, catalog) for c in named_in(s.text, catalog)
    )
    customer = [s.text for s in sentences if s.is_customer]
    key = account_key(details.account) if details.account else None
    opportunity = details.opportunities[0] if details.opportunities else None
    started = details.started.astimezone(zone)
    row: dict[str, Any] = {
        "call_id": call.call_id,
        "account": details.account,
        "account_key": key,
        "restricted": key in restricted,
        "opportunity_id": opportunity.opportunity_id if opportunity else None,
        "opportunity_name": opportunity.name if opportunity else None,
        "opportunity_stage": opportunity.stage if opportunity else None,
        "title": details.title,
        "url": details.url,
        "started": details.started,
        "week": started.date() - timedelta(days=started.weekday()),
        "duration_s": details.duration_s,
        "talk_ratio_ours": round(talk[Affiliation.INTERNAL] / spoken, 4) if spoken else None,
        "talk_ratio_customer": round(talk[Affiliation.EXTERNAL] / spoken, 4) if spoken else None,
        "objection_count": len(objections),
        "objections_by_kind": dict(sorted(Counter(o["kind"] for o in objections).items())),
        "competitors": sorted(named),
        "competitor_mentions": sum(named.values()),
        "next_steps": [s.text for s in next_step_sentences(sentences)],
        "customer_questions": [s.text for s in questions(sentences, customer=True)],
        "our_question_count": len(questions(sentences, customer=False)),
        "customer_sentiment": round(fmean(map(sentiment, customer)), 4) if customer else None,
    }
    competitors = [{"competitor": name, "mentions": n} for name, n in sorted(named.items())]
    row["fingerprint"] = _fingerprint(row, objections, competitors)
    return CallInsight(row, objections, competitors)


def account_weeks(insights: Iterable[CallInsight]) -> list[dict[str, Any]]:
    """One row per account and week, summed from the calls' rows (calls with no account
    are left out: there is nobody to sum them for)."""
    groups: dict[tuple[str, date], list[CallInsight]] = defaultdict(list)
    for insight in insights:
        if insight.call["account_key"]:
            groups[(insight.call["account_key"], insight.call["week"])].append(insight)
    rows = []
    for (key, week), members in sorted(groups.items()):
        calls = [m.call for m in members]
        ratios = [c["talk_ratio_ours"] for c in calls if c["talk_ratio_ours"] is not None]
        kinds: Counter[str] = Counter()
        named: Counter[str] = Counter()
        for member in members:
            kinds.update(o["kind"] for o in member.objections)
            named.update({c["competitor"]: c["mentions"] for c in member.competitors})
        latest = max(calls, key=lambda c: c["started"])
        rows.append(
            {
                "account_key": key,
                "week": week,
                "account": latest["account"],
                "restricted": latest["restricted"],
                "calls": len(calls),
                "duration_s": sum(c["duration_s"] for c in calls),
                "talk_ratio_ours": round(fmean(ratios), 4) if ratios else None,
                "objection_count": sum(c["objection_count"] for c in calls),
                "objections_by_kind": dict(sorted(kinds.items())),
                "competitor_mentions": dict(sorted(named.items())),
                "next_step_count": sum(len(c["next_steps"]) for c in calls),
                "last_call": latest["started"],
            }
        )
    return rows


def _fingerprint(row: dict[str, Any], *children: list[dict[str, Any]]) -> str:
    """A hash of everything in the row: an unchanged call is not written again."""
    text = json.dumps([row, *children], sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)
