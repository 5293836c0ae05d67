"""A built call as Gong's JSON: timings, parties, CRM context, Gong's analysis."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .ctx import person_for
from .ids import gong_id, iso, phrase_in
from .model import Account, Built, Marked, Plan
from .story import S


@dataclass
class Timed:
    """A monologue with millisecond timings, plus the marks that point into it."""

    who: str
    speaker_id: str
    topic: str | None
    sentences: list[dict[str, Any]]
    marks: dict[int, Marked]


def speaker_id_for(call_id: str, acct: Account, role: str) -> str:
    key = S.dialin if role == S.dialin else person_for(acct, role).key
    return gong_id("speaker", call_id, key)


def time_call(built: Built, rng: random.Random) -> list[Timed]:
    t = rng.randint(4_000, 30_000)  # people are still joining when the recording starts
    timed: list[Timed] = []
    for n, turn in enumerate(built.turns):
        if n:
            t += rng.randint(250, 1_300) if rng.random() > 0.06 else rng.randint(2_000, 5_000)
        sentences: list[dict[str, Any]] = []
        for i, text in enumerate(turn.sentences):
            if i:
                t += rng.randint(120, 650)
            words = len(text.split())
            duration = int(words * rng.uniform(350, 440)) + rng.randint(150, 350)  # ~150 wpm
            sentences.append({"start": t, "end": t + duration, "text": text})
            t += duration
        topic = turn.topic
        if sum(len(s["text"].split()) for s in sentences) <= 3 and rng.random() < 0.5:
            topic = None
        speaker = speaker_id_for(built.call_id, built.acct, turn.who)
        timed.append(Timed(turn.who, speaker, topic, sentences, turn.marks))
    return timed


def started_at(plan: Plan, rng: random.Random) -> tuple[datetime, datetime]:
    day = S.anchor - timedelta(days=plan.days_before)
    scheduled = datetime(
        day.year, day.month, day.day, plan.hour, rng.choice((0, 0, 30)), tzinfo=UTC
    )
    return scheduled, scheduled + timedelta(seconds=rng.randint(15, 240))


def parties_for(built: Built, spoken: set[str]) -> list[dict[str, Any]]:
    plan, acct = built.plan, built.acct
    parties = []
    for role in (*plan.attendees, *plan.silent):
        p = person_for(acct, role)
        party: dict[str, Any] = {"id": gong_id("party", built.call_id, p.key)}
        if role not in plan.nameless:
            party["name"] = p.name
        party["emailAddress"] = p.email
        party["title"] = p.title
        if p.internal:
            party["userId"] = gong_id("user", p.key)
        if role in spoken:
            party["speakerId"] = speaker_id_for(built.call_id, acct, role)
        party["affiliation"] = "Internal" if p.internal else "External"
        party["methods"] = ["Invitee", "Attendee"] if role in spoken else ["Invitee"]
        parties.append(party)
    return parties


def _crm_object(kind: str, object_id: str, fields: Mapping[str, object]) -> dict[str, Any]:
    """One Salesforce object of a call's context, as Gong lists it (fields as of "Now")."""
    listed = [{"name": name, "value": value} for name, value in fields.items()]
    return {"objectType": kind, "objectId": object_id, "timing": "Now", "fields": listed}


def context_for(acct: Account) -> list[dict[str, Any]]:
    account = {"Name": acct.name, "Industry": acct.industry, "Website": acct.domain}
    objects = [_crm_object("Account", acct.account_id, account)]
    for opp in acct.opps:
        fields = {
            "Name": opp.name,
            "StageName": opp.stage,
            "Amount": opp.amount,
            "CloseDate": opp.close,
            "Probability": opp.probability,
        }
        objects.append(_crm_object("Opportunity", opp.object_id, fields))
    return [{"system": "Salesforce", "objects": objects}]


