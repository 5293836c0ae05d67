"""Demo beats with more logic than a script: recap, overview, walk-through, integration, rollout."""

from __future__ import annotations

from ..ctx import Ctx
from ..story import S


def b_demo_recap(c: Ctx) -> None:
    c.topic = "Recap"
    if c.round == 0:
        c.say(
            "rep",
            c.pick(S.recap_open),
            c.pick(S.recap_process),
            c.pick(S.recap_pain),
            c.pick(S.recap_goal),
        )
    else:
        c.say("rep", c.pick(S.recap_later))
    who = c.cust("ops", "sales", "exec")
    if c.round == 0:
        # The first demo is where customers tell us who else is still in the running.
        c.say(
            who,
            c.pick(("That's accurate.", "Yep, that's right.", "That's about right.")),
            c.pick(("One update, though.", "One thing since we spoke.", "Oh, and one update.")),
            c.pick(S.comp_eval[c.acct.name][1:] or S.comp_eval[c.acct.name]),
        )
        c.say(
            "rep",
            c.pick(
                (
                    "Thanks for being upfront about that.",
                    "Good to know, thank you.",
                    "Appreciate you telling me.",
                )
            ),
        )
    elif c.rng.random() < 0.5:
        c.say(who, c.pick(("Yeah, that's right.", "That's accurate.", "Yep, nothing's changed.")))
    else:
        c.say(who, "That's accurate.", c.pick_for(who, S.recap_additions))
        c.say(
            "rep",
            c.pick(("Noted, we'll come back to that.", "Good, we'll make sure to show that.")),
        )


def b_demo_overview(c: Ctx) -> None:
    c.topic = "Product Demo"
    keep = sorted(c.rng.sample(range(len(S.overview_blocks)), c.rng.randint(5, 7)))
    body = [c.pick(S.overview_blocks[i]) for i in keep]
    c.say(c.tech(), c.pick(S.overview_open), body, c.pick(S.overview_close), solid=True)
    c.say(
        c.customers[0],
        c.pick(
            (
                "Okay, that's a lot, but I follow.",
                "Sounds great on paper. Let's see it.",
                "Yeah, let's see it.",
                "Sounds good.",
            )
        ),
    )
    c.point("Platform overview: roll-up, projection, deal risk, scenario planning.")


def _demo_qas(c: Ctx, n: int) -> None:
    for questions, answers in c.choose(
        S.demo_qa, n, blocked=lambda o: not c.open_alternatives(o[0], o[1])
    ):
        who = c.cust("ops", "sales", "exec", "admin", "fin")
        c.say(who, c.pick_for(who, questions))
        c.say(c.tech(), c.pick(answers))
        if c.rng.random() < 0.45:
            c.say(c.rng.choice(c.customers), c.pick(S.demo_qa_reactions))


def b_demo_walk(c: Ctx) -> None:
    c.topic = "Product Demo"
    if c.round > 0:  # a follow-up demo is already on screen; it goes straight to questions
        _demo_qas(c, c.rng.randint(3, 4))
        return
    c.say(
        c.tech(),
        c.pick(
            (
                "So this is a sandbox I set up to look roughly like {co}.",
                "You should see my screen now.",
                "Can everyone see my screen?",
            )
        ),
        c.pick(
            (
                "Each row is {a_unit_lead}, and you can expand any of them to see the reps.",
                "Up top is the quarter, and below it your {units}.",
                "Left is the hierarchy, right the calls.",
            )
        ),
    )
    c.say(c.customers[0], c.pick(("Yep, we can see it.", "Yes.", "Got it, yeah.")))
    _demo_qas(c, c.rng.randint(3, 4))


def b_demo_qa_more(c: Ctx) -> None:
    c.topic = "Product Demo"
    _demo_qas(c, 2)


def b_demo_integration(c: Ctx) -> None:
    c.topic = "Integrations"
    asker = c.cust("admin", "ops", "sales")
    c.say(
        asker,
        c.pick_for(
            asker,
            S.integration_asks,
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "It's a connected app with an integration user.",
                    "It needs read access to opportunities, accounts, contacts and activities, and "
                    "write access to a few custom fields we create in the {co} org.",
                ),
                (
                    "You install our connected app.",
                    "Then one integration user for it.",
                    "It reads the standard objects and the activity on your {deals}, and writes "
                    "back to three custom fields, that's all.",
                ),
            )
        ),
    )
    c.say(
        asker,
        c.pick(("Does that user need admin rights?", "Can it be a restricted profile?")),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                "A restricted profile is fine, and I'll send you the permission set for the {co} "
                "org.",
                ("No admin rights.", "A restricted profile is enough."),
                "No, a locked-down profile works, you'd just clone our permission set in {co}'s "
                "sandbox first.",
            )
            if asker == c.acct.admin_role
            else (
                "A restricted profile is fine, and I'll send {admin} the exact permission set.",
                "No, a locked-down profile works, and {admin} can clone our permission set.",
                ("No admin rights.", "A restricted profile is enough."),
            )
        ),
    )
    if c.rng.random() < 0.6:
        c.say(
            asker,
            "And custom objects?",
            "We track {lines} in a custom object, and that matters for the forecast.",
        )
        c.say(
            c.tech(),
            c.pick(
                (
                    "We can map custom objects, that's usually a half-day with {admin}.",
                    "Custom objects are fine, we'd map the {lines} one in week one.",
                )
                if asker != c.acct.admin_role
                else (
                    ("Custom objects map fine.", "Usually half a day with you."),
                    "Custom objects are fine, we'd map the {lines} one in week one.",
                )
            ),
        )
    c.ack(asker)
    c.point("Salesforce integration via a connected app with a restricted integration user.")


def b_demo_impl(c: Ctx) -> None:
    c.topic = "Implementation"
    c.say(
        c.tech(),
        c.pick(
            (
                "Typical rollout for a team of {seats} is six to eight weeks.",
                "For {co}, I'd plan on six to eight weeks end to end.",
            )
        ),
        c.pick(
            (
                (
                    "Weeks one and two are the Salesforce connection and field mapping, and that's "
                    "where we need {admin} for maybe four or five hours in total.",
                    "Weeks three and four we load your history and set up the {units}.",
                    "Then one {unit_lead} and their team pilot for two weeks before everyone else "
                    "goes live.",
                ),
                (
                    "First we connect Salesforce and map the fields, about half a day of "
                    "{admin}'s time spread over two weeks.",
                    "Then we load the history and check the model against last year's actuals for "
                    "{lines}.",
                    "And then one of the {units} goes first, and the rest follow two weeks later.",
                ),
            )
        ),
    )
    not_admin = [r for r in c.customers if r != c.acct.admin_role] or c.customers
    who = not_admin[0]
    c.say(
        who,
        c.pick(("The catch is our admin.", "That sounds fine, with one caveat.")),
        c.acct.admin_busy,
    )
    c.say(
        "rep",
        c.pick(
            (
                "Then let's plan around {admin}. If we kick off soon, {golive} still works.",
                "That's helpful to know now. We can front-load what doesn't need {admin}, and "
                "still target {golive}.",
            )
        ),
    )
    c.say(
        who,
        c.pick(
            (
                "That could work.",
                "Okay, that's realistic.",
                "Let's make sure that's in the plan, in writing.",
            )
        ),
    )
    c.point("Implementation: six to eight weeks, dependent on {admin}'s availability.")
