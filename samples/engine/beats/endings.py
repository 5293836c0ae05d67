"""Each account's own exchange for the round, and how a stalled deal's last call ends."""

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


def stalled_close(c: Ctx) -> None:
    c.topic = "Next Steps"
    role, blocker = S.blockers[c.acct.name]
    lines = S.stalled[c.acct.name]
    c.say("rep", c.pick(S.where_things_stand_asks))
    c.say(role, lines["lead"], Marked(blocker, "blocker"))
    c.say(c.closer(), lines["ours"])
    c.say(role, lines["theirs"])
    c.say("rep", lines["hold"])
    other = c.other_cust(role)
    if other != role:
        c.say(other, lines["other"])
    c.say("rep", "Thank you, I appreciate that.")
    c.point("Deal blocked: " + blocker)
