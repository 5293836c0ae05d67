"""The readable rules of `understand`: which intent a question has, which side of the table
it asks about, the roles people are called by, and the words that only frame a question.

Rules, not a model: a surprising answer can be explained by reading this page. The first
rule that matches decides the intent; `understanding.py` then adjusts it to what the
question names (a named account turns "stalled?" into that deal's status, and so on).
"""

from __future__ import annotations

import re

from sophia.core.insights.answer import Intent
from sophia.core.models import Affiliation

__all__ = ["FILLER", "ROLES", "RULES", "SIDE_RULES", "SUBJECT_VERBS", "intent_of", "side_of"]


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


RULES: list[tuple[Intent, re.Pattern[str]]] = [
    (
        Intent.LAST_CALL,
        _rx(
            r"\b(?:last|latest|most recent|previous)\s+"
            r"(?:call|meeting|conversation|touch ?point)s?\b",
            r"\bwhen did we (?:last )?(?:talk|speak|meet|call)\b",
            r"\blast (?:talked|spoke|met)\b",
        ),
    ),
    (
        Intent.COMPETITORS,
        _rx(
            r"\bcompetit",
            r"\bcompetition\b",
            r"\blos(?:e|es|ing|t) (?:deals? )?(?:to|against)\b",
            r"\bcompar(?:e|es|ed|ing) (?:us|our)\b",
            r"\bother vendors?\b",
            r"\bwho else\b",
        ),
    ),
    (
        Intent.STAKEHOLDERS,
        _rx(
            r"\bdecision[- ]?makers?\b",
            r"\bstakeholders?\b",
            r"\bbuying (?:committee|group|team|center)\b",
            r"\borg ?chart\b",
            r"\bwho(?:'s| is| are)? (?:the |their |our )?(?:champion|sponsor|economic buyer|"
            r"contacts?|people|attendees|participants)\b",
            r"\bwho\b.{0,40}?\b(?:signs? off|sign-off|approves?|final say|decides?|"
            r"(?:have|did|has) (?:we|anyone) (?:met|meet|talk(?:ed)?|spoken|speak)|"
            r"(?:was|were|has been|have been) on\b|involved|attend(?:ed|s)?|joined)",
            r"\bwho (?:is|are|'s) (?:the |their )?(?:cfo|ceo|cro|coo|cto|cio|ciso|vp|head|director|"
            r"controller|lead|manager|counsel|admin|finance|procurement|legal|security)",
        ),
    ),
    (
        Intent.STALLED,
        _rx(
            r"\b(?:stall(?:ed|ing)?|stuck|gone (?:quiet|dark|cold)|no (?:recent )?activity|slipp)",
        ),
    ),
    (
        Intent.DEAL_STATUS,
        _rx(
            r"\bwhere (?:are|do) we (?:stand )?(?:with|on)\b",
            r"\bstatus\b",
            r"\bstage\b",
            r"\bstate of (?:the|play)\b",
            r"\bhow(?:'s| is) the .{0,30}?(?:deal|opportunity|opp)\b",
            r"\b(?:what's|what is|whats) (?:going on|happening|the latest|new) (?:with|at)\b",
            r"\blatest (?:on|with)\b",
            r"\b(?:expected|going|likely|set|forecast(?:ed)?) to close\b",
            r"\bclose date\b",
            r"\bwhen (?:will|does|is|do) .{0,30}?clos",
            r"\bblock(?:ing|ers?|ed)\b",
            r"\bred flags?\b",
            r"\bat risk\b",
            r"\bpipeline\b",
        ),
    ),
    (
        Intent.COACHING,
        _rx(
            r"\b(?:successful|success|winning|coach(?:ing)?|talk tracks?|worked well|what worked|"
            r"good examples?|best (?:calls?|examples?))\b",
            r"\bhow did we (?:win|close|land|save)\b",
        ),
    ),
    (
        Intent.RECENT_CALLS,
        _rx(
            r"\bdigest\b",
            r"\bround-?up\b",
            r"\brundown\b",
            r"\bwhat(?:'s| has)? (?:happened|went on)\b",
            r"\brecent (?:calls|meetings)\b",
            r"\b(?:list|show)(?: me)? (?:the |all |our )?(?:calls|meetings)\b",
            r"\bwhich calls\b",
            r"\bhow many calls\b",
            r"\bcalls (?:this|last|in|on|from|since|during|with|yesterday|today)\b",
            r"\brecap of (?:the |our |'s )*(?:calls|meetings|week|month)\b",
        ),
    ),
    (
        Intent.TOPIC_BRIEF,
        _rx(
            r"\b(?:brief|summar|overview|recap|catch me up|themes?|trends?|key decisions|digest|"
            r"prep(?:are)?|what's new|recent conversations|objections?|concerns?|pushback|"
            r"worries|complain)",
        ),
    ),
]

