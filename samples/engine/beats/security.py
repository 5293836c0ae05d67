"""Security beats with more logic than a script: the question rounds and data residency."""

from __future__ import annotations

from ..ctx import Ctx, _strings
from ..story import S


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
    c.say(sec, c.pick(S.residency_asks), c.acct.residency)
    if c.acct.region == "EU":
        c.say(c.tech(), c.pick(S.residency_eu))
        # (Unless the account's own security exchange already asks this in its own words.)
        own = " ".join(_strings(S.sec_specific.get(c.acct.name, ())))
        if "Frankfurt" in own:
            c.ack(sec)
            c.point("Data residency: EU hosting in Frankfurt, backups included.")
            return
        c.say(sec, "And the users in {hq}, is it slower for them if the data sits in Frankfurt?")
        c.say(c.tech(), c.pick(S.residency_latency))
        c.point("Data residency: EU hosting in Frankfurt, backups included.")
    else:
        c.say(c.tech(), c.pick(S.residency_us))
        c.point("Data residency: US-only hosting can be committed in the DPA.")
    c.ack(sec)
