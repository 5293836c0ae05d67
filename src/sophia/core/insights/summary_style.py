"""How a unit reads: the share of each common English function word, of a few word endings,
and of longer words.

Written summaries name things ("the price of the annual plan") where talk points at them
("that one, it's fine"); a unit's function words say which of the two it is. Only general
English words are listed here: nothing a corpus's own topics could teach.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["STYLE_FEATURES", "style_features"]

_FUNCTION_WORDS = (
    *"the of and to a in that is for it on with as was be this by are at from or an have".split(),
    *"not but they we you i he she his her their our my your its them us me will would".split(),
    *"can could should there which what who when where how why if then than so also all".split(),
    *"some any more most no do does did has had been being were about into over after".split(),
    *"before up down out new one two very just like think know mean yeah okay well oh um".split(),
    *"right really actually sort kind thing things gonna need want let's we'll i'm it's".split(),
    *"that's don't".split(),
)
_ENDINGS = ("ing", "ed", "tion", "ment", "s", "ly", "al", "er", "ity", "ive")
_WORD = re.compile(r"[a-z][a-z']*")
_INDEX = {w: i for i, w in enumerate(_FUNCTION_WORDS)}

STYLE_FEATURES = (
    *(f"word:{w}" for w in _FUNCTION_WORDS),
    *(f"ending:{e}" for e in _ENDINGS),
    "word_length",
    "other_words",
)


def style_features(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """One row of STYLE_FEATURES per text: each a share of the text's words."""
    rows = np.zeros((len(texts), len(STYLE_FEATURES)))
    ending_at = len(_FUNCTION_WORDS)
    for k, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        row = rows[k]
        for word in words:
            if word in _INDEX:
                row[_INDEX[word]] += 1
                continue
            for e, ending in enumerate(_ENDINGS):
                if word.endswith(ending) and len(word) > len(ending) + 2:
                    row[ending_at + e] += 1
        row[-2] = sum(len(w) for w in words)
        row[-1] = sum(w not in _INDEX for w in words)
        row /= max(len(words), 1)
    return rows