def content_for(built: Built, timed: list[Timed]) -> dict[str, Any]:
    plan, acct = built.plan, built.acct
    externals = [
        acct.contacts[r].name for r in plan.attendees if r in acct.contacts and r not in plan.silent
    ]
    rep = S.staff[acct.rep].name
    points = list(dict.fromkeys(built.key_points))
    names = (
        ", ".join(externals[:-1]) + " and " + externals[-1] if len(externals) > 1 else externals[0]
    )
    brief = f"{rep} of Northbeam held a {S.kind_label[plan.kind]} with {names} of {acct.name}. " + (
        " ".join(points[:2])
    )
    topics: dict[str, float] = {}
    for m in timed:
        if m.topic:
            span = (m.sentences[-1]["end"] - m.sentences[0]["start"]) / 1000
            topics[m.topic] = topics.get(m.topic, 0.0) + span
    trackers = []
    for name, phrases, case_sensitive in S.trackers:
        found: dict[str, list[dict[str, Any]]] = {}
        for m in timed:
            for s in m.sentences:
                for phrase in phrases:
                    if phrase_in(phrase, s["text"], case_sensitive):
                        occurrence = {"startTime": s["start"] / 1000, "speakerId": m.speaker_id}
                        found.setdefault(phrase, []).append(occurrence)
        every = sorted((o for occ in found.values() for o in occ), key=lambda o: o["startTime"])
        trackers.append(
            {
                "id": gong_id("tracker", name),
                "name": name,
                "count": len(every),
                "type": "KEYWORD",
                "occurrences": every,
                "phrases": [
                    {"phrase": p, "count": len(found[p]), "occurrences": found[p]}
                    for p in phrases
                    if p in found
                ],
            }
        )
    return {
        "brief": brief,
        "keyPoints": [{"text": p} for p in points[:5]],
        "topics": [
            {"name": k, "duration": round(v)}
            for k, v in sorted(topics.items(), key=lambda kv: -kv[1])
        ],
        "trackers": trackers,
    }


def interaction_for(timed: list[Timed], parties: list[dict[str, Any]]) -> dict[str, Any]:
    by_speaker = {p["speakerId"]: p for p in parties if "speakerId" in p}
    talk: dict[str, float] = {}
    asked = {"companyCount": 0, "nonCompanyCount": 0}
    for m in timed:
        party = by_speaker.get(m.speaker_id)
        internal = party is not None and party["affiliation"] == "Internal"
        for s in m.sentences:
            if party is not None:
                talk[party["id"]] = talk.get(party["id"], 0) + (s["end"] - s["start"]) / 1000
            if s["text"].endswith("?"):
                asked["companyCount" if internal else "nonCompanyCount"] += 1
    speakers = [
        {"id": p["id"], "userId": p.get("userId"), "talkTime": round(talk[p["id"]])}
        for p in parties
        if p["id"] in talk
    ]
    return {"speakers": speakers, "questions": asked}


def call_json(
    built: Built, timed: list[Timed], rng: random.Random, analysed: bool
) -> dict[str, Any]:
    plan, acct = built.plan, built.acct
    scheduled, started = started_at(plan, rng)
    spoken = {m.who for m in timed}
    parties = parties_for(built, spoken)
    last_end = timed[-1].sentences[-1]["end"]
    title = rng.choice(S.titles[plan.kind]).format(acct=acct.name)
    call: dict[str, Any] = {
        "metaData": {
            "id": built.call_id,
            "url": f"https://app.gong.io/call?id={built.call_id}",
            "title": title,
            "scheduled": iso(scheduled),
            "started": iso(started),
            "duration": math.ceil(last_end / 1000) + rng.randint(8, 90),
            "primaryUserId": gong_id("user", acct.rep),
            "direction": "Conference",
            "system": rng.choice(("Zoom", "Zoom", "Zoom", "Google Meet", "Microsoft Teams")),
            "scope": "External",
            "media": "Video",
            "language": "eng",
            "purpose": None,
        }
    }
    if not plan.no_context:
        call["context"] = context_for(acct)
    call["parties"] = parties
    if analysed:
        call["content"] = content_for(built, timed)
        call["interaction"] = interaction_for(timed, parties)
    return call


def transcript_json(built: Built, timed: list[Timed]) -> dict[str, Any]:
    return {
        "callId": built.call_id,
        "transcript": [
            {"speakerId": m.speaker_id, "topic": m.topic, "sentences": m.sentences} for m in timed
        ],
    }
