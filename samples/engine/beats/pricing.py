"""Pricing beats with more logic than a script: objections, budget talk, the question rounds."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..ctx import Beat, Ctx
from ..model import Marked, Objection
from ..story import S


def objection_beat(obj: Objection) -> Beat:
    def beat(c: Ctx) -> None:
        c.topic = "Pricing"
        first = obj is c.plan.objections[0]
        lead_in = [c.pick(S.obj_leadins)] if first or c.rng.random() < 0.4 else []
        c.say(obj.role, lead_in, Marked(obj.text, "objection", obj.kind))
        c.say(c.closer(), c.pick(S.obj_responses[obj.kind]))
        c.say(obj.role, c.pick(S.obj_replies_warm if obj.kind in S.concessions else S.obj_replies))
        if c.rng.random() < 0.4 and "asked:need" not in c.used:
            c.used.add("asked:need")
            c.say("rep", c.pick(S.objection_probes))
            c.say(obj.role, c.pick_for(obj.role, S.objection_needs))
            c.ack("rep")

    return beat


def b_price_cfo(c: Ctx) -> None:
    c.topic = "Budget"
    who = c.cust("fin", "exec")
    if who not in ("fin", "exec") or c.acct.name not in S.budget_talk:
        return
    c.say(who, S.budget_talk[c.acct.name], solid=True)
    c.say(c.closer(), c.pick(S.cfo_thanks))


def b_price_approval(c: Ctx) -> None:
    c.topic = "Decision Process"
    c.say("rep", c.pick(S.approval_asks))
    own = c.plan.kind == "pricing" and c.has(c.acct.approval_by)
    if own and not c.repeats(c.acct.approval):
        c.say(c.acct.approval_by, c.acct.approval)
    else:
        who = c.cust("proc", "sales", "fin", "exec")
        c.say(who, c.pick_for(who, S.generic_approval))
    c.ack("rep")


def _qa_round(c: Ctx, bank: Sequence[tuple[str, str]], answerer: Callable[[], str]) -> None:
    """Two questions from the bank, each asked by a customer and answered by our side."""
    for question, answer in c.choose(bank, 2):
        who = c.rng.choice(c.customers)
        c.say(who, question)
        c.say(answerer(), answer)
        if c.rng.random() < 0.5:
            c.say(who, c.pick(S.price_qa_acks))


def b_price_qa(c: Ctx) -> None:
    c.topic = "Pricing"
    _qa_round(c, S.price_qa, c.closer)


def b_renew_qa(c: Ctx) -> None:
    c.topic = "Renewal"
    _qa_round(c, S.renew_qa, lambda: "rep")


def b_price_timeline(c: Ctx) -> None:
    c.topic = "Timeline"
    c.say(
        "rep",
        "Can we talk timing?",
        "To hit {golive} for your {units}, we'd want a signature in the next three to four weeks.",
    )
    who = c.cust("proc", "fin", "sales", "exec")
    replies = ["Doable if the paperwork is clean.", "Tight with our review process, but possible."]
    if who != "fin":
        replies.append("That depends on the next finance conversation.")
    c.say(who, c.pick(replies))
    c.say("rep", c.pick(S.timeline_risk_asks))
    c.say(who, c.pick(S.timeline_risks))
    c.ack("rep")
