"""Offline cues: the phrases that mark objections, next steps, decisions and pricing talk,
and a sentiment score tuned a little for sales conversations.

Rules, not a model: they are cheap, deterministic and explainable, which is what the
extractive path promises. Each cue is a whole-word regular expression.
"""

from __future__ import annotations

import re
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = [
    "BLOCKER",
    "DECISION",
    "NEXT_STEP",
    "NOT_OBJECTION",
    "OBJECTION",
    "POSITIVE_OUTCOME",
    "PRICING",
    "SMALL_TALK",
    "mentions",
    "objection",
    "sentiment",
    "small_talk",
]


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


PRICING = _words(
    r"pric(?:e|es|ed|ing)",
    r"cost(?:s)?",
    r"budget(?:ed|s)?",
    r"discount(?:s|ed)?",
    r"per[- ]seat",
    r"seats?",
    r"expensive",
    r"quote[ds]?",
    r"fees?",
    r"multi[- ]year",
    r"(?:three|two|one)[- ]year",
    r"ROI",
    r"invoice",
    r"payment terms",
    r"list price",
    r"contract value",
    r"afford",
)
OBJECTION = _words(
    r"concern(?:s|ed)?",
    r"worr(?:y|ied|ies)",
    r"too (?:expensive|high|much|steep|long)",
    r"above (?:what|our)",
    r"well above",
    r"over (?:our )?budget",
    r"over what",
    r"not comfortable",
    r"(?:hard|tough) (?:for (?:me|us) )?to justify",
    r"can't justify",
    r"pushback",
    r"push back",
    r"hesitant",
    r"hesitation",
    r"blocker",
    r"deal[- ]breaker",
    r"(?:no|frozen|freeze on) (?:the )?budget",
    # A freeze or a queue the deal has to wait out is an objection to buying now.
    r"(?:spend(?:ing)?|budget|purchasing|vendor) freeze",
    r"freeze on (?:all |any )?(?:new )?(?:\w+ )?"
    r"(?:spend(?:ing)?|purchases|purchasing|vendors?|tools|software)",
    r"won't (?:get to (?:it|this|that|them)|happen) (?:until|before)",
    r"out of (?:our )?budget",
    r"need (?:a|at least) \d+\s?% discount",
    r"\d+\s?% off",
    r"get to \d+",
    r"quoted (?:us )?(?:less|lower|about|around)",
    r"came in (?:at|under|around|below)",
    r"(?:a lot |much )?cheaper",
    r"(?:a lot |much )?less than",
    r"lower price",
    r"free (?:pilot|trial)",
    r"for free",
    r"match (?:our|the|your) (?:current )?price",
    r"big gap",
    r"(?:real|big) stretch",
    r"big number",
    r"has to give",
    r"apart",
    r"more than (?:I|we) (?:expected|budgeted|planned|can)",
    r"locked in",
    r"(?:has|have) to (?:come in|fit)",
    r"tough sell",
    r"won't (?:go|fly|work|sign)",
    r"can't (?:sign|commit|do|go)",
    r"doesn't work for us",
    r"uplift",
)
# Phrases that contain an objection word but say the opposite.
NOT_OBJECTION = _words(
    r"no problem",
    r"not a (?:problem|concern|blocker|issue)",
    r"no longer",
    r"address(?:es|ed)? (?:my|our|the|that|this) concerns?",
    r"no concerns?",
    r"not worried",
    r"isn't a (?:problem|concern|blocker)",
    r"that's fine",
    r"resolved",
)
BLOCKER = _words(
    r"legal",
    r"freeze",
    r"frozen",
    r"waiting (?:on|for)",
    r"blocked",
    r"on hold",
    r"pause[d]?",
    r"redlines?",
    r"DPA",
    r"MSA",
    r"security review",
    r"procurement",
    r"board",
    r"until (?:after|next|the)",
    r"sign[- ]off",
    r"approval",
)
NEXT_STEP = _words(
    r"next steps?",
    r"follow[- ]up",
    r"I'll send",
    r"we'll send",
    r"send (?:you|over|it)",
    r"I'll (?:share|get|set up|book|draft|loop|put|schedule|circle|follow)",
    r"we'll (?:share|get|set up|book|draft|loop|put|schedule|circle|follow)",
    r"let's (?:book|schedule|set up|plan|pencil)",
    r"action items?",
    r"by (?:Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|end of (?:the )?(?:day|week|month))",
    r"calendar invite",
    r"get back to you",
    r"circle back",
    r"loop in",
)
DECISION = _words(
    r"decid(?:e|ed|es|ing)",
    r"decision",
    r"approv(?:e|ed|al)",
    r"sign(?:ed|ing|ature)?",
    r"sign[- ]off",
    r"go ahead",
    r"green light",
    r"budget holder",
    r"board",
    r"procurement",
    r"agree(?:d)?",
    r"commit(?:ted|ment)?",
)
POSITIVE_OUTCOME = _words(
    r"works for (?:us|me)",
    r"sounds good",
    r"sounds great",
    r"let's do (?:it|that)",
    r"we have a deal",
    r"deal",
    r"agreed",
    r"we're in",
    r"happy (?:with|to)",
    r"move forward",
    r"moving forward",
    r"sign (?:it|this)",
    r"approved",
    r"that's fair",
    r"I can (?:take|get) (?:that|this) (?:to|approved)",
    r"send (?:me|us|over) the (?:paperwork|"
    r"order form|contract)",
)
# Greetings, pleasantries and talk about the call itself: never what a call was about.
SMALL_TALK = _words(
    r"good (?:morning|afternoon|evening)",
    r"how(?:'s| is| are| was) (?:your|the|things|everything|everyone|you|it going)",
    r"how are you(?: doing)?",
    r"(?:good|nice|great|lovely) to (?:see|meet|hear from) you",
    r"nice to meet",
    r"(?:thanks|thank you) (?:for|so much for) (?:making time|jumping on|joining|having|your time)",
    r"thanks for making (?:the )?time",
    r"can you (?:hear|see) (?:me|us)",
    r"coming through",
    r"loud and clear",
    r"(?:long |good |nice )?weekend",
    r"holiday plans?",
    r"weather",
    r"jet ?lag",
    r"sorry (?:I'm|I am|we're) late",
    r"my (?:last|other) (?:meeting|call) ran over",
    r"(?:my |the )?(?:camera|headset|mic|microphone|screen|wifi|connection) (?:is |just )?"
    r"(?:acting up|died|froze|frozen|dropped)",
    r"(?:we|I) record these",
    r"(?:okay|ok|mind) if I (?:record|keep the recorder)",
    r"recorder",
    # A wish that ends its phrase: "have a good Friday." but not "a good Friday cadence".
    r"have a (?:good|great|nice|lovely) (?:one|day|week|weekend|evening|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
    r"(?:,? (?:everyone|everybody|all)| ahead)?(?!\s*\w)",
    r"(?:really )?appreciate (?:the|your) time",
    r"talk (?:to you )?soon",
    r"(?:great|good|nice|lovely) (?:conversation|chatting|talking to you)",
    r"take care",
    r"bye",
)
# A sentence that opens with a greeting is one.
_GREETING = re.compile(r"^\W*(?:hi|hey|hello|morning|good (?:morning|afternoon|evening))\b", re.I)

