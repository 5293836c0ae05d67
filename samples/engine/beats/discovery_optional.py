"""Optional discovery exchanges that fill a call to its length."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_disc_budget(c: Ctx) -> None:
    c.topic = "Budget"
    question, answers = c.pick(S.budget_qa)
    c.say("rep", question)
    who = c.cust("sales", "ops", "exec", "fin")
    c.say(who, c.pick_for(who, answers))
    c.say(
        "rep",
        c.pick(
            (
                "That's helpful, thank you. Whatever we propose will fit around that, or at least "
                "explain why it doesn't.",
                "Fair enough. When we get to a proposal, I'll structure it so it's easy for {boss} "
                "to take to finance.",
                "Understood, I'll size the first proposal for {seats} seats with that in mind.",
            )
        ),
    )


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


def b_disc_hygiene(c: Ctx) -> None:
    c.topic = "Data Quality"
    c.say(
        "rep",
        c.pick(
            (
                "How much do you trust the close dates in Salesforce today?",
                "Honestly, how good are your close dates?",
                "And the close dates on {deals}, are they real?",
            )
        ),
    )
    who = c.cust("ops", "sales")
    c.say(
        who,
        c.pick(
            (
                "On a scale of one to ten? Maybe a four.",
                "For the big deals, somewhat. For everything else, not at all.",
                "Honestly, the close date is where a deal goes to hide.",
                "The end of the quarter is a very popular close date.",
                "They're optimistic. Every single one.",
            )
        ),
    )
    c.say(
        "rep",
        c.pick(
            (
                "That's pretty normal, and it's one of the first things the platform shines a "
                "light on for {unit_leads}.",
                "Normal. The first week, the platform usually flags half of them.",
                "That's exactly what the risk flags pick up.",
            )
        ),
    )
    c.say(who, c.pick(("Great, more bad news.", "Can't wait.", "Wonderful.")))
    c.say("rep", c.pick(("Ha, it's good news in disguise.", "Better now than in week twelve.")))


def b_disc_vision(c: Ctx) -> None:
    c.topic = "Success Criteria"
    c.say(
        "rep",
        c.pick(
            (
                "A year from now, what's different?",
                "What does good look like next year?",
                "How would we know this worked?",
            )
        ),
    )
    who = c.cust("exec", "sales", "ops")
    c.say(
        who,
        c.pick(
            (
                (
                    "The {fcall} would be about deals, not spreadsheets.",
                    "And I'd know by week six whether we're making the quarter.",
                ),
                (
                    "I'd stop getting surprised.",
                    "If I can call the quarter within five percent by the midpoint, that's a win.",
                ),
                (
                    "Managers would spend Friday coaching instead of copying numbers.",
                    "And {boss} would trust one number instead of three.",
                ),
                ("Nobody builds {sheet} anymore.", "That's it, that's the whole dream."),
                (
                    "Every {unit_lead} calls their number, and we hit it.",
                    "Give or take a few percent.",
                ),
            )
        ),
    )
    c.say(
        "rep",
        c.pick(
            (
                "That's a great way to put it, I'm writing that down as the success criteria.",
                "Love that. That's our success criteria, then.",
                "Good, let's hold ourselves to that.",
            )
        ),
    )
    c.point("Success criteria discussed.")


def b_disc_tried(c: Ctx) -> None:
    c.topic = "Current Process"
    c.say(
        "rep",
        c.pick(
            (
                "Have you tried to fix this before?",
                "Has anyone tried to solve this already?",
                "What have you tried so far?",
            )
        ),
    )
    text = S.tried[c.acct.name]
    who = c.teller(text, "ops", "sales", "exec", "fin")
    c.say(who, text)
    c.say(
        "rep",
        c.pick(
            (
                "That's the usual story. The tool was fine, the process around it wasn't.",
                "Yeah, we hear that a lot.",
                ("That's useful to know.", "We'll make sure we don't repeat it."),
            )
        ),
    )


def b_disc_stack(c: Ctx) -> None:
    c.topic = "Systems"
    c.say(
        "rep",
        c.pick(
            (
                "What else is in your stack, besides Salesforce?",
                "Which other systems would we touch?",
                "What does the rest of your tooling look like?",
            )
        ),
    )
    text = S.stack[c.acct.name]
    who = c.teller(text, "ops", "admin", "sales", "exec", "fin")
    c.say(who, text)
    c.say("rep", c.pick(("Okay, that's a pretty standard setup.", "Helpful, thanks.", "Got it.")))


def b_disc_skeptics(c: Ctx) -> None:
    c.topic = "Stakeholders"
    c.say(
        "rep",
        c.pick(
            (
                "Who will be hardest to convince?",
                "Who's going to be the skeptic?",
                "Where will the pushback come from?",
            )
        ),
    )
    text = S.skeptics[c.acct.name]
    who = c.teller(text, "sales", "ops", "exec", "fin")
    c.say(who, text)
    c.say("rep", c.pick(("Good to know early.", "That's fair.", "We'll plan for that.")))


def b_disc_accuracy(c: Ctx) -> None:
    c.topic = "Forecast Accuracy"
    c.say(
        "rep",
        c.pick(
            (
                "How accurate is the forecast today?",
                "Do you track forecast accuracy?",
                "How far off is the number usually?",
            )
        ),
    )
    text = S.accuracy[c.acct.name]
    who = c.teller(text, "ops", "sales", "exec", "fin")
    c.say(who, text)
    c.say(
        "rep",
        c.pick(("That's a useful baseline.", "Okay. We'll measure against that.", "Got it.")),
    )
