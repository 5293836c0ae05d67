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
# A restart repeats a word said at most this many words before it.
_RESTART_GAP = 4
_SENTENCE_END = re.compile(r"[.?!;:]$")
# Words a restarted sentence opens with: pronouns, determiners, question words, auxiliaries.
_RESTART_WORDS = frozenset(
    "we you they he she it there that this these those the what where when why how who "
    "which is are was were do does did can could would should will we're we've we'll "
    "you're you've they're it's that's there's what's let's".split()
)
# Unmarked restarts ("we have to we have about four minutes") open with a subject, said again
# at most this many words later.
_SPOKEN_RESTART_GAP = 7
_SUBJECTS = frozenset(
    "i we you they he she it there i'm i've i'll i'd we're we've we'll you're you've they're "
    "it's there's that's what's let's".split()
)
# "you know" and "I mean" are padding, not the start of a sentence.
_NOT_RESTARTS = frozenset({("you", "know"), ("i", "mean")})
# Between two clauses that open alike ("what we do and how we do it", "better to put it there
# than to put it here") or after a wh-word ("what they do is they do it"), a repeat is
# grammar, not a restart.
_JOINERS = frozenset(
    "and or but nor because cause so then while when if where what which who whether than why "
    "how".split()
)
# "the same problems we have": a subject after a determiner and its noun opens a relative
# clause.
_DETERMINERS = frozenset(
    "the a an this that these those same every any some my our your their his her its".split()
)
# No phrase goes on from an article to one of these ("for the design of a for the beginning"):
# the speaker broke off and began again at the word said at most this many words before.
_CUT_OFF_GAP = 8
_NOT_AFTER_ARTICLE = frozenset(
    "for of to in on with at from by about into we i you they he she it this that these those "
    "the a an my our your their is are was were".split()
)
_ARTICLES = frozenset({"a", "an", "the"})
# No noun phrase goes on from an article to a subject pronoun: "the we got to the point" began
# again at "we".
_PRONOUNS = frozenset("i we you they he she it".split())
_EDGE = re.compile(r"^\W+|\W+$")
# Real short words that may begin the next word ("to tomorrow", "a about"): never cut.
_SHORT_WORDS = frozenset(
    "a an as at be by do go he if in is it me my no of on or so to up us we "
    "and any are but can did for had has her him his how its may not now off one our out "
    "own saw say see she the too two was way who why yes yet you".split()
)


def tidy(text: str) -> str:
    """`text` without fillers, repeated words, half-words, false starts and leading
    discourse markers."""
    text = _FILLER.sub(" ", text)
    text = _PADDING.sub(" ", text)
    words = _without_half_words(_TOKEN.findall(text))
    words = _without_restarts(_without_repeats(words))
    words = _without_cut_off_articles(_without_spoken_restarts(words))
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
            and (
                (len(nxt) > len(bare) and nxt.startswith(bare))
                # Begun again a word back: "on th on the sides".
                or _begun_again(tokens, i, bare)
            )
        ):
            continue
        kept.append(token)
    return kept


def _begun_again(tokens: list[str], i: int, bare: str) -> bool:
    """Whether the words around `tokens[i]` say it again whole: "on th on the"."""
    if not 0 < i < len(tokens) - 2:
        return False
    after = _bare(tokens[i + 2])
    return (
        _bare(tokens[i - 1]) == _bare(tokens[i + 1])
        and len(after) > len(bare)
        and after.startswith(bare)
    )


def _without_repeats(tokens: list[str]) -> list[str]:
    """Collapse stutters: "we we went we went" -> "we went" (runs of one to four words)."""
    out: list[str] = []
    bare: list[str] = []
    for token in tokens:
        out.append(token)
        bare.append(_bare(token))
        for size in (1, 2, 3, 4):
            n = len(out)
            last = bare[n - size :]
            if n >= 2 * size and any(last) and last == bare[n - 2 * size : n - size]:
                # Keep the later copy: it is the one the speaker finished.
                del out[n - 2 * size : n - size]
                del bare[n - 2 * size : n - size]
                break
    return out


def _without_restarts(tokens: list[str]) -> list[str]:
    """Drop false starts: "There are slight There are differences" -> "There are differences".

    Transcribers capitalise a restarted sentence mid-line, so a restart is a capitalised
    word that opens sentences ("There", "We", "What"; never a name) whose two words repeat
    two said at most `_RESTART_GAP` words before, in the same sentence: the words from the
    earlier pair up to the restart were abandoned."""
    out: list[str] = []
    for j, token in enumerate(tokens):
        if token[:1].isupper() and _bare(token) in _RESTART_WORDS:
            pair = [_bare(t) for t in tokens[j : j + 2]]
            for back in range(1, min(_RESTART_GAP, len(out)) + 1):
                if _SENTENCE_END.search(out[-back]):
                    break
                if back > 1 and [_bare(t) for t in out[-back : len(out) - back + 2]] == pair:
                    del out[-back:]
                    break
        out.append(token)
    return out


