"""The core of a pricing call: recap, objections and their handling, the question round."""

from __future__ import annotations

from ..ctx import Beat, Ctx
from ..model import Marked, Objection
from ..story import S


def b_price_recap(c: Ctx) -> None:
    c.topic = "Pricing"
    if c.round == 0:
        c.say(
            c.closer(),
            c.pick(
                (
                    "So just to recap the proposal, it's {seats} seats at ${price} per seat per "
                    "month, so {annual} a year, plus a one-time implementation fee of {impl}.",
                    "Quick recap of what we sent: {seats} seats, ${price} per seat per month, "
                    "which is {annual} annually, and {impl} one-time for implementation.",
                )
            ),
            c.pick(
                (
                    "That includes forecasting, inspection and the writeback for all {seats}.",
                    "Everything {se} showed {champ} is in there.",
                    "No add-on modules.",
                )
            ),
            "So the first-year total on the order form is {total}.",
        )
    else:
        c.say(
            c.closer(),
            c.pick(
                (
                    "Picking up from last time, the proposal on the table is still {seats} seats "
                    "at ${price} per seat, {annual} a year, but since then we've added a platform "
                    "pricing option and a multi-year option.",
                    "So since we last spoke we sent over a second version with two structures, "
                    "the per-seat one at {annual} a year, and a flat platform fee with a longer "
                    "term.",
                )
            ),
        )
    c.say(
        c.customers[0],
        c.pick(("Right.", "Yep, I've got it in front of me.", "Okay.", "Mm-hmm, I read it.")),
    )
    c.point("Proposal reviewed: {seats} seats at ${price} per seat per month.")


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
            c.say("rep", c.pick(("What would make this work for you?", "What would you need?")))
            c.say(
                obj.role,
                c.pick_for(
                    obj.role,
                    (
                        ("Something I can defend.", "A number, a structure, and a reason."),
                        "Honestly, a lower first-year number.",
                        "An exit if it doesn't work out.",
                        "References, and a price that won't move.",
                        "Something {boss} can sign without a debate.",
                    ),
                ),
            )
            c.ack("rep")

    return beat


def b_price_value(c: Ctx) -> None:
    c.topic = "ROI"
    c.say(
        c.closer(),
        c.pick(
            (
                "Can I take a step back, because it's worth anchoring on what {sheet} costs you "
                "today.",
                "Let me put the price in context for a moment.",
            )
        ),
        c.pick(
            (
                "You told us your {managers} managers spend about four hours a week each on the "
                "roll-up.",
                "From what you shared, that's {managers} managers at roughly four hours a week "
                "each, just assembling the number.",
            )
        ),
        "That's roughly {year_hours} hours a year of your most expensive sales people building "
        "spreadsheets.",
        "At a loaded cost of around a hundred dollars an hour, that's {roi} a year before we talk "
        "about forecast accuracy at all.",
        c.pick(
            (
                "And on accuracy, {peer} customers typically get within five percent of the final "
                "number by week six.",
                "And one slipped quarter like {miss} that you see coming six weeks "
                "earlier is worth "
                "more than the whole subscription.",
            )
        ),
        "So when we talk about {annual}, I'd ask you to weigh it against that, not against a "
        "spreadsheet that looks free.",
        solid=True,
    )
    who = c.cust("fin", "exec", "sales")
    c.say(
        who,
        c.pick_for(
            who,
            (
                "I don't disagree with the math, I just don't have {annual} in this year's budget.",
                "Fair way to look at it.",
                "Okay, that's helpful framing for {boss}.",
            ),
        ),
    )
    c.point("Rep anchored on ROI: {roi} a year in manager time.")


def b_price_cfo(c: Ctx) -> None:
    c.topic = "Budget"
    who = c.cust("fin", "exec")
    if who not in ("fin", "exec") or c.acct.name not in S.budget_talk:
        return
    c.say(who, S.budget_talk[c.acct.name], solid=True)
    c.say(
        c.closer(),
        c.pick(
            (
                ("That's really helpful, thank you.", "The next version will fit it."),
                (
                    "Thank you for being so transparent.",
                    "The next proposal for {co} will fit that constraint instead of fighting it.",
                ),
            )
        ),
    )


