"""Each account's own exchanges, news since the last call, and the endings that matter."""

from __future__ import annotations

from ..ctx import Ctx
from ..model import Marked
from ..story import S


def b_specific(c: Ctx) -> None:
    """This account's own exchange for this round of this kind of call, if one was written."""
    rounds = S.specific.get(c.plan.kind, {}).get(c.acct.name, ())
    if c.round >= len(rounds):
        return
    c.topic = S.specific_topic[c.plan.kind]
    for role, text in rounds[c.round]:
        c.say(role, text)


def b_update(c: Ctx) -> None:
    c.topic = "Updates"
    news, reply = c.pick(S.updates[c.acct.name])
    c.say(c.teller(news, "sales", "ops", "exec", "fin", "sec", "admin", "proc"), news)
    c.say(c.closer() if c.plan.kind in ("pricing", "renewal") else "rep", reply)


def success_moss(c: Ctx) -> None:
    c.topic = "Pricing"
    first, budget = c.plan.objections
    c.say(
        "rep",
        "So, I know the two open points from last time were the term and the budget.",
        "Before I share what we came back with, has anything changed on your side?",
    )
    c.say(
        "fin",
        Marked(first.text, "objection", first.kind),
        Marked(budget.text, "objection", budget.kind),
    )
    c.say(
        "sales",
        "And from my side, the hiring plan is still forty reps next year, so the per-seat question "
        "hasn't gone away either.",
    )
    c.say(
        "mgr",
        "That's helpful, and it matches what we planned for.",
        "So here's what we'd propose.",
        "Two years instead of three.",
        "Platform pricing instead of per-seat, covering up to a hundred and forty users, so your "
        "hiring plan is covered without a true-up.",
        "Year one at $150,000, year two at $165,000, and we waive the implementation fee entirely.",
        solid=True,
    )
    c.say("fin", "So year one lands exactly on my number.")
    c.say(
        "rep",
        "Exactly on it.",
        "And over the two years you're paying less per user than the original per-seat quote, "
        "even before the hiring.",
    )
    c.say("fin", "And no true-up when we hire?")
    c.say("rep", "Not up to a hundred and forty users, no.")
    c.say("fin", "Okay. That I can take to the board, and honestly, I think they'll approve it.")
    c.say(
        "sales",
        "That works for me, and it means I can plan the hiring without coming back to you every "
        "quarter, Greg.",
    )
    c.say("fin", "Let's do it.")
    c.topic = "Next Steps"
    c.say(
        "rep",
        "That's great, thank you both.",
        "I really appreciate you working through this with us, I know it took a few rounds.",
    )
    c.say(
        "proc",
        "Send me the revised order form and I'll get it into our process today.",
        "Our standard review is about two weeks, so signature in the middle of next month should "
        "be realistic.",
    )
    c.say(
        "rep",
        "You'll have it by end of day.",
        "And once it's signed, we'll book the kickoff with Tom so the Salesforce connection starts "
        "right away, which keeps us on track for {golive}.",
    )
    c.say("proc", "Perfect.")
    c.point("Agreed: two-year term, platform pricing up to 140 users, $150,000 then $165,000.")
    c.point("Implementation fee waived; order form to procurement today.")


def success_olympus(c: Ctx) -> None:
    c.topic = "Pricing"
    (term,) = c.plan.objections
    c.say(
        "rep",
        "Okay, so let me get to the main point.",
        "Last time we left off on the discount and the term, and we've done our homework.",
    )
    c.say(
        "mgr",
        "We can do the fifteen percent James asked for, but on a three-year term, because that's "
        "what makes the economics work for us.",
    )
    c.say("fin", Marked(term.text, "objection", term.kind))
    c.say(
        "rep",
        "That's completely fair, so let's put that risk on us.",
        "If the EU go-live slips past {golive} for reasons on our side, you can exit at the end "
        "of year one with no penalty.",
        "And the price is locked for all three years, no uplift.",
    )
    c.say("exec", "That addresses my concern, actually.")
    c.say(
        "fin",
        "Let me do the math.",
        "Fifteen percent off $240,000 is $204,000 a year, which is inside my $225,000.",
        "And the implementation fee?",
    )
    c.say("mgr", "We'll include it.")
    c.say("fin", "Then I'm comfortable, we have a deal in principle.")
    c.say("exec", "Great work, everyone, let's get this signed before the end of the year.")
    c.say(
        "rep",
        "Fantastic, thank you both.",
        "This is a great outcome, and we're excited to get the German team live.",
    )
    c.point("Agreed: three-year term at 15% off, price locked, exit clause if EU go-live slips.")
    c.point("Implementation included; final order form to be sent today.")


def success_kestrel(c: Ctx) -> None:
    c.topic = "Renewal"
    (term,) = c.plan.objections
    c.say("fin", "Here it is.", Marked(term.text, "objection", term.kind))
    c.say("mgr", "That's a fair trade.")
    c.say(
        "rep",
        "Here's what we can do.",
        "Two years, year one flat at $72,000 with no uplift at all, and year two capped at three "
        "percent.",
        "And we'll lock the same per-seat price for any seats you add during the term, including "
        "marketing.",
    )
    c.say("fin", "So year two is at most $74,160?")
    c.say("rep", "Exactly.")
    c.say("fin", "Okay. That works for me, I can approve that today.")
    c.say("sales", "Great, and that makes the marketing conversation a lot easier.")
    c.say(
        "rep",
        "I really appreciate it, thank you both.",
        "Honestly, your team has done great work with the platform this year.",
    )
    c.topic = "Next Steps"
    c.say("fin", "Send over the order form and I'll sign it this week.")
    c.say("rep", "You'll have it within the hour.")
    c.point("Renewal agreed: two years, no uplift in year one, year two capped at 3%.")


def stalled_close(c: Ctx) -> None:
    c.topic = "Next Steps"
    role, blocker = S.blockers[c.acct.name]
    lines = S.stalled[c.acct.name]
    c.say(
        "rep",
        c.pick(
            (
                "So, where do things stand on your side?",
                "Before we wrap, where are we on the decision?",
            )
        ),
    )
    c.say(role, lines["lead"], Marked(blocker, "blocker"))
    c.say(c.closer(), lines["ours"])
    c.say(role, lines["theirs"])
    c.say("rep", lines["hold"])
    other = c.other_cust(role)
    if other != role:
        c.say(other, lines["other"])
    c.say("rep", "Thank you, I appreciate that.")
    c.point("Deal blocked: " + blocker)
