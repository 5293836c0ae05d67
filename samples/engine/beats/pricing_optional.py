"""Optional pricing exchanges that fill a call to its length."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_price_timeline(c: Ctx) -> None:
    c.topic = "Timeline"
    c.say(
        "rep",
        "Can we talk timing?",
        "To hit {golive} for your {units}, we'd want a signature in the next three to four weeks.",
    )
    who = c.cust("proc", "fin", "sales", "exec")
    replies = [
        "Doable if the paperwork is clean.",
        "Tight with our review process, but possible.",
    ]
    if who != "fin":
        replies.append("That depends on the next finance conversation.")
    c.say(who, c.pick(replies))
    c.say("rep", c.pick(("Anything that could slow it down?", "What could get in the way?")))
    c.say(
        who,
        c.pick(
            (
                "The year-end freeze on new vendors.",
                "Legal, as always.",
                "Nothing, if security is closed.",
            )
        ),
    )
    c.ack("rep")


def b_price_security(c: Ctx) -> None:
    c.topic = "Security"
    if "sec" not in c.acct.contacts:
        return
    who = c.cust("proc", "fin", "exec", "sales")
    c.say(who, c.pick(("Is security signed off yet?", "Where's the security review?")))
    c.say(
        "rep",
        c.pick(
            (
                ("Nearly.", "{secp} has two open items, and we'll close them this week."),
                ("{secp} signed off last week.", "So nothing blocks the paperwork."),
            )
        ),
    )
    c.ack(who)


def b_price_pitch(c: Ctx) -> None:
    c.topic = "Business Case"
    if c.acct.name not in S.internal_pitch:
        return
    text = S.internal_pitch[c.acct.name]
    who = c.teller(text, "sales", "ops", "exec", "fin")
    c.say(who, text)
    c.say(
        c.closer(),
        c.pick(
            (
                ("That's a strong case.", "Want me to put numbers behind it for {boss}?"),
                ("I like that.", "I'll send {boss} a one-pager with that story."),
                ("That's a strong case.", "I'll put numbers behind it for you."),
            )
        ),
    )
    c.say(who, c.pick(("Please.", "Yes, that would help.", "That would be great.")))


def b_price_terms_compare(c: Ctx) -> None:
    c.topic = "Pricing"
    if c.plan.kind != "pricing":
        return
    who = c.cust("fin", "exec", "proc", "sales")
    c.say(
        who,
        c.pick(("What do two and three years look like?", "How much does a longer term save?")),
    )
    c.say(
        c.closer(),
        "On two years the rate drops to $115 a seat, so {annual2} a year.",
        "On three it's fifteen percent off list, so {annual3}, locked for the whole term.",
    )
    c.say(who, c.pick(("Okay. I'll model both.", "That's a real difference.", "Noted.")))


def b_price_phasing(c: Ctx) -> None:
    c.topic = "Pricing"
    who = c.cust("fin", "sales", "exec", "proc")
    c.say(who, c.pick(("Could we phase the seats?", "What if we start with half?")))
    c.say(
        c.closer(),
        "If we start with {half_seats} seats, year one is {half_annual}, plus the implementation "
        "fee.",
        "The rest join at the same rate.",
    )
    c.say(who, c.pick(("That helps with year one.", "Interesting. Send me that version.")))


def b_price_plan(c: Ctx) -> None:
    c.topic = "Implementation"
    c.say(
        "rep",
        "Here's the plan we'd put in writing.",
        "Week one, kickoff with {admin}.",
        "By week four, the first of your {units} is live.",
        "And all {seats} seats forecast in Northbeam by {golive}.",
    )
    who = c.cust("sales", "ops", "exec", "fin")
    c.say(who, c.pick(("Good. Put that in the order form.", "That works for us.", "Realistic.")))


def b_price_structure(c: Ctx) -> None:
    c.topic = "Pricing"
    who = c.cust("fin", "exec", "sales", "proc")
    c.say(
        who,
        c.pick(
            (
                "Walk me through the options again?",
                "Remind me how the structures differ?",
                "Lay out the two structures once more?",
            )
        ),
    )
    c.say(
        c.closer(),
        c.pick(
            (
                (
                    "Option one is per seat, {seats} seats at ${price}, so {annual} a year.",
                    "Option two is a flat platform fee for a band of users, cheaper per head if "
                    "{co} keeps hiring.",
                    "Either way, longer terms cost less.",
                ),
                (
                    "Sure, two ways to buy.",
                    "Per seat, which is {annual} a year for {seats} seats today.",
                    "Or a platform fee for a user band, so growth across your {units} doesn't "
                    "change the invoice.",
                ),
            )
        ),
    )
    c.say(who, c.pick(("Okay, that's clearer.", "Got it.", "Right, thanks.")))


def b_price_reference(c: Ctx) -> None:
    c.topic = "References"
    who = c.cust("fin", "exec", "sales", "proc")
    c.say(who, c.pick(("Can I call a recent customer?", "Who else bought this recently?")))
    c.say(
        "rep",
        c.pick(
            (
                (
                    "Yes, {a_peer} company signed in the spring, and their CFO is happy to talk.",
                    "I'll set it up for {boss} this week.",
                ),
                (
                    "Sure.",
                    "I'll find {a_peer} customer who had the same budget conversation.",
                ),
            )
        ),
    )
    c.ack(who)


def b_price_rollout(c: Ctx) -> None:
    c.topic = "Implementation"
    who = c.cust("sales", "ops", "exec", "fin", "proc")
    c.say(who, c.pick(("What happens right after we sign?", "And after signature?")))
    c.say(
        "rep",
        c.pick(
            (
                (
                    "Kickoff within a week, with {admin}.",
                    "Then your {units} come live in waves, and everyone's on it by {golive}.",
                ),
                (
                    "We book {admin} for the Salesforce connection first.",
                    "The first of your {units} goes live about four weeks after signature.",
                ),
            )
        ),
    )
    c.ack(who)