# Verbs that make an account the subject: "what did Olympus say", "Moss raised".
SUBJECT_VERBS = (
    r"(?:say|said|says|saying|ask|asked|asks|asking|raise|raised|raising|mention|mentioned|"
    r"think|thought|want|wanted|wanting|push(?:ed|ing)? back|complain(?:ed|ing)?|"
    r"react(?:ed)?|worr(?:y|ied)|object(?:ed)?|tell us|told us|telling us)"
)
SIDE_RULES: list[tuple[Affiliation, re.Pattern[str]]] = [
    (
        Affiliation.INTERNAL,
        _rx(
            r"\bour (?:reps?|aes?|ses?|team|side|people|sales ?(?:team|reps?|engineers?))\b",
            r"\b(?:the )?reps? (?:say|said|tell|told|pitch|pitched|answer|answered)\b",
            r"\b(?:did|do|have) we (?:say|tell|promise|offer|pitch|answer|respond|propose|explain|"
            r"position|send|share)\b",
            r"\bwe (?:said|told|promised|offered|pitched|answered|responded|proposed|explained)\b",
        ),
    ),
    (
        Affiliation.EXTERNAL,
        _rx(
            r"\b(?:the )?(?:customers?|clients?|prospects?|buyers?)\b",
        ),
    ),
]

# People are often called by their role: "Brightwater's CFO", "the security lead at Olympus".
# Each role: how a question says it, and the job titles that hold it.
ROLES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (_rx(r"\bcfo\b", r"\bchief financial"), _rx(r"chief financial", r"\bcfo\b")),
    (_rx(r"\bcro\b", r"\bchief revenue"), _rx(r"chief revenue", r"\bcro\b")),
    (_rx(r"\bcoo\b", r"\bchief operating"), _rx(r"chief operating", r"\bcoo\b")),
    (_rx(r"\bceo\b", r"\bchief executive"), _rx(r"chief executive", r"\bceo\b")),
    (
        _rx(
            r"\bciso\b",
            r"\b(?:it |info(?:rmation)? ?)?security "
            r"(?:lead|officer|person|team|contact|people|folks|manager)s?\b",
            r"\binfosec\b",
        ),
        _rx(r"security"),
    ),
    (
        _rx(r"\bfinance (?:lead|person|team|director|people)\b", r"\bcontroller\b"),
        _rx(r"financ|controller"),
    ),
    (
        _rx(r"\b(?:procurement|purchasing) (?:team|lead|manager|person|folks|people|contact)s?\b"),
        _rx(r"procurement|purchasing"),
    ),
    (
        _rx(
            r"\blegal (?:team|counsel|folks|people|person|lead|contact)s?\b",
            r"\bcounsel\b",
            r"\blawyers?\b",
        ),
        _rx(r"counsel|legal"),
    ),
    (
        _rx(r"\brev ?ops\b", r"\brevenue operations\b", r"\bsales ?op(?:eration)?s\b"),
        _rx(r"operations"),
    ),
    (_rx(r"\bsalesforce admin"), _rx(r"salesforce")),
]

# Words that frame a question rather than say what it is about.
FILLER = frozenset(
    "what which who whom whose were was are is the any did do does came come up mentioned "
    "raised said say says saying calls call conversations conversation with in on about me show "
    "find brief briefing give tell us our please recent recently there have has been a an of "
    "for from at and how many much why when where all get list see into across during my i we "
    "you can could would should let know need summary summarize summarise overview recap "
    "catch prep prepare before meeting they them their it its he she his her this that these "
    "those else again also what's whats anyone anybody someone ask asked asking asks talk "
    "talked talking mention mentions mentioning discussed discuss discussing happened going "
    "lately today there's here's who's where's how's i'm we're still raise raising saying "
    "bring brought up".split()
)


def intent_of(text: str) -> Intent:
    """The first rule's intent that matches, else a search."""
    return next((intent for intent, rule in RULES if rule.search(text)), Intent.SEARCH)


def side_of(text: str) -> Affiliation | None:
    """Whose words the question asks for, when it says so ("our reps", "the customer")."""
    return next((side for side, rule in SIDE_RULES if rule.search(text)), None)
