"""Spoken sentences made readable: fillers, stutters and false starts taken out.

Transcripts keep every "um", "I I I" and half word; a summary that quotes them is hard to
read. Tidying only removes words (it never rewrites or reorders them), so a tidied quote
still says what the cited moment said.
"""

from __future__ import annotations

import re

__all__ = ["tidy"]

# Sounds that carry no words. "Mm - hmm" is how some transcribers spell a backchannel.
_FILLER = re.compile(
    r"\b(?:mm+\s*-?\s*hmm+|uh\s*-?\s*huh|u+m+|u+h+m*|e+r+m+|e+r+|a+h+|hm+|m+h?m+)\b"
    r"(?:\s*-\s*(?=\w))?[,.]?",
    re.IGNORECASE,
)
# Phrases that pad a sentence wherever they stand, set off by commas.
_PADDING = re.compile(r",\s*(?:you know|I mean|sort of|kind of|like)\s*,\s*", re.IGNORECASE)
# Words that only open a sentence ("So, yeah, okay, the price ..."): dropped from its start.
_OPENING_WORDS = (
    *"so okay ok yeah yes yep well right and but or oh alright now also anyway like".split(),
    *"actually basically then because cause 'cause um uh".split(),
    *("all right", "you know", "I mean"),
)
_OPENER = re.compile(rf"^(?:(?:{'|'.join(_OPENING_WORDS)})\b[\s,.\-–—]*)+", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
_EDGE = re.compile(r"^\W+|\W+$")
# Real short words that may begin the next word ("to tomorrow", "a about"): never cut.
_SHORT_WORDS = frozenset(
    "a an as at be by do go he if in is it me my no of on or so to up us we "
    "and any are but can did for had has her him his how its may not now off one our out "
    "own saw say see she the too two was way who why yes yet you".split()
)


def tidy(text: str) -> str:
    """`text` without fillers, repeated words, half-words and leading discourse markers."""
    text = _FILLER.sub(" ", text)
    text = _PADDING.sub(" ", text)
    words = _without_repeats(_without_half_words(_TOKEN.findall(text)))
    text = " ".join(words)
    text = _OPENER.sub("", text).strip(" ,;:-–—")
    text = re.sub(r"\s+([,.;:?!])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"^[,;:.\s]+", "", text)
    text = re.sub(r"\s*\"\s*\"", "", text)
    if not any(c.isalnum() for c in text):
        return ""
    return text[:1].upper() + text[1:]


def _bare(token: str) -> str:
    return _EDGE.sub("", token).casefold()


def _without_half_words(tokens: list[str]) -> list[str]:
    """Drop cut-off words: "th- the", "i individual", "ta takes"."""
    kept = []
    for i, token in enumerate(tokens):
        nxt = _bare(tokens[i + 1]) if i + 1 < len(tokens) else ""
        bare = _bare(token)
        if token.endswith("-") and len(bare) <= 4 and not token.startswith("-"):
            continue
        # A lone lower-case letter other than "a" is a word cut off after its first sound.
        if len(token) == 1 and token.isalpha() and token.islower() and token != "a":
            continue
        if (
            bare
            and token.isalpha()
            and token.islower()
            and len(bare) <= 3
            and bare not in _SHORT_WORDS
            and len(nxt) > len(bare)
            and nxt.startswith(bare)
        ):
            continue
        kept.append(token)
    return kept


def _without_repeats(tokens: list[str]) -> list[str]:
    """Collapse stutters: "we we went we went" -> "we went" (runs of one to three words)."""
    out: list[str] = []
    bare: list[str] = []
    for token in tokens:
        out.append(token)
        bare.append(_bare(token))
        for size in (1, 2, 3):
            n = len(out)
            last = bare[n - size :]
            if n >= 2 * size and any(last) and last == bare[n - 2 * size : n - size]:
                # Keep the later copy: it is the one the speaker finished.
                del out[n - 2 * size : n - size]
                del bare[n - 2 * size : n - size]
                break
    return out
