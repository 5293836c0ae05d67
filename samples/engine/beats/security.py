"""Security reviews."""

from __future__ import annotations

from ..ctx import Ctx, _strings
from ..story import S


def b_sec_intro(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    # Each opener with the replies that fit it.
    opener, replies = c.pick_for(
        sec,
        (
            (
                "I went through the package, and {champ} and I have a list.",
                ("Great, go ahead.", "Happy to go through everything."),
            ),
            ("Thanks for sending the docs early.", ("Of course.", "Glad they helped.")),
            (
                ("Fair warning, we're a tough crowd.", "Bear with me."),
                ("Not at all, fire away.", "That's what we're here for."),
            ),
            (("I've read it all.", "Let's go."), ("Fire away.", "Ready when you are.")),
        ),
    )
    c.say(sec, opener)
    c.say(c.tech(), c.pick(replies))


def b_sec_qa(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    for questions, answers, follow in c.choose(
        S.sec_qa, 2, blocked=lambda o: not c.open_alternatives(o[0], o[1])
    ):
        c.say(sec, c.pick(questions))
        c.say(c.tech(), c.pick(answers))
        if follow and c.rng.random() < 0.6:
            c.say(sec, follow[0])
            c.say(c.tech(), follow[1])
        if c.rng.random() < 0.5:
            c.ack(sec)
    c.point("Security review: covered certifications, access and data handling.")


def b_sec_residency(c: Ctx) -> None:
    c.topic = "Data Residency"
    sec = c.cust("sec", "ops", "admin")
    c.say(
        sec,
        c.pick(
            (
                "Let's talk about data residency.",
                "Next, residency.",
                "The big one for us is where the data lives.",
            )
        ),
        c.acct.residency,
    )
    if c.acct.region == "EU":
        c.say(
            c.tech(),
            c.pick(
                (
                    (
                        "We have an EU region in Frankfurt, with failover in Dublin.",
                        "For {co}, data, backups and support access would all stay in the EU, "
                        "and that's written into the DPA.",
                    ),
                    (
                        "You'd be hosted in our EU region, which runs in Frankfurt.",
                        "Nothing of {co}'s leaves the EU, backups included, and support comes "
                        "from our EU team unless you approve otherwise.",
                    ),
                )
            ),
        )
        # (Unless the account's own security exchange already asks this in its own words.)
        own = " ".join(_strings(S.sec_specific.get(c.acct.name, ())))
        if "Frankfurt" in own:
            c.ack(sec)
            c.point("Data residency: EU hosting in Frankfurt, backups included.")
            return
        c.say(sec, "And the users in {hq}, is it slower for them if the data sits in Frankfurt?")
        c.say(
            c.tech(),
            c.pick(
                (
                    "Not noticeably, most of the app is cached at the edge, so {hq} won't feel it.",
                    "Hardly, the app is cached close to the user, so your people in {hq} won't "
                    "notice.",
                )
            ),
        )
        c.point("Data residency: EU hosting in Frankfurt, backups included.")
    else:
        c.say(
            c.tech(),
            c.pick(
                (
                    (
                        "Like our other {industry} customers, you'd sit in our US region, "
                        "Virginia with failover in Oregon.",
                        "And for {co} we can commit to US-only hosting in the contract, backups "
                        "and support access included.",
                    ),
                    (
                        "All of {co}'s data would stay in our US region.",
                        "That goes into the {co} DPA, backups included, so nothing is replicated "
                        "outside the US.",
                    ),
                )
            ),
        )
        c.point("Data residency: US-only hosting can be committed in the DPA.")
    c.ack(sec)


def b_sec_questionnaire(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    c.say(
        sec,
        c.pick(
            (
                "Where are you with our questionnaire?",
                "The questionnaire is the last big thing. How far along are you?",
                "How's the {co} questionnaire coming along?",
            )
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                "About two thirds done, the rest are about your setup, so we'll need "
                "thirty minutes "
                "with {admin}.",
                "It's done except for a handful that need input from {co}, I'll send those over "
                "today.",
                "We're through all but twelve, and those twelve are about how you'd configure "
                "{idp} and retention at {co}.",
                "Nearly there. The open ones are all about your {units} and who sees what.",
            )
        ),
    )
    c.say(
        sec,
        c.pick(
            (
                "Okay. Send me the open ones.",
                "Fine, just flag which ones are blocking.",
                "Good. I'll route them.",
            )
        ),
    )
    c.point("Security questionnaire nearly complete; open items to be routed.")


def b_sec_dpa(c: Ctx) -> None:
    c.topic = "Contract Terms"
    who = c.cust("legal", "sec", "proc", "ops")
    c.say(who, c.pick(("Can we use our own DPA?", "Will you sign our DPA?")))
    c.say(
        "rep",
        c.pick(
            (
                ("We can work from yours.", "It usually adds about a week for {co}'s legal team."),
                ("Yes, we do that often.", "Send it, I'll loop in counsel."),
            )
        ),
    )
    c.ack(who)


def b_sec_process(c: Ctx) -> None:
    c.topic = "Security"
    if not c.has("sec"):
        return
    c.say("sec", S.sec_process[c.acct.name], solid=True)
    c.say(
        "rep",
        c.pick(
            (
                ("Really clear, thank you.", "Nothing will stay open on our side."),
                ("Thank you, that's super helpful.", "We'll close our items fast."),
            )
        ),
    )
    c.ack("sec")


def b_sec_sso_setup(c: Ctx) -> None:
    c.topic = "SSO Setup"
    sec = c.cust("sec", "admin", "ops")
    c.say(
        sec,
        c.pick(
            (
                "How long is SSO setup, really?",
                "What's SSO setup like for us?",
            )
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "It's usually under an hour.",
                    "You create an app in {idp}, we exchange the metadata, and we test "
                    "with {admin} "
                    "first.",
                    "Then we turn on enforcement, and from then on your {unit_leads} can't log in "
                    "with a password.",
                    "If you also want SCIM, that's another thirty minutes, mostly mapping your "
                    "{units} to roles.",
                ),
                (
                    "Under an hour, usually.",
                    "We do it on a screen share with whoever owns {idp} at {co}, so nothing gets "
                    "lost in email.",
                    "One test user, then {admin}, then enforcement for everybody.",
                ),
            )
        ),
    )
    c.say(
        sec,
        c.pick(
            (
                "Okay, that's painless.",
                "That's easier than most.",
                "Good, our identity team will like that.",
            )
        ),
    )


