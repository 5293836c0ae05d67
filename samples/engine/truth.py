"""expected.json: the ground truth tests assert against, from the same turns."""

from __future__ import annotations

from typing import Any

from .gong_json import Timed, speaker_id_for
from .ids import phrase_in
from .model import Built
from .story import S


def display_name(call: dict[str, Any], speaker_id: str) -> str:
    """The label the loader will show: name, else email, else unknown (see gong/parsing.py)."""
    for party in call["parties"]:
        if party.get("speakerId") == speaker_id:
            return str(party.get("name") or party.get("emailAddress"))
    return "Unknown speaker"


def expected_json(
    built: list[Built], calls: list[dict[str, Any]], timed_by_call: dict[str, list[Timed]]
) -> dict[str, Any]:
    call_by_id = {c["metaData"]["id"]: c for c in calls}
    mentions, objections, pii, not_pii = [], [], [], []
    injection: dict[str, Any] = {}
    blockers: dict[str, tuple[str, str]] = {}
    for b in built:
        call = call_by_id[b.call_id]
        for m in timed_by_call[b.call_id]:
            for s in m.sentences:
                for name in S.competitors:
                    if phrase_in(name, s["text"], True):
                        mentions.append(
                            {
                                "competitor": name,
                                "account": b.acct.name,
                                "call_id": b.call_id,
                                "start_ms": s["start"],
                                "text": s["text"],
                            }
                        )
            for i, mark in sorted(m.marks.items()):
                s = m.sentences[i]
                if mark.kind == "objection":
                    objections.append(
                        {
                            "account": b.acct.name,
                            "call_id": b.call_id,
                            "speaker": display_name(call, m.speaker_id),
                            "start_ms": s["start"],
                            "text": s["text"],
                            "kind": mark.detail,
                        }
                    )
                elif mark.kind == "pii":
                    pii.append(
                        {
                            "kind": mark.detail,
                            "value": mark.value,
                            "call_id": b.call_id,
                            "start_ms": s["start"],
                        }
                    )
                elif mark.kind == "not_pii":
                    not_pii.append(
                        {
                            "kind": mark.detail,
                            "value": mark.value,
                            "call_id": b.call_id,
                            "start_ms": s["start"],
                        }
                    )
                elif mark.kind == "injection":
                    injection = {"call_id": b.call_id, "text": s["text"], "start_ms": s["start"]}
                elif mark.kind == "blocker":
                    blockers[b.acct.name] = (b.call_id, s["text"])
    stalled = []
    for name, (call_id, text) in sorted(blockers.items()):
        acct = S.accounts[name]
        stalled.append(
            {
                "account": name,
                "opportunity_id": acct.opp.object_id,
                "name": acct.opp.name,
                "stage": acct.opp.stage,
                "last_call_date": call_by_id[call_id]["metaData"]["started"][:10],
                "call_id": call_id,
                "blocker": text,
            }
        )
    unknown = [
        {"call_id": b.call_id, "speaker_id": speaker_id_for(b.call_id, b.acct, S.dialin)}
        for b in built
        if "dialin" in b.plan.specials
    ]
    return {
        "anchor": S.anchor.isoformat(),
        "accounts": list(S.accounts),
        "competitors": list(S.competitors),
        "competitor_mentions": mentions,
        "pricing_objections": objections,
        "stalled_opportunities": stalled,
        "pii": pii,
        "not_pii": not_pii,
        "prompt_injection": injection,
        "successful_pricing_calls": [b.call_id for b in built if b.plan.outcome == "success"],
        "calls": [
            {
                "call_id": b.call_id,
                "account": b.acct.name,
                "type": b.plan.kind,
                "started": call_by_id[b.call_id]["metaData"]["started"],
                "title": call_by_id[b.call_id]["metaData"]["title"],
                "has_context": "context" in call_by_id[b.call_id],
                "has_content": "content" in call_by_id[b.call_id],
            }
            for b in built
        ],
        # Beyond the brief's fields: the loader's fallbacks, so tests can assert them too.
        "calls_without_context": [
            {"call_id": b.call_id, "fallback_account": b.acct.domain}
            for b in built
            if b.plan.no_context
        ],
        "nameless_parties": [
            {"call_id": b.call_id, "email": b.acct.contacts[r].email}
            for b in built
            for r in b.plan.nameless
        ],
        "unknown_speakers": unknown,
    }
