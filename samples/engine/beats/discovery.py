"""Discovery beats with more logic than a script: roles, the decision process, questions."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_disc_roles(c: Ctx) -> None:
    c.topic = "Introductions"
    c.say(
        "rep",
        c.pick(S.roles_asks),
    )
    for role in c.customers:
        c.say(role, S.role_self[c.acct.name][role])
        if c.rng.random() < 0.35:
            c.ack("rep")


def b_disc_decision(c: Ctx) -> None:
    c.topic = "Decision Process"
    c.say(
        "rep",
        c.pick(S.decision_asks),
    )
    if c.has(c.acct.approval_by) and not c.clashes(c.acct.approval):
        who = c.acct.approval_by
        c.say(who, c.acct.approval)
    else:
        who = c.cust("sales", "ops", "exec")
        c.say(
            who,
            c.pick_for(who, S.generic_approval),
        )
    c.say(
        "rep",
        c.pick(
            (
                "Has anything derailed a purchase like this before?",
                "What's slowed down purchases like this in the past?",
                "Anything that tends to get stuck?",
            )
        ),
    )
    c.say(
        who,
        c.pick(
            (
                "Security reviews, mostly. A tool got stuck for two months because the vendor "
                "didn't support SSO.",
                "Budget timing. If we miss the planning window, things wait a full quarter.",
                "Honestly, legal. Our contract review queue is long.",
                "Not really, if the business case is clear, things move.",
                "Change fatigue. We rolled out two tools this year already.",
                "{boss} asking for one more reference, usually.",
                "The last one died because IT found out late. So, involve IT early.",
                "Procurement wanting three quotes, which is why we talk to several vendors.",
            )
        ),
    )
    c.say("rep", c.pick(("Good to know, thank you.", "That's really helpful.", "Okay, noted.")))
    c.point("Decision process mapped: {boss} signs off.")


def b_disc_questions(c: Ctx) -> None:
    c.topic = "Questions"
    who = c.cust("sales", "exec", "ops", "fin")
    c.say(
        who,
        c.pick(
            (
                "Can I ask you some questions?",
                "Can I flip it around?",
                "Mind if I ask a few things?",
            )
        ),
    )
    c.say("rep", c.pick(("Of course, go for it.", "Please, ask away.")))
    for question, *answers in c.choose(
        S.about_us, 2, blocked=lambda o: not c.open_alternatives((o[0],), o[1:])
    ):
        c.say(who, question)
        c.say("rep", c.pick(answers))
        c.ack(who)
