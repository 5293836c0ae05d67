"""The core of a renewal: usage, feedback and terms, plus the longer optional exchanges."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_renew_usage(c: Ctx) -> None:
    c.topic = "Usage Review"
    c.say(
        "rep",
        "So I pulled the usage numbers before the call.",
        "Forty-one of your {seats} licensed users log in at least once a week, and your managers "
        "are in the inspection view almost every Monday.",
        "Forecast accuracy at week six of the quarter went from about fourteen percent off to "
        "about four percent off since you went live.",
        "The one area that's lagging is the mobile app, only about a third of the reps have "
        "installed it.",
        solid=c.round == 0,
    )
    who = c.cust("ops", "sales")
    c.say(
        who,
        c.pick(
            (
                "That matches what I see, the managers are all in.",
                "Yeah, the accuracy number is the one I show everyone internally.",
            )
        ),
        "The reps, some of them still need a push.",
    )
    c.point("Usage review: 41 of {seats} users weekly; accuracy improved from 14% to 4% off.")


def b_renew_qa(c: Ctx) -> None:
    c.topic = "Renewal"
    for qa in c.choose(S.renew_qa, 2):
        who = c.rng.choice(c.customers)
        c.say(who, qa[0])
        c.say("rep", qa[1])
        if c.rng.random() < 0.5:
            c.say(who, c.pick(S.price_qa_acks))