def b_price_approval(c: Ctx) -> None:
    c.topic = "Decision Process"
    c.say(
        "rep",
        c.pick(
            (
                "If we land on numbers that work, what's the approval path at {co}?",
                "Who else needs to say yes, and how long does that take?",
                "Once we agree, what happens on your side?",
            )
        ),
    )
    own = c.plan.kind == "pricing" and c.has(c.acct.approval_by)
    if own and not c.repeats(c.acct.approval):
        c.say(c.acct.approval_by, c.acct.approval)
    else:
        who = c.cust("proc", "sales", "fin", "exec")
        c.say(who, c.pick_for(who, S.generic_approval))
    c.ack("rep")


def b_price_terms(c: Ctx) -> None:
    c.topic = "Contract Terms"
    who = c.cust("proc", "fin", "legal")
    if c.rng.random() < 0.5:
        c.say(
            who,
            "On the paperwork, we pay on net sixty, and {co} needs annual invoicing, not "
            "upfront for multiple years.",
        )
        c.say("rep", "Net sixty is fine for {co}, and annual invoicing is standard.")
        c.say(who, c.pick(("And we'll want our own MSA.", "And we use our own MSA template.")))
        c.say("rep", c.pick(("We can work from your paper.", "That's fine, it adds a week.")))
    else:
        c.say(who, "Two contract questions.", "Can we invoice quarterly?")
        c.say(
            "rep",
            "Quarterly is possible on multi-year terms, with a small uplift for billing, or annual "
            "at the {annual} you see.",
        )
        c.say(who, "And the liability cap, is that negotiable?")
        c.say(
            "rep",
            "Within reason, our standard is twelve months of fees, and legal can discuss the "
            "breach carve-out with {co}.",
        )
    c.ack(who)


def b_price_seats(c: Ctx) -> None:
    c.topic = "Pricing"
    c.say("rep", c.pick(("Are we still at {seats} seats?", "Is {seats} still the right number?")))
    who = c.cust("sales", "ops", "exec", "fin")
    c.say(
        who,
        c.pick(
            (
                "{seats} for now, but we have open headcount.",
                "It's {seats}, give or take a couple of leavers.",
                "Still {seats}. We might start smaller.",
            )
        ),
    )
    c.say("rep", c.pick(("Okay, good. Changes go into the true-up.", "Good, we'll keep it there.")))


def b_price_comp(c: Ctx) -> None:
    c.topic = "Competition"
    c.say("rep", c.pick(("Where did you land with {comp}?", "Is {comp} still in the picture?")))
    who = c.cust("sales", "exec", "fin", "proc")
    c.say(
        who,
        c.pick(
            (
                "Still in the running, mostly because of price.",
                "We haven't ruled them out.",
                "They're the fallback if this doesn't work.",
            )
        ),
    )
    c.say(c.closer(), c.pick(S.comp_rep[c.acct.comp]))
    c.say(who, c.pick(S.comp_reactions))


def b_close_pending(c: Ctx) -> None:
    c.topic = "Next Steps"
    who = c.cust("fin", "exec", "sales")
    c.say(
        who,
        c.pick_for(
            who,
            (
                "Let me take this back to {boss}, and I'll come back to you by the end of next "
                "week.",
                "I need to run the options past {boss} before I can commit to anything.",
                ("I think we're closer.", "But I need to sit with the numbers for a few days."),
                "Send me the revised version and I'll have an answer for you next week.",
                "Give me a week with the {co} numbers.",
                ("I'm not saying no.", "I'm saying not today."),
            ),
        ),
    )
    c.say(
        "rep",
        c.pick(
            (
                ("Totally understand.", "What would make that conversation easier?"),
                ("Of course.", "Anything I can prepare?"),
                ("Fair enough.", "How can I help internally?"),
            )
        ),
    )
    c.say(
        who,
        c.pick_for(
            who,
            (
                "A one-page summary of the options, with the numbers side by side.",
                "The revised proposal, and ideally a reference customer I can call.",
                "The ROI math you walked through, in writing.",
                "Something short that {boss} can read in two minutes.",
                "A version that starts inside {budget}.",
            ),
        ),
    )
    c.say("rep", c.pick(("You'll have it tomorrow.", "Done, I'll send it tonight.")))
    c.point("Customer reviewing the options internally; no decision yet.")


def b_price_qa(c: Ctx) -> None:
    c.topic = "Pricing"
    for qa in c.choose(S.price_qa, 2):
        who = c.rng.choice(c.customers)
        c.say(who, qa[0])
        c.say(c.closer(), qa[1])
        if c.rng.random() < 0.5:
            c.say(who, c.pick(S.price_qa_acks))
