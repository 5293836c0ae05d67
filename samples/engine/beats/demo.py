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
            c.pick(S.recap_confirm),
            c.pick(S.recap_update_leadins),
            c.pick(S.comp_eval[c.acct.name][1:] or S.comp_eval[c.acct.name]),
        )
        c.say("rep", c.pick(S.recap_thanks_upfront))
    elif c.rng.random() < 0.5:
        c.say(who, c.pick(S.recap_unchanged))
    else:
        c.say(who, "That's accurate.", c.pick_for(who, S.recap_additions))
        c.say("rep", c.pick(S.recap_noted))


def b_demo_overview(c: Ctx) -> None:
    c.topic = "Product Demo"
    keep = sorted(c.rng.sample(range(len(S.overview_blocks)), c.rng.randint(5, 7)))
    body = [c.pick(S.overview_blocks[i]) for i in keep]
    c.say(c.tech(), c.pick(S.overview_open), body, c.pick(S.overview_close), solid=True)
    c.say(c.customers[0], c.pick(S.overview_reactions))
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
    c.say(c.tech(), c.pick(S.walk_screen), c.pick(S.walk_layout))
    c.say(c.customers[0], c.pick(S.walk_can_see))
    _demo_qas(c, c.rng.randint(3, 4))


def b_demo_qa_more(c: Ctx) -> None:
    c.topic = "Product Demo"
    _demo_qas(c, 2)


def b_demo_integration(c: Ctx) -> None:
    c.topic = "Integrations"
    asker = c.cust("admin", "ops", "sales")
    c.say(asker, c.pick_for(asker, S.integration_asks))
    c.say(c.tech(), c.pick(S.integration_answers))
    c.say(asker, c.pick(S.integration_rights_asks))
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
    c.say(c.tech(), c.pick(S.impl_durations), c.pick(S.impl_phases))
    not_admin = [r for r in c.customers if r != c.acct.admin_role] or c.customers
    who = not_admin[0]
    c.say(who, c.pick(S.impl_admin_caveats), c.acct.admin_busy)
    c.say("rep", c.pick(S.impl_admin_plans))
    c.say(who, c.pick(S.impl_reactions))
    c.point("Implementation: six to eight weeks, dependent on {admin}'s availability.")
