"""Optional demo exchanges that fill a call to its length."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_demo_comp(c: Ctx) -> None:
    c.topic = "Competition"
    who = c.cust("sales", "exec", "ops", "fin")
    c.say(
        who,
        c.pick_for(who, S.comp_eval[c.acct.name]),
        c.pick(("So how do you compare?", "What's your honest take?", "Where are you different?")),
    )
    c.say(c.closer() if c.has("mgr") else "rep", c.pick(S.comp_rep[c.acct.comp]))
    c.say(who, c.pick(S.comp_reactions))


def b_demo_adoption(c: Ctx) -> None:
    c.topic = "Adoption"
    who = c.cust("sales", "ops", "exec")
    c.say(
        who,
        c.pick(
            (
                "My worry is adoption, honestly, the {unit_leads} have seen tools come and go.",
                "How do you keep the {unit_leads} using it after month one?",
            )
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "That's the right worry to have.",
                    "For {co}, reps barely change anything, submission is one click from "
                    "Salesforce or {chat}.",
                    "And your {unit_leads} adopt it because it replaces {sheet}, not because "
                    "someone told them to.",
                ),
                (
                    "Fair worry.",
                    "What keeps {co} using it is that the {fcall} runs from it.",
                    "Once the {fcall} lives in Northbeam, nobody goes back to {sheet}.",
                ),
            )
        ),
    )
    c.say(who, c.pick(("That would be a first.", "I'll believe it when I see it.")))


def b_demo_scenario(c: Ctx) -> None:
    c.topic = "Product Demo"
    who = c.cust("fin", "exec", "sales")
    c.say(
        who,
        "Can you show me the scenario piece?",
        "If two of our biggest {deals} slip, what does that do to the quarter?",
    )
    c.say(
        c.tech(),
        "Sure, here I'll take the two largest {deals} in commit and push them to next quarter.",
        "You can see the projected number drop, and the gap to target shows in red, with the "
        "{deals} that could close it listed underneath.",
    )
    c.say(
        who,
        "Okay, that's actually useful.",
        c.pick_for(
            who,
            (
                "That's the conversation I have with {boss} every quarter.",
                "That's the board conversation, every quarter.",
            ),
        ),
    )
    c.say(
        c.tech(),
        "And you can save a scenario and share it, so the deck {boss} takes to the board and the "
        "tool tell the same story.",
    )


def b_demo_reference(c: Ctx) -> None:
    c.topic = "References"
    who = c.cust("sales", "exec", "ops")
    c.say(
        who,
        c.pick(("Any customers like us we could call?", "Could we speak to a reference?")),
    )
    c.say(
        "rep",
        "Yes, I'm thinking of another {peer} company about your size, their RevOps lead is happy "
        "to take calls.",
        "I'll set it up this week.",
    )
    c.say(
        who,
        c.pick_for(who, ("That would help a lot, especially for {boss}.", "That would be great.")),
    )


def b_demo_forecast_call(c: Ctx) -> None:
    c.topic = "Product Demo"
    who = c.cust("sales", "exec", "ops")
    c.say(
        who,
        c.pick(
            (
                "How would we actually run the {fcall} in this?",
                "Show me what the {fcall} looks like in here.",
            )
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "Sure, you'd open this view, sorted by the biggest gap between each "
                    "{unit_lead}'s call and the projection.",
                    "So instead of going around all {units}, you start with the three deals "
                    "that explain most of the gap.",
                    "Anything that changed since the last {fcall} is highlighted, so nobody has to "
                    "ask.",
                ),
                (
                    "Most teams run it from the roll-up.",
                    "Each of your {units} is a row, and you click into whichever one moved since "
                    "last week.",
                    "The {deals} behind the change are right there, with notes from the "
                    "one-on-ones.",
                ),
            )
        ),
    )
    c.say(
        who,
        c.pick(
            (
                "That would cut the meeting in half.",
                "Okay, I can see that working.",
                "Huh. No spreadsheet at all.",
            )
        ),
    )


def b_demo_exec_view(c: Ctx) -> None:
    c.topic = "Product Demo"
    who = c.cust("exec", "fin", "sales")
    c.say(who, c.pick_for(who, ("What would {boss} see?", "What's the view for leadership?")))
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "One page.",
                    "The number for the quarter, the range around it, and the five {deals} that "
                    "decide where in the range you land.",
                    "Most {peer} executives check it on Monday and never click further.",
                ),
                (
                    "This summary here.",
                    "Commit, best case and the projection side by side, and how each moved since "
                    "last week across your {units}.",
                ),
            )
        ),
    )
    c.say(who, c.pick(("Good, keep it that simple.", "That's what the board needs.", "Nice.")))


def b_demo_admin(c: Ctx) -> None:
    c.topic = "Integrations"
    who = c.cust("admin", "ops")
    c.say(
        who,
        c.pick(
            (
                "What if we add a Salesforce field?",
                "Do changes in Salesforce break anything?",
            )
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "New fields from the {co} org show up in the mapping screen the next morning.",
                    "Nothing changes in the forecast until someone maps them, so a change in "
                    "the {co} org can't break anything by accident.",
                ),
                (
                    "Nothing breaks.",
                    "We read the schema every night, and unmapped fields are simply ignored "
                    "until you decide what they mean for {lines}.",
                ),
            )
        ),
    )
    c.ack(who)


def b_demo_pilot(c: Ctx) -> None:
    c.topic = "Implementation"
    if c.acct.name not in S.pilot:
        return
    c.say(
        "rep",
        c.pick(
            ("Which {unit} would go first?", "Who would you pilot with?", "Where would we start?")
        ),
    )
    text = S.pilot[c.acct.name]
    who = c.teller(text, "sales", "ops", "exec")
    c.say(who, text)
    c.say(
        c.tech(),
        c.pick(
            (
                "Good choice, a motivated {unit_lead} makes all the difference.",
                ("Makes sense.", "We'll build the sandbox around them."),
            )
        ),
    )


def b_demo_digest(c: Ctx) -> None:
    c.topic = "Product Demo"
    who = c.cust("sales", "ops", "exec", "admin")
    c.say(who, c.pick(("What does the digest look like?", "Can we see the Monday digest?")))
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "Sure, this is what {a_unit_lead} would get on Monday morning.",
                    "At the top, the three deals that changed most since last week, then anything "
                    "flagged, like {deal} with a close date in the past.",
                    "Each item links into the deal, so {a_unit_lead} reads it in five minutes.",
                ),
                (
                    "Here's the digest for one of your {units} in the sandbox.",
                    "It's short on purpose, five {deals} at most, sorted by how much they move the "
                    "number.",
                ),
            )
        ),
    )
    c.say(
        who,
        c.pick(
            (
                "Okay, I'd actually read that.",
                "That's shorter than my inbox.",
                "Nice. That replaces a lot of chasing.",
            )
        ),
    )


def b_demo_training(c: Ctx) -> None:
    c.topic = "Onboarding"
    who = c.cust("sales", "ops", "exec")
    c.say(who, c.pick(("How do you train people?", "What does training look like?")))
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "We run one live hour with each of your {unit_leads}, on their own deals.",
                    "Reps just get a short video.",
                ),
                (
                    "Admins first, so {admin} knows the configuration.",
                    "Then your {unit_leads}, then reps, in the two weeks before {golive}.",
                ),
            )
        ),
    )
    c.ack(who)
