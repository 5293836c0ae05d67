"""The self-check: re-read what was written and check the corpus keeps its promises."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .ctx import is_long
from .ids import luhn_ok, phrase_in, sentence_key
from .story import S


class CorpusError(Exception):
    """The written corpus breaks one of its promises."""


def require(condition: object, message: object) -> None:
    # Not `assert`: the checks must still run under `python -O`.
    if not condition:
        raise CorpusError(str(message))


def people_of(account: str) -> set[str]:
    """Every way a call may name someone of this account: full, first, nick and last names."""
    names = set(S.other_people.get(account, ()))
    for p in S.accounts[account].contacts.values():
        names |= {p.name, p.first, p.name.split()[0], p.name.split()[-1]}
    return {n for n in names if not any(n in a for a in S.accounts)}  # not "O'Hara" of O'Hara


def name_leaks(account: str, text: str) -> list[str]:
    """Contacts of other accounts named in a sentence of this account's call."""
    ours = people_of(account) | {part for p in S.staff.values() for part in p.name.split()}
    return [
        f"{name} ({other})"
        for other in S.accounts
        if other != account
        for name in sorted(people_of(other) - ours)
        if re.search(rf"(?<![\w']){re.escape(name)}(?![\w'])", text)
    ]


def repetitions(
    transcripts: list[dict[str, Any]], calls: list[dict[str, Any]], account_of: dict[str, str]
) -> dict[str, list[tuple[str, list[str], set[str]]]]:
    """Long sentences said in too many calls, or in calls of different accounts."""
    se_speakers = {
        p["speakerId"]
        for c in calls
        for p in c["parties"]
        if "speakerId" in p and p.get("emailAddress") == S.staff[S.se_key].email
    }
    where: dict[str, dict[str, str]] = {}  # sentence_key -> {call id: a sentence as said}
    speakers: dict[str, set[str]] = {}
    for t in transcripts:
        for mono in t["transcript"]:
            for s in mono["sentences"]:
                if is_long(s["text"]):
                    key = sentence_key(s["text"])
                    where.setdefault(key, {})[t["callId"]] = s["text"]
                    speakers.setdefault(key, set()).add(
                        "se" if mono["speakerId"] in se_speakers else mono["speakerId"]
                    )
    found: dict[str, list[tuple[str, list[str], set[str]]]] = {
        "more_than_2_calls": [],
        "across_accounts": [],
        "se_stock_phrases": [],
    }
    for key, said in where.items():
        text = next(iter(said.values()))
        accounts = {account_of[call] for call in said}
        row = (text, sorted(said), accounts)
        if len(accounts) > 1:
            stock = speakers[key] == {"se"} and len(text.split()) <= S.se_stock_words
            found["se_stock_phrases" if stock else "across_accounts"].append(row)
        if len(said) > S.max_calls_per_sentence and not (
            speakers[key] == {"se"} and len(text.split()) <= S.se_stock_words
        ):
            found["more_than_2_calls"].append(row)
    return found


