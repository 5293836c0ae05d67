"""Discovery beats with more logic than a script: roles, the decision process, questions."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_disc_roles(c: Ctx) -> None:
    c.topic = "Introductions"
    c.say("rep", c.pick(S.roles_asks))
    for role in c.customers:
        c.say(role, S.role_self[c.acct.name][role])
        if c.rng.random() < 0.35:
            c.ack("rep")


def b_disc_decision(c: Ctx) -> None:
    c.topic = "Decision Process"
    c.say("rep", c.pick(S.decision_asks))
    if c.has(c.acct.approval_by) and not c.clashes(c.acct.approval):
        who = c.acct.approval_by
        c.say(who, c.acct.approval)
    else:
        who = c.cust("sales", "ops", "exec")
        c.say(who, c.pick_for(who, S.generic_approval))
    c.say("rep", c.pick(S.decision_derail_asks))
    c.say(who, c.pick(S.decision_derailers))
    c.say("rep", c.pick(S.decision_thanks))
    c.point("Decision process mapped: {boss} signs off.")


def b_disc_questions(c: Ctx) -> None:
    c.topic = "Questions"
    who = c.cust("sales", "exec", "ops", "fin")
    c.say(who, c.pick(S.questions_asks))
    c.say("rep", c.pick(S.questions_go_ahead))
    for question, *answers in c.choose(
        S.about_us, 2, blocked=lambda o: not c.open_alternatives((o[0],), o[1:])
    ):
        c.say(who, question)
        c.say("rep", c.pick(answers))
        c.ack(who)
