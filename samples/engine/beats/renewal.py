"""The core of a renewal: usage, feedback and terms, plus the longer optional exchanges."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_renew_qa(c: Ctx) -> None:
    c.topic = "Renewal"
    for qa in c.choose(S.renew_qa, 2):
        who = c.rng.choice(c.customers)
        c.say(who, qa[0])
        c.say("rep", qa[1])
        if c.rng.random() < 0.5:
            c.say(who, c.pick(S.price_qa_acks))