def self_check(out: Path) -> dict[str, Any]:
    """Re-read what was written and check the corpus keeps its promises."""
    calls = json.loads((out / "calls.json").read_text())
    transcripts = json.loads((out / "transcripts.json").read_text())
    expected = json.loads((out / "expected.json").read_text())
    folder = json.loads((out / "folder.json").read_text())
    require(folder == {"dates_relative_to": S.anchor.isoformat()}, "folder.json names the anchor")

    # Ids: 19-digit numeric strings, unique, and the two files describe the same calls.
    digits19 = re.compile(r"^[1-9]\d{18}$")
    ids: list[str] = []
    for call in calls:
        ids.append(call["metaData"]["id"])
        require(digits19.match(call["metaData"]["primaryUserId"]), call["metaData"])
        for party in call["parties"]:
            ids.append(party["id"])
            for key in ("userId", "speakerId"):
                require(key not in party or digits19.match(party[key]), party)
    require(all(isinstance(i, str) and digits19.match(i) for i in ids), "ids are 19 digits")
    require(len(ids) == len(set(ids)), "call and party ids are unique")
    call_ids = [c["metaData"]["id"] for c in calls]
    require(sorted(call_ids) == sorted(t["callId"] for t in transcripts), "calls match transcripts")

    # Transcripts: alternating speakers, increasing times, plausible pace and length.
    by_id = {c["metaData"]["id"]: c for c in calls}
    texts: dict[str, list[tuple[int, str, str]]] = {}
    unknown: set[tuple[str, str]] = set()
    words_total = sentences_total = speech_ms = 0
    for t in transcripts:
        call = by_id[t["callId"]]
        title = call["metaData"]["title"]
        party_by_speaker = {p["speakerId"]: p for p in call["parties"] if "speakerId" in p}
        last_end, prev_speaker, words = -1, None, 0
        for mono in t["transcript"]:
            speaker = mono["speakerId"]
            require(speaker != prev_speaker, f"{title}: one speaker in consecutive monologues")
            prev_speaker = speaker
            party = party_by_speaker.get(speaker)
            if party is None:
                unknown.add((t["callId"], speaker))
            for s in mono["sentences"]:
                require(isinstance(s["start"], int), s)
                require(isinstance(s["end"], int), s)
                require(last_end < s["start"] < s["end"], f"{title}: times must increase")
                last_end = s["end"]
                words += len(s["text"].split())
                speech_ms += s["end"] - s["start"]
                sentences_total += 1
                texts.setdefault(t["callId"], []).append((s["start"], s["text"], speaker))
                if party is not None and party.get("name"):
                    own = re.search(rf"\b{party['name'].split()[0]}\b", s["text"])
                    require(not own, f"{party['name']} names themselves: {s['text']}")
        require(call["metaData"]["duration"] * 1000 >= last_end, f"{title}: duration too short")
        require(900 <= words <= 1600, f"{title}: {words} words")
        require(50 <= len(t["transcript"]) <= 90, f"{title}: {len(t['transcript'])} monologues")
        words_total += words
        spoken = {m["speakerId"] for m in t["transcript"]}
        for party in call["parties"]:
            require(("speakerId" in party) == (party.get("speakerId") in spoken), party)
    wpm = words_total / (speech_ms / 60_000)
    require(135 <= wpm <= 170, f"speech pace {wpm:.0f} words per minute")
    require(len(unknown) == 1, f"exactly one deliberate unknown speaker, got {unknown}")
    found_unknown = [{"call_id": c, "speaker_id": s} for c, s in unknown]
    require(found_unknown == expected["unknown_speakers"], "unknown speaker listed")
    silent = [p for c in calls for p in c["parties"] if "speakerId" not in p]
    require(silent, "some parties never speak")
    nameless = [p for c in calls for p in c["parties"] if "name" not in p]
    require(1 <= len(nameless) <= 2, "one or two parties known only by email")
    require(all(p.get("emailAddress") for p in nameless), "nameless parties have an email")

    # CRM context: one open opportunity per account, the same object on every call.
    without = [c for c in calls if "context" not in c]
    require(1 <= len(without) <= 2, "one or two calls without CRM context")
    for e in expected["calls"]:
        call = by_id[e["call_id"]]
        if "context" not in call:
            require(e["account"] not in ("Moss & Co", "Olympus"), e)
            continue
        objects = call["context"][0]["objects"]
        opps = {o["objectId"] for o in objects if o["objectType"] == "Opportunity"}
        require(opps == {o.object_id for o in S.accounts[e["account"]].opps}, e)
    for acct in S.accounts.values():
        require(acct.opp.is_open, f"{acct.name} has an open opportunity")
    require(sum(a.renewal is not None for a in S.accounts.values()) <= 1, "at most one renewal")

    # Ground truth: every text is verbatim in its call, at its time.
    def occurs(call_id: str, text: str, start: int | None = None) -> bool:
        return any(t == text and (start is None or s == start) for s, t, _ in texts[call_id])

    for m in expected["competitor_mentions"]:
        require(m["competitor"] in m["text"], m)
        require(occurs(m["call_id"], m["text"], m["start_ms"]), m)
    counted = sum(
        1
        for entries in texts.values()
        for _, text, _ in entries
        for name in S.competitors
        if phrase_in(name, text, True)
    )
    require(counted == len(expected["competitor_mentions"]), "every competitor mention counted")
    require({m["competitor"] for m in expected["competitor_mentions"]} == set(S.competitors), "all")
    for o in expected["pricing_objections"]:
        require(occurs(o["call_id"], o["text"], o["start_ms"]), o)
    moss = {o["text"] for o in expected["pricing_objections"] if o["account"] == "Moss & Co"}
    require(len(moss) >= 5, "Moss & Co raises several distinct pricing objections")
    for p in expected["pii"] + expected["not_pii"]:
        require(any(p["value"] in text for _, text, _ in texts[p["call_id"]]), p)
    cards = [p["value"] for p in expected["pii"] if p["kind"] == "card"]
    require(cards, "a card is planted")
    require(all(luhn_ok(v) for v in cards), "the planted card passes Luhn")
    require(expected["not_pii"], "a 16-digit non-card number is planted")
    for p in expected["not_pii"]:
        require(not luhn_ok(p["value"]), "the order number fails Luhn")
        require(len(re.sub(r"\D", "", p["value"])) == 16, "the order number has 16 digits")
    kinds = Counter(p["kind"] for p in expected["pii"])
    require(kinds["phone"] >= 3, "three phone numbers")
    require(kinds["email"] >= 2, "two email addresses")
    require(kinds["ssn"] >= 1, "an SSN")
    inj = expected["prompt_injection"]
    require(occurs(inj["call_id"], inj["text"], inj["start_ms"]), inj)
    for s in expected["stalled_opportunities"]:
        require(occurs(s["call_id"], s["blocker"]), s)
    kinds_by_call = {e["call_id"]: e["type"] for e in expected["calls"]}
    for call_id in expected["successful_pricing_calls"]:
        require(kinds_by_call[call_id] in ("pricing", "renewal"), call_id)
    require(2 <= len(expected["successful_pricing_calls"]) <= 3, "two or three coaching calls")

    # Gong's analysis: on about half the calls, trackers pointing at real sentences.
    for call in calls:
        for tracker in call.get("content", {}).get("trackers", []):
            total = sum(p["count"] for p in tracker["phrases"])
            require(tracker["count"] == total == len(tracker["occurrences"]), tracker["name"])
            for phrase in tracker["phrases"]:
                for occ in phrase["occurrences"]:
                    start = round(occ["startTime"] * 1000)
                    hit = any(
                        s == start
                        and phrase["phrase"].lower() in t.lower()
                        and sp == occ["speakerId"]
                        for s, t, sp in texts[call["metaData"]["id"]]
                    )
                    require(hit, (call["metaData"]["title"], phrase["phrase"], start))
    analysed = sum("content" in c for c in calls)
    require(0.4 <= analysed / len(calls) <= 0.6, f"{analysed} calls carry Gong's analysis")

    # Dates: weekdays before the anchor, within retention; two stalled deals, the rest recent.
    anchor = datetime(S.anchor.year, S.anchor.month, S.anchor.day, tzinfo=UTC)
    last_call: dict[str, datetime] = {}
    recent = 0
    for e in expected["calls"]:
        started = datetime.fromisoformat(e["started"].replace("Z", "+00:00"))
        age = (anchor - started).days + 1
        require(started < anchor, e)
        require(1 <= age <= S.max_age_days, e)
        require(started.weekday() < 5, e)
        recent += age <= 7
        last_call[e["account"]] = max(last_call.get(e["account"], started), started)
    require(recent >= 6, f"only {recent} calls in the week before the anchor")
    stalled_accounts = {s["account"] for s in expected["stalled_opportunities"]}
    require(len(stalled_accounts) == 2, "exactly two stalled opportunities")
    for account, started in last_call.items():
        age = (anchor - started).days + 1
        if account in stalled_accounts:
            require(35 <= age <= 60, (account, age))
        else:
            require(age <= 21, (account, age))
    per_account = Counter(e["account"] for e in expected["calls"])
    require(per_account["Moss & Co"] >= 5, "Moss & Co has five calls or more")
    require(per_account["Olympus"] >= 5, "Olympus has five calls or more")
    size = sum((out / f).stat().st_size for f in ("calls.json", "transcripts.json"))
    require(size <= S.max_corpus_bytes, f"corpus is {size} bytes")

    # People: everyone named in a call belongs to its account, or to Northbeam.
    account_of = {e["call_id"]: e["account"] for e in expected["calls"]}
    leaks = [
        (account_of[call_id], leak, text)
        for call_id, entries in texts.items()
        for _, text, _ in entries
        for leak in name_leaks(account_of[call_id], text)
    ]
    require(not leaks, f"{len(leaks)} sentences name another account's people: {leaks[:5]}")

    # Repetition: no long sentence in more than two calls, or in calls of two accounts.
    reps = repetitions(transcripts, calls, account_of)
    for rule in ("more_than_2_calls", "across_accounts"):
        rows = reps[rule]
        require(not rows, f"{len(rows)} long sentences {rule.replace('_', ' ')}: {rows[:5]}")
    stock = reps["se_stock_phrases"]
    require(len(stock) <= S.se_stock_max, f"{len(stock)} stock phrases of the SE: {stock}")
    return {
        "calls": len(calls),
        "words": words_total,
        "sentences": sentences_total,
        "words_per_minute": round(wpm),
        "per_account": dict(per_account),
        "long_sentences_repeated": {k: len(v) for k, v in reps.items()},
        "name_leaks": len(leaks),
        "sizes": {f: (out / f).stat().st_size for f in sorted(p.name for p in out.glob("*.json"))},
    }
