"""What the leak tests ask: the restricted accounts of samples/, what would betray each one
(`Corpus`), and the questions a person might ask about them or about everything."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sophia.core.models import Affiliation, Call

__all__ = [
    "RESTRICTED",
    "Corpus",
    "Question",
    "generic_questions",
    "questions",
    "questions_about",
    "surface_sample",
]

RESTRICTED = ("Moss & Co", "Halden Energy", "Brightwater Health")

Kind = Literal[
    "search", "ask", "brief", "call", "competitors", "stalled", "coaching", "weekly_brief"
]


@dataclass(frozen=True)
class Question:
    """One thing to ask; `about` names the restricted account it targets, if any, and
    `expects` says an allowed person must get that account's calls back."""

    kind: Kind
    text: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    about: str | None = None
    expects: bool = False
    mode: Literal["hybrid", "semantic", "keyword"] = "hybrid"  # searches only

    def label(self) -> str:
        extra = f" {json.dumps(self.filters, sort_keys=True)}" if self.filters else ""
        mode = f" {self.mode}" if self.mode != "hybrid" else ""
        return f"{self.kind}({self.text!r}){extra}{mode}"


@dataclass
class Corpus:
    """The indexed calls of each restricted account, and what would betray each one."""

    calls: dict[str, set[str]]  # account -> call ids
    markers: dict[str, set[str]]  # account -> strings that only its calls contain
    titles: dict[str, str]  # call id -> title

    @classmethod
    def of(cls, calls: Sequence[Call]) -> Corpus:
        by_account: dict[str, set[str]] = {a: set() for a in RESTRICTED}
        markers: dict[str, set[str]] = {a: {a} for a in RESTRICTED}
        for call in calls:
            account = call.details.account
            if account not in by_account:
                continue
            by_account[account].add(call.call_id)
            markers[account] |= {call.call_id, call.details.title}
            markers[account] |= {
                p.name
                for p in call.details.parties
                if p.name and p.affiliation is Affiliation.EXTERNAL and " " in p.name
            }
            markers[account] |= {o.name for o in call.details.opportunities if o.name}
        return cls(by_account, markers, {c.call_id: c.details.title for c in calls})


def questions_about(account: str, corpus: Corpus, competitors: Iterable[str]) -> list[Question]:
    """Questions a person might ask about one restricted account, in every shape."""
    ids = sorted(corpus.calls[account])
    first_word = account.split()[0]
    contact = sorted(m for m in corpus.markers[account] if _looks_like_a_person(m))[0]
    misspelt = [
        account.lower(),
        account.replace("&", "and"),
        account[:3] + account[4:],  # a letter dropped
        account[0] + account[2] + account[1] + account[3:],  # two letters swapped
        first_word,
    ]
    found = [
        Question("search", account, about=account, expects=True),
        Question("search", f"{account} pricing", about=account, expects=True, mode="keyword"),
        Question("search", "pricing", {"account": account}, about=account, expects=True),
        Question("search", "next steps", {"account": account.upper()}, account, True, "semantic"),
        Question("ask", f"what did {account} say about pricing?", about=account, expects=True),
        Question(
            "ask", f"brief me on recent conversations with {account}", about=account, expects=True
        ),
        Question("brief", account, about=account, expects=True),
        Question("ask", f"analyze call {ids[0]}", about=account, expects=True),
        Question("search", f"what did {contact} say", about=account),
        *(Question("search", name, about=account) for name in misspelt),
        # Asked, a name close to an account gets "did you mean ...": never a hidden one.
        Question("ask", f"pricing objections from {misspelt[2]}", about=account),
        Question("brief", misspelt[3], about=account),
        *(Question("search", f"{c} pricing", about=account) for c in competitors),
        Question("ask", f"which competitors is {account} evaluating?", about=account, expects=True),
    ]
    # Every call of the account by id (a denial each for whoever may not see it); a search
    # inside a call for two of them.
    found += [Question("call", call_id, about=account, expects=True) for call_id in ids]
    found += [Question("search", "pricing", {"call_ids": [i]}, account, True) for i in ids[:2]]
    return found


def questions(corpus: Corpus) -> list[Question]:
    """The generic questions, then each restricted account's (with its main competitor)."""
    competitors = {"Moss & Co": "DealForge", "Halden Energy": "Ledgerly"}
    asked = generic_questions()
    for account in RESTRICTED:
        asked += questions_about(account, corpus, [competitors.get(account, "Quotient AI")])
    return asked


def surface_sample(corpus: Corpus) -> list[Question]:
    """A slice of `questions` for the surfaces: the whole matrix runs against `Session`, which
    every surface asks through; a surface's own run proves its wiring (who the viewer is,
    what a denial looks like, that nothing goes around the session)."""
    sample = [q for q in generic_questions() if q.kind in ("ask", "search")]
    for account in RESTRICTED:
        about = questions_about(account, corpus, [])
        sample += [
            next(q for q in about if q.kind == "search" and q.expects and not q.filters),
            next(q for q in about if q.filters.get("account")),
            next(q for q in about if "call_ids" in q.filters),
            next(q for q in about if q.kind == "ask" and q.expects),
            next(q for q in about if q.text.startswith("pricing objections from")),
            next(q for q in about if q.kind == "brief" and q.expects),
            *[q for q in about if q.kind == "call"][:2],
        ]
    return sample


def generic_questions() -> list[Question]:
    """Questions about everything: a restricted account may only show up for allowed people."""
    return [
        Question("ask", "all calls this week"),
        Question("ask", "what came up in calls last month?"),
        Question("ask", "which deals are stalled?"),
        Question("ask", "which competitors came up this quarter?"),
        Question("search", "pricing objections"),
        Question("search", "security review SSO and data residency", {"side": "external"}),
        Question("search", "budget freeze", mode="keyword"),
        Question("search", "discount", mode="semantic"),
        Question("brief", "pricing objections this quarter"),
        Question("brief", "competitive mentions"),
        Question("competitors"),
        Question("competitors", "this quarter"),
        Question("stalled"),
        Question("coaching", "pricing"),
        Question("weekly_brief"),
    ]


def _looks_like_a_person(marker: str) -> bool:
    words = marker.split()
    return len(words) == 2 and all(w[:1].isupper() and w[1:].isalpha() for w in words)
