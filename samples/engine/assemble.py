"""Assembling a call: which beats run, in what order, until it is long enough."""

from __future__ import annotations

import random
from collections import Counter

from .beats import beat_named, beats_named, by_round
from .beats.pricing import b_price_timeline, objection_beat
from .ctx import SAID, Beat, Ctx, is_long
from .ids import sentence_key
from .model import Built, Plan, Turn, call_id_for
from .story import S


def build_turns(
    plan: Plan, rng: random.Random, met: set[str], seen: set[str], round_: int
) -> Built:
    acct = S.accounts[plan.account]
    c = Ctx(acct, plan, rng, met, seen, round_)

    def run(beat: Beat) -> list[Turn]:
        c.buf = []
        c.used.add(f"beat:{beat.__name__}")
        beat(c)
        return c.buf

    head = [run(b) for b in beats_named(S.head)]
    core = by_round(S.core, plan.kind, round_)
    body = [run(b) for b in beats_named(core)]
    if plan.outcome != "success":
        at = 1 if plan.kind != "renewal" else len(body)
        for obj in reversed(plan.objections):
            body.insert(at, run(objection_beat(obj)))
    late: list[list[Turn]] = []
    for name in plan.specials:
        special = S.specials[name]
        if special["where"] == "mid":
            body.insert(max(1, len(body) // 2), run(beat_named(special["beat"])))
        else:
            late.append(run(beat_named(special["beat"])))

    ending = (S.success[plan.account],) if plan.outcome == "success" else S.endings[plan.outcome]
    tail = [run(b) for b in beats_named(ending)]
    if plan.outcome == "success":
        # The success script settles the price; the planted asides come after the handshake.
        tail, late = tail + late, []
    tail.append(run(beat_named(S.closing)))

    def words() -> int:
        return sum(t.words for seg in (*head, *body, *late, *tail) for t in seg)

    def turns() -> int:
        return len(_merge([t for seg in (*head, *body, *late, *tail) for t in seg]))

    floor = min(len(body), by_round(S.opening, plan.kind, round_) + len(plan.objections))
    closing_exchange = plan.outcome == "success"
    if plan.kind == "renewal" and closing_exchange:
        floor = 0  # the renewal terms lead straight into the success script, so fill before them
    if plan.kind == "pricing" and closing_exchange:
        # This round's own exchange leads straight into the deal, so it goes last.
        body.append(body.pop(1))
        floor = 1
    pool = beats_named(S.optional[plan.kind])
    if round_ > 0:
        pool += beats_named(S.optional_later.get(plan.kind, ()))
    optional = [
        b
        for b in pool
        # A deal about to reveal a freeze does not first agree the timeline is doable.
        if not (plan.outcome == "stalled" and b is b_price_timeline)
    ]
    rng.shuffle(optional)
    # Beats this account has not had yet go last, so they are popped first.
    optional.sort(key=lambda b: f"beat:{b.__name__}" not in seen)
    # Renewals share one pool of topics across three calls, so each takes a little less of it.
    target = rng.randint(1000, 1200) if plan.kind == "renewal" else rng.randint(1050, 1350)
    kept = Counter(core)

    def fill(beats: list[Beat], goal: int, replay: bool) -> None:
        """Run beats until the call is long enough; a beat that would break the repetition rule
        is dropped, and so, unless `replay`, is one that would repeat an exchange an earlier call
        of this account already had."""
        while beats and (words() < goal or turns() < 50):
            beat = beats.pop()
            if kept[beat.__name__] >= S.repeat_cap.get(beat.__name__, 1):
                continue
            points = len(c.key_points)
            segment = run(beat)
            said = [s for t in segment for s in t.sentences]
            too_long = words() + sum(t.words for t in segment) > 1550 or turns() + len(segment) > 84
            breaks_rule = any(c.clash(s) for s in said)
            replays = sum(c.clash(s, strict=True) for s in said) > 1
            if too_long or breaks_rule or (replays and not replay) or not segment:
                del c.key_points[
                    points:
                ]  # the beat is dropped, so is what it would have summarized
                continue
            kept[beat.__name__] += 1
            ceiling = len(body) - 1 if closing_exchange else len(body)
            body.insert(rng.randint(floor, ceiling), segment)

    fill(optional, target, replay=False)
    # Question rounds draw fresh questions each time, so they can top up a call that the other
    # optional beats left short; failing that, an account may revisit a topic of an earlier call.
    spare = [b for b in pool if b.__name__ in S.repeatable] * 3
    rng.shuffle(spare)
    if words() < S.min_words:
        fill(spare, S.min_words + 40, replay=False)
    if words() < S.min_words:
        # Nobody gives the same speech twice.
        again = [b for b in pool if b.__name__ not in S.monologues]
        rng.shuffle(again)
        fill(again, S.min_words + 40, replay=True)

    flat = [t for seg in (*head, *body, *late, *tail) for t in seg]
    seen.update(c.used)
    for turn in flat:
        for sentence in turn.sentences:
            if is_long(sentence):
                SAID.setdefault(sentence_key(sentence), {})[c.call_id] = acct.name
    turns_out = _merge(_backchannel(flat, rng))
    if len(turns_out) > 88:  # no room for a listener's "Mm-hmm." in a call this busy
        turns_out = _merge(flat)
    return Built(plan, acct, call_id_for(plan), turns_out, c.key_points)


def _backchannel(turns: list[Turn], rng: random.Random) -> list[Turn]:
    """Break up some long turns with a listener's "Mm-hmm.", as live transcripts do."""
    out: list[Turn] = []
    for turn in turns:
        n = len(turn.sentences)
        if turn.solid or n < 4 or rng.random() > 0.45 or not out:
            out.append(turn)
            continue
        listener = next((t.who for t in reversed(out) if t.who != turn.who), None)
        if listener is None:
            out.append(turn)
            continue
        cut = rng.randint(2, n - 2)
        first = Turn(turn.who, turn.sentences[:cut], turn.topic, {}, False)
        second = Turn(turn.who, turn.sentences[cut:], turn.topic, {}, False)
        for i, mark in turn.marks.items():
            (first.marks if i < cut else second.marks)[i if i < cut else i - cut] = mark
        out += [first, Turn(listener, [rng.choice(S.backchannels)], turn.topic), second]
    return out


def _merge(turns: list[Turn]) -> list[Turn]:
    """One monologue per run of a speaker: beats may end and begin with the same person."""
    merged: list[Turn] = []
    for turn in turns:
        if merged and merged[-1].who == turn.who:
            last = merged[-1]
            offset = len(last.sentences)
            last.sentences = last.sentences + turn.sentences
            last.marks = {**last.marks, **{offset + i: m for i, m in turn.marks.items()}}
            last.solid = last.solid or turn.solid
        else:
            merged.append(
                Turn(turn.who, list(turn.sentences), turn.topic, dict(turn.marks), turn.solid)
            )
    return merged