# Words a general-purpose lexicon scores wrongly (or not at all) in sales talk.
_SALES_LEXICON = {
    "expensive": -1.6,
    "pricey": -1.5,
    "overpriced": -2.0,
    "blocker": -1.5,
    "freeze": -1.2,
    "frozen": -1.2,
    "pushback": -1.2,
    "hesitant": -1.1,
    "delay": -1.1,
    "delayed": -1.2,
    "stalled": -1.5,
    "concern": -1.2,
    "concerns": -1.2,
    "concerned": -1.3,
    "worried": -1.5,
    "risk": -0.8,
    "honestly": 0.0,
    "agreed": 1.3,
    "signed": 1.2,
    "approved": 1.6,
    "works": 0.8,
    "forward": 0.4,
    "deal": 0.6,
    "fair": 1.0,
}


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(_SALES_LEXICON)
    return analyzer


def sentiment(text: str) -> float:
    """VADER compound score in [-1, 1], with a small sales vocabulary on top."""
    return float(_analyzer().polarity_scores(text)["compound"])


def mentions(pattern: re.Pattern[str], text: str) -> int:
    """How many times the cue occurs in `text`."""
    return len(pattern.findall(text))


def small_talk(text: str) -> bool:
    """Whether a sentence is a greeting, a pleasantry or talk about the call itself."""
    return bool(_GREETING.search(text) or SMALL_TALK.search(text))


def objection(text: str) -> float:
    """How strongly a sentence reads as an objection (0: not one)."""
    if NOT_OBJECTION.search(text):
        return 0.0
    hits = mentions(OBJECTION, text)
    return hits + 0.5 * bool(hits and (PRICING.search(text) or _MONEY.search(text)))


_MONEY = re.compile(r"\$\s?\d[\d,.]*(?:k|K)?|\b\d+\s?(?:%|percent)")
