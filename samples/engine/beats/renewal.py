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


def b_renew_feedback(c: Ctx) -> None:
    c.topic = "Feedback"
    c.say(
        "rep",
        c.pick(
            ("What's working, and what's annoying people?", "What feedback do you have for us?")
        ),
    )
    who = c.cust("sales", "ops")
    c.say(
        who,
        "The thing my managers love is the Monday digest.",
        "What's not great is scenario planning, it's slow with our data volume.",
    )
    c.say(
        "rep",
        "That's fair, and we shipped a fix for that last month, it should be about five times "
        "faster now.",
        "If it's still slow for you, tell me and I'll get an engineer on it.",
    )
    c.ack(who)


def b_renew_terms(c: Ctx) -> None:
    c.topic = "Renewal"
    if c.round == 0:
        c.say(
            "rep",
            "On the renewal itself, you're at {seats} seats, {annual} a year, and the term ends in "
            "about two months.",
            "Our list price went up seven percent this year, but for existing customers we cap "
            "the uplift at five percent, so the renewal would be about $75,600.",
        )
    else:
        c.say(
            "rep",
            "Picking up where we left off, the renewal quote is at $75,600, with the five percent "
            "uplift, and you asked us to take another look at that.",
        )
    c.say(c.customers[0], c.pick(("Okay.", "Right.", "Yes, that's the one.")))


def b_renew_expansion(c: Ctx) -> None:
    c.topic = "Expansion"
    who = c.cust("sales", "ops")
    c.say(
        who,
        "Ben on the marketing side has been asking whether his team could get access.",
        "They want to see pipeline the same way we do.",
    )
    c.say(
        "rep",
        "We'd love that.",
        "Marketing seats are priced the same, and a lot of customers add them for pipeline "
        "attribution.",
    )
    c.say(who, "Let's set up a separate conversation with Ben.")
    c.say("rep", "I'll reach out to him this week.")
    c.point("Expansion opportunity: marketing seats for Ben's team.")


def b_renew_roadmap(c: Ctx) -> None:
    c.topic = "Roadmap"
    who = c.cust("ops", "sales")
    c.say(who, "What's coming on the roadmap next year?")
    c.say(
        "rep",
        "Three big things.",
        "A better mobile app, a marketing pipeline view, and a new scenario engine.",
        "I can get our product team on a call if you want the details.",
    )
    c.say(who, "The marketing view is interesting, given what Ben wants.")


def b_renew_training(c: Ctx) -> None:
    c.topic = "Onboarding"
    who = c.cust("ops", "sales")
    c.say(
        who,
        "We have about ten new reps starting in January, can we get onboarding sessions for them?",
    )
    c.say("rep", "Absolutely, that's included, I'll get customer success to schedule them.")
    c.ack(who)


def b_renew_story(c: Ctx) -> None:
    c.topic = "Usage Review"
    who = c.cust("sales", "ops")
    c.say("rep", "Can you share how the last quarter went from your side?")
    c.say(
        who,
        "Honestly, it's the first quarter in a long time where I called the number in week six "
        "and actually landed it.",
        "We were within about two percent.",
        "The managers use the risk flags in every one-on-one now, it's just part of the rhythm.",
        "And the board meeting was the shortest one I've had, because nobody questioned the "
        "forecast.",
        "The part that still needs work is the newer reps, they don't update close dates until "
        "someone chases them.",
        solid=True,
    )
    c.say(
        "rep",
        "That's great to hear, and thank you for sharing it.",
        "On the newer reps, we can set up an automated nudge for stale close dates, so the chasing "
        "isn't on your managers.",
    )
    c.say(who, "Let's do that.")
    c.point("Customer called the quarter within 2% in week six.")


def b_renew_qa(c: Ctx) -> None:
    c.topic = "Renewal"
    for qa in c.choose(S.renew_qa, 2):
        who = c.rng.choice(c.customers)
        c.say(who, qa[0])
        c.say("rep", qa[1])
        if c.rng.random() < 0.5:
            c.say(who, c.pick(S.price_qa_acks))


def b_renew_comp(c: Ctx) -> None:
    c.topic = "Competition"
    who = c.cust("sales", "ops", "fin")
    c.say(who, "I'll be transparent, {comp} keeps calling us.")
    c.say("rep", "I'm not surprised. What are they pitching?")
    c.say(
        who,
        "Mostly that finance and sales could be on one tool.",
        "Which sounds nice, but I don't want to redo a rollout that's working.",
    )
    c.say("rep", c.pick(S.comp_rep[c.acct.comp]))
    c.say(who, c.pick(S.comp_reactions))


def b_renew_goals(c: Ctx) -> None:
    c.topic = "Goals"
    c.say(
        "rep",
        c.pick(
            (
                "What are the big priorities for next year?",
                "What does next year look like for the team?",
            )
        ),
    )
    who = c.cust("sales", "ops")
    c.say(
        who,
        "We're adding a second segment, mid-market, with its own managers.",
        "So the hierarchy is going to change in the first quarter.",
        "And the board wants a monthly forecast view, not just quarterly.",
        "I'd like both of those set up before the first forecast call of the year.",
    )
    c.say(
        "rep",
        "Both are very doable.",
        "The new segment is a configuration change, and the monthly view is a setting, so let's "
        "put an hour on the calendar with {admin} in December.",
    )
    c.say(who, c.pick_for(who, ("Perfect, {admin} will be thrilled.", "Sounds good.")))
    c.point("Next year: new mid-market segment and a monthly forecast view.")


def b_renew_admin(c: Ctx) -> None:
    c.topic = "Admin"
    who = c.cust("ops", "sales")
    c.say(
        who,
        "I have an admin question.",
        "We're renaming two stages in January, what happens to the history?",
    )
    c.say(
        "rep",
        "History is kept under the old names and mapped to the new ones, so your trend lines "
        "don't break.",
    )
    c.say(who, "Good, that was my biggest worry.")


def b_renew_reference(c: Ctx) -> None:
    c.topic = "Renewal"
    c.say(
        "rep",
        "Would you be open to being a reference for us? A couple of calls a quarter, at most.",
    )
    who = c.cust("sales", "ops")
    c.say(who, "Happy to, the team likes the product.")
    asker = c.cust("fin", "sales")
    c.say(asker, "Does being a reference come with anything on the pricing side?")
    c.say("rep", "It can, for active references we usually take a point off the uplift.")
    c.say(asker, c.pick(("Noted.", "Good to know.")))


def b_renew_health(c: Ctx) -> None:
    c.topic = "Renewal"
    c.say("rep", "Is there anything that could put the renewal at risk that I should know about?")
    who = c.cust("sales", "fin", "ops")
    c.say(
        who,
        "Not really.",
        "The only thing is budget scrutiny, every renewal gets a second look this year.",
    )
    c.say("rep", "Understood, that's exactly why I want to show the value in numbers.")