def _without_spoken_restarts(tokens: list[str]) -> list[str]:
    """Drop unmarked false starts: "We have to we have about four minutes" -> "We have about
    four minutes".

    A subject and the word after it said again within `_SPOKEN_RESTART_GAP` words, in the same
    clause, abandons what was said from the first pair on; unless a joiner, a wh-word or a
    determiner and noun show the repeat is grammar ("what we do and how we do it")."""
    bare = [_bare(t) for t in tokens]
    kept: list[int] = []  # indices into tokens
    for j, word in enumerate(bare):
        pair = tuple(bare[j : j + 2])
        if (
            len(pair) == 2
            and word in _SUBJECTS
            and pair not in _NOT_RESTARTS
            and kept
            and not _ends_clause(tokens[kept[-1]])
        ):
            for back in range(2, min(_SPOKEN_RESTART_GAP, len(kept)) + 1):
                first = kept[-back]
                if _ends_clause(tokens[first]):
                    break
                if (bare[first], bare[kept[-back + 1]]) != pair:
                    continue
                before = bare[kept[-back - 1]] if len(kept) > back else ""
                grammar = (
                    before in _JOINERS
                    or any(bare[i] in _JOINERS for i in kept[-back + 1 :])
                    or (
                        len(kept) >= 2
                        and bare[kept[-2]] in _DETERMINERS
                        and bare[kept[-1]] not in _NOT_AFTER_ARTICLE
                    )
                )
                if not grammar:
                    del kept[-back:]
                break
        kept.append(j)
    return [tokens[i] for i in kept]


def _without_cut_off_articles(tokens: list[str]) -> list[str]:
    """Drop a phrase broken off after an article and begun again: "a kick-off meeting for the
    design of a for the beginning" -> "a kick-off meeting for the beginning", an article
    changed on the spot: "want a an LCD" -> "want an LCD", and one left for a new start at a
    pronoun: "the we got there" -> "we got there"."""
    bare = [_bare(t) for t in tokens]
    kept: list[int] = []  # indices into tokens
    for j, word in enumerate(bare):
        if (
            kept
            and bare[kept[-1]] in _ARTICLES
            # "from A to B": the letter again, unless it opens the sentence.
            and not (len(kept) > 1 and _letter_a(tokens[kept[-1]]))
            and word in _NOT_AFTER_ARTICLE
            and tuple(bare[j : j + 2]) not in _NOT_RESTARTS
            and not _letter_a(tokens[j])
        ):
            again = _said_before(tokens, bare, kept, word)
            if again:
                del kept[-again:]
            elif _replaces_article(tokens, kept[-1], j):
                # Not begun again at an earlier word: the article was corrected ("a an LCD"),
                # or left for a new start ("the it should be easy").
                del kept[-1]
        kept.append(j)
    return [tokens[i] for i in kept]


def _said_before(tokens: list[str], bare: list[str], kept: list[int], word: str) -> int:
    """How far back in `kept` (at least 2) the clause said `word` last, or 0."""
    for back in range(2, min(_CUT_OFF_GAP, len(kept)) + 1):
        if _ends_clause(tokens[kept[-back]]):
            return 0
        if bare[kept[-back]] == word:
            return back
    return 0


def _replaces_article(tokens: list[str], article: int, j: int) -> bool:
    """Whether `tokens[j]`, said right after the article `tokens[article]`, takes its place:
    another article ("a an LCD") or a subject pronoun that begins anew ("the we got", "an I
    don't know"), but not an acronym ("the IT team") or a letter ("an I,", "the I - triple -
    E", "A I")."""
    word = _EDGE.sub("", tokens[j])
    said = word.casefold()
    if said in _ARTICLES:
        return said != _bare(tokens[article])
    if word == "I":
        spelt = tokens[j] != word or j + 1 == len(tokens) or tokens[j + 1] == "-"
        return tokens[article] != "A" and not spelt
    return said in _PRONOUNS and not word.isupper()


def _letter_a(token: str) -> bool:
    """A capital A standing alone: mid-sentence, the letter ("the A - to - D", "from A to B")."""
    return _EDGE.sub("", token) == "A"


def _ends_clause(token: str) -> bool:
    return bool(_SENTENCE_END.search(token)) or token.endswith(",")
