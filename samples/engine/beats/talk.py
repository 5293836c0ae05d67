"""Opening, introductions, agenda and next steps: what every call has."""

from __future__ import annotations

from ..ctx import Ctx, _plain_title
from ..story import S


def b_opening(c: Ctx) -> None:
    c.topic = "Call Setup"
    lead = c.customers[0]
    shape = c.rng.randrange(3)
    if shape == 1:
        late, reply = c.pick(S.late)
        c.say(lead, late)
        c.say("rep", reply, c.pick(S.late_how_are_you))
        c.say(lead, c.pick(S.late_sorry_replies))
    elif c.rng.random() < 0.35:
        c.say("rep", c.pick(S.greet_hear), you=c.name(lead))
        c.say(lead, c.pick(S.hear_replies))
    elif c.rng.random() < 0.5:
        greeting, replies = c.pick(S.greet_plain)
        c.say("rep", greeting, you=c.name(lead))
        c.say(lead, c.pick(replies))
    else:
        c.say("rep", c.pick(S.greet_how), you=c.name(lead))
        c.say(lead, c.pick(S.how_replies))
    if shape == 2:
        lines = c.pick(S.tech_trouble)
        who = c.other_cust(lead)
        c.say(who, lines[0])
        c.say("rep", lines[1])
        c.say(who, lines[2])
        c.say("rep", lines[3])
    c.topic = "Small Talk"
    question, answer, follow = c.pick((*S.small_talk[c.acct.name], *S.small_talk_any))
    c.say("rep", question)
    c.say(lead, answer)
    c.say("rep", follow)
    if c.rng.random() < 0.6:
        c.topic = "Call Setup"
        c.say("rep", c.pick(S.recording))
        c.say(lead, c.pick(S.recording_ok))


def b_intros(c: Ctx) -> None:
    c.topic = "Introductions"
    if c.has("se") and "se" not in c.met:
        c.say("rep", c.pick(S.intro_se))
        c.say("se", c.pick(S.intro_se_hellos))
    if c.has("mgr") and "mgr" not in c.met:
        c.say("rep", c.pick(S.intro_mgr))
        c.say("mgr", c.pick(S.intro_mgr_hellos))
    lead = c.customers[0]
    for role in c.customers:
        if role in c.met or c.plan.kind == "discovery":
            continue  # discovery opens with everyone describing their own role
        person = c.person(role)
        if role == lead:
            # The lead has already been chatting; only the rep can welcome them.
            c.say("rep", c.pick(S.intro_lead_welcomes, name=person.first), name=person.first)
            c.say(role, c.pick_for(role, S.role_intros[role]))
            continue
        c.say(
            lead,
            c.pick(S.intro_colleague, name=person.first, title=_plain_title(person.title)),
            name=person.first,
            title=_plain_title(person.title),
        )
        c.say(role, c.pick_for(role, S.role_intros[role]))
        if c.rng.random() < 0.5:
            c.say("rep", c.pick(S.intro_welcomes), name=person.first)


def b_agenda(c: Ctx) -> None:
    c.topic = "Agenda"
    kind = c.plan.kind
    if kind in ("demo", "renewal") and c.round > 0:
        kind += "_later"
    c.say("rep", c.pick(S.agendas[kind]), c.pick(S.agenda_checks))
    lead = c.customers[0]
    if c.rng.random() < 0.5:
        c.say(lead, c.pick(S.agenda_ok))
    else:
        c.say(lead, c.pick(S.agenda_ok_but), c.pick_for(lead, S.agenda_addons[c.plan.kind]))
        c.say("rep", c.pick(S.agenda_addon_replies))


def b_next_steps(c: Ctx) -> None:
    c.topic = "Next Steps"
    kind = c.plan.kind
    options = [a for a in S.our_actions[kind] if "{se}" not in a or c.has("se")]
    ours = [c.f(a) for a in c.choose(options, 2)]
    c.say(
        "rep",
        c.pick(S.wrap_leadins),
        "On our side, " + _lower_first(ours[0]),
        "And " + _lower_first(ours[1]),
    )
    who = c.cust("sec", "ops") if kind == "security" else c.cust("ops", "sales", "exec", "fin")
    c.say(who, c.pick_for(who, S.their_actions[kind]))
    c.say("rep", c.pick(S.next_steps_thanks))
    asks = ("Can we grab thirty minutes {day}?", "Should we pencil in {day}?", "Does {day} work?")
    c.say("rep", c.pick([ask.format(day=day) for ask in asks for day in S.next_days]))
    c.say(who, c.pick(S.meeting_replies))
    c.say("rep", c.pick(S.meeting_invites))
    c.point("Next steps agreed: " + _lower_first(ours[0]))


def _lower_first(text: str) -> str:
    first = text.split()[0]
    return first.lower() + text[len(first) :] if first in {"We'll", "We", "Our", "The"} else text