def b_sec_ai(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    c.say(
        sec,
        c.pick(
            (
                ("Let's talk about the AI features.", "Which models do you use?"),
                ("Our AI policy is new.", "So, which models, and hosted where?"),
            )
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "Deal scoring is our own model.",
                    "Summaries use a hosted model in {co}'s region, under zero retention.",
                    "And {admin} can switch the summaries off for {co} entirely.",
                ),
                (
                    "Two kinds.",
                    "Scoring is our own model, trained only on {co} history.",
                    "Summaries are optional for {co}, and run with zero retention.",
                ),
            )
        ),
    )
    c.say(sec, c.pick(("Good. Put that in writing.", "Okay, that fits our policy.")))


def b_sec_incident(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    c.say(sec, c.pick(("Have you ever had an incident?", "Any breaches in the past?")))
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "No breaches, ever.",
                    "One availability incident last year, two hours.",
                    "The postmortem is public, and I'll send {champ} the link.",
                ),
                (
                    "No data incidents.",
                    "Worst so far was a slow sync.",
                    "Every customer got a written postmortem, and {co} would too.",
                ),
            )
        ),
    )
    c.ack(sec)


def b_sec_access_review(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    c.say(sec, c.pick(("How do we review access?", "Can we run quarterly access reviews?")))
    c.say(
        c.tech(),
        c.pick(
            (
                (
                    "There's an exportable user report.",
                    "Most customers send it to each {unit_lead} once a quarter to confirm.",
                ),
                (
                    "With the access report.",
                    "And since users come from {idp}, whoever leaves {co} is already gone.",
                ),
            )
        ),
    )
    c.ack(sec)


def b_sec_evidence(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    c.say(
        sec,
        c.pick(
            (
                ("For the file, I need three things.", "SOC 2, pen test letter, DPA."),
                ("Here's what I need on file.", "SOC 2, insurance certificate, and the DPA."),
            )
        ),
    )
    c.say(
        c.tech(),
        c.pick(
            (
                ("All three exist.", "I'll put them in one folder for {co} today."),
                ("Easy.", "You'll have them before {weekday} is over."),
            )
        ),
    )
    c.say(sec, c.pick(("Perfect.", "Great, thanks.", "That helps.")))


def b_sec_findings(c: Ctx) -> None:
    c.topic = "Security"
    sec = c.cust("sec", "ops", "admin")
    c.say(sec, c.pick(("So far, two open findings.", "I'm down to two findings.")))
    c.say("rep", c.pick(("Okay, what are they?", "Great, what are they?")))
    c.say(sec, c.pick_for(sec, S.findings_first), c.pick_for(sec, S.findings_second))
    c.say(
        c.tech(),
        "Both of those are easy.",
        c.pick(("Documents by Friday.", "I'll fix both this week.")),
    )
    c.say(
        sec,
        c.pick(("Great. Then we're close.", "Perfect, that would close it out.")),
    )
    c.point("Two open security findings; documentation promised by end of week.")
