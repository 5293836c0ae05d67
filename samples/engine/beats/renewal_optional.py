"""Short optional renewal exchanges."""

from __future__ import annotations

from ..ctx import Ctx


def b_renew_hubspot(c: Ctx) -> None:
    c.topic = "Roadmap"
    who = c.cust("ops", "sales", "fin")
    c.say(who, "Is the HubSpot connector still on the roadmap?")
    c.say(
        "rep",
        "It's in beta, and I'd love Kestrel in it, with marketing coming on board.",
        "Luis would get early access, and his feedback goes straight to the product team.",
    )
    c.say(who, c.pick_for(who, ("Luis will be thrilled.", "Sign us up.")))


def b_renew_managers(c: Ctx) -> None:
    c.topic = "Usage Review"
    c.say(
        "rep",
        "One thing from the usage data.",
        "Two of your managers haven't opened the inspection view since September.",
        "I can tell you which two, and we can offer them a refresher.",
    )
    who = c.cust("sales", "ops", "fin")
    c.say(who, "Please do.", "I think I know who, but I'd like to be sure.")


def b_renew_case_study(c: Ctx) -> None:
    c.topic = "Renewal"
    c.say("rep", "Would you be open to a short case study?")
    who = c.cust("sales", "ops")
    c.say(
        who,
        "Maybe, as long as we approve every number in it.",
        "And not before the marketing rollout, I want that in the story too.",
    )
    c.say("rep", "Deal. We'll wait for that.")


def b_renew_invoice(c: Ctx) -> None:
    c.topic = "Billing"
    who = c.cust("fin", "sales")
    c.say(who, "When would the renewal invoice be dated?", "I'd like it in the right fiscal year.")
    c.say("rep", "We can date it for January, if that's the cleaner year for you.")
    c.say(who, "It is, actually. Thanks.")


def b_renew_accuracy(c: Ctx) -> None:
    c.topic = "Usage Review"
    c.say(
        "rep",
        "I also broke last quarter's accuracy down by manager.",
        "Five of your seven managers called their number within three percent.",
        "The two who didn't both had a single large deal slip in the last week.",
    )
    who = c.cust("sales", "ops", "fin")
    c.say(who, "That matches my gut.", "Can you send me that breakdown?")
    c.say("rep", "Sure, it'll be in your inbox this afternoon.")


def b_renew_sync(c: Ctx) -> None:
    c.topic = "Admin"
    who = c.cust("ops", "sales", "fin")
    c.say(who, "We saw a few sync errors last month, should I worry?")
    c.say(
        "rep",
        "No, I checked before the call.",
        "All eleven came from one validation rule on the opportunity object, which blocks our "
        "writeback when the next step field is empty.",
        "Loosen that rule for the integration user and they'll stop.",
    )
    c.say(who, "Easy enough, I'll pass that on.")


def b_renew_sponsor(c: Ctx) -> None:
    c.topic = "Renewal"
    c.say(
        "rep",
        "Something I'd like to propose for next year.",
        "A short business review twice a year, with Hannah, Grace and our VP of customer success.",
        "Half an hour, just results and what's coming.",
    )
    who = c.cust("fin", "sales")
    c.say(
        who,
        c.pick_for(
            who, ("Happy to, if Grace can make it.", "Sure, as long as it stays at half an hour.")
        ),
    )


def b_renew_feature(c: Ctx) -> None:
    c.topic = "Roadmap"
    who = c.cust("sales", "ops")
    c.say(
        who,
        "One feature request.",
        "Once we add the mid-market segment, I want a forecast per segment, not just per team.",
    )
    c.say(
        "rep",
        "Good news, segment forecasts are in the spring release.",
        "I'll put you on the early access list.",
    )
    c.say(who, "Perfect.")


def b_renew_board_pack(c: Ctx) -> None:
    c.topic = "Reporting"
    who = c.cust("fin", "sales")
    c.say(
        who,
        "Can your numbers go straight into our board pack?",
        "Right now someone copies them into slides every quarter.",
    )
    c.say(
        "rep",
        "Yes, there's an export template for board decks.",
        "It keeps your slide layout and refreshes the numbers, so nobody retypes anything.",
    )
    c.say(who, "That alone saves an afternoon a quarter.")


def b_renew_support(c: Ctx) -> None:
    c.topic = "Renewal"
    c.say(
        "rep",
        "Quick look at support this year.",
        "You opened nine tickets, and the median time to resolve was under a day.",
        "The only slow one was the stage mapping question in the spring.",
    )
    who = c.cust("sales", "ops", "fin")
    c.say(
        who, "Honestly, support has been good.", "That spring one took a while, but it got fixed."
    )


def b_renew_preview(c: Ctx) -> None:
    c.topic = "Expansion"
    c.say(
        "rep",
        "Luis and I set up a preview of the marketing view last week.",
        "It shows pipeline by campaign source next to the sales forecast, on the same data.",
    )
    who = c.cust("sales", "fin", "ops")
    c.say(who, "Ben saw it, I think.", "He's been talking about it in every meeting since.")
    c.say("rep", "That's the best review we could ask for.")


def b_renew_ceo(c: Ctx) -> None:
    c.topic = "Renewal"
    who = c.cust("sales", "fin")
    c.say(who, "Our CEO asked for a login to the forecast view.", "Does that cost us a seat?")
    c.say(
        "rep",
        "No, viewer access is free.",
        "I'll set him up with the executive summary as his home page, so he doesn't get lost.",
    )
    c.say(who, "Good, he'll like that.")


def b_renew_mobile(c: Ctx) -> None:
    c.topic = "Usage Review"
    c.say(
        "rep",
        "Small win on the mobile app, by the way.",
        "Installs went from about a third of your reps to just over half since the summer.",
    )
    who = c.cust("sales", "ops", "fin")
    c.say(who, "The managers started using it in one-on-ones, so the reps followed.")
