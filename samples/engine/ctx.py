"""What a beat needs to write its part of one call, and how it picks a phrasing."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from .ids import money, sentence_key
from .model import Account, Marked, Person, Plan, Turn, call_id_for
from .story import S

T = TypeVar("T")


Text = str | Marked | Sequence["Text"]  # beats pass sentences, or tuples of them, or both


Beat = Callable[["Ctx"], None]


def is_long(text: str) -> bool:
    return len(text.split()) >= int(S.long_sentence)


def person_for(acct: Account, role: str) -> Person:
    """Who plays a role on an account's calls: our rep, engineer or manager, or a contact."""
    staff: dict[str, Person] = S.staff
    internal = {"rep": acct.rep, "se": S.se_key, "mgr": S.manager_key}
    return staff[internal[role]] if role in internal else acct.contacts[role]


def _article(noun: str) -> str:
    return ("an " if noun[0].lower() in "aeiou" else "a ") + noun


def _plain_title(title: str) -> str:
    return " ".join(w if w.isupper() or w == "Salesforce" else w.lower() for w in title.split())


class Ctx:
    """What a beat needs to write its part of one call."""

    def __init__(
        self,
        acct: Account,
        plan: Plan,
        rng: random.Random,
        met: set[str],
        seen: set[str],
        round_: int,
    ) -> None:
        self.acct = acct
        self.plan = plan
        self.rng = rng
        self.met = met
        self.seen = seen  # what earlier calls of this account already said
        self.speakers = [r for r in plan.attendees if r not in plan.silent]
        self.customers = [r for r in self.speakers if r not in S.internal_roles]
        self.topic: str | None = None
        self.buf: list[Turn] = []
        self.used: set[str] = set()
        self.key_points: list[str] = []
        self.round = round_  # how many earlier calls of this kind the account has had
        self.call_id = call_id_for(plan)
        self.tokens: Counter[str] = Counter()  # how often each detail was already woven in
        self.v = self._vars()

    def _vars(self) -> dict[str, Any]:
        a = self.acct
        c = a.contacts
        managers = S.managers[a.name]
        year_hours = managers * 4 * 48
        first = {role: person.first for role, person in c.items()}
        boss_role = S.flavor[a.name].get("boss_role") or next(
            r for r in ("fin", "exec", "sales") if r in c
        )
        self.acct_boss_role = boss_role
        # Whom each detail that names a customer refers to, to avoid talking about people in
        # the third person while they are the ones listening.
        self.token_roles = {
            "boss": boss_role,
            "champ": next(r for r in ("ops", "sales", boss_role) if r in c),
            "admin": "" if S.flavor[a.name].get("admin") else a.admin_role,
            "secp": "sec",
        }
        return {
            **first,
            "acct": a.name,
            # Kestrel's discovery call is about its marketing expansion, not its sales seats.
            "seats": (a.opp.amount - a.impl_fee) // (S.list_price * 12)
            if self.plan.kind == "discovery" and a.renewal
            else a.seats,
            "price": S.list_price,
            "annual": money(a.seats * S.list_price * 12),
            "annual2": money(a.seats * S.two_year_price * 12),
            "annual3": money(round(a.seats * S.list_price * 0.85 * 12)),
            "half_seats": a.seats // 2,
            "half_annual": money(a.seats // 2 * S.list_price * 12),
            "impl": money(a.impl_fee),
            "total": money(a.opp.amount),
            "budget": money(a.budget),
            "comp": a.comp,
            "comp2": a.comp2,
            "idp": a.idp,
            "golive": a.golive,
            "seat_mix": a.seat_mix,
            "lines": a.lines,
            "peer": a.peer,
            "industry": a.industry.lower(),
            "managers": managers,
            "year_hours": f"{year_hours:,}",
            "roi": money(year_hours * 100),
            "rep": S.staff[a.rep].first,
            "se": S.staff[S.se_key].first,
            "mgr": S.staff[S.manager_key].first,
            "boss": c[boss_role].first,
            "champ": c.get("ops", c.get("sales", c[boss_role])).first,
            # Some customers outsource Salesforce work, so nobody on the call is "the admin".
            "admin": S.flavor[a.name].get("admin") or c[a.admin_role].first,
            "secp": c["sec"].first if "sec" in c else "your security team",
            "hosting": "EU hosting" if a.region == "EU" else "US-only hosting",
            "weekday": self.day.strftime("%A"),
            **{k: v for k, v in S.flavor[a.name].items() if k not in ("boss_role", "admin")},
            "a_unit_lead": _article(S.flavor[a.name]["unit_lead"]),
            "a_peer": _article(a.peer),
        }

    @property
    def day(self) -> date:
        anchor: date = S.anchor
        return anchor - timedelta(days=self.plan.days_before)

    def has(self, role: str) -> bool:
        return role in self.speakers

    def person(self, role: str) -> Person:
        return person_for(self.acct, role)

    def name(self, role: str) -> str:
        return self.person(role).first

    def cust(self, *prefs: str) -> str:
        """The first preferred customer role on the call, else whoever speaks first for them."""
        for role in prefs:
            if role in self.customers:
                return role
        return self.customers[0]

    def teller(self, text: Text, *prefs: str) -> str:
        """Who on the customer side can say this without naming themselves."""
        said = self.render(" ".join(_strings(text)))
        order = [r for r in prefs if r in self.customers] + self.customers
        fine = [r for r in order if not re.search(rf"\b{re.escape(self.name(r))}\b", said)]
        return (fine or order)[0]

    def other_cust(self, not_this: str) -> str:
        others = [r for r in self.customers if r != not_this]
        return self.rng.choice(others) if others else not_this

    def tech(self) -> str:
        return "se" if self.has("se") else "rep"

    def closer(self) -> str:
        """Who speaks for Northbeam on commercials: sometimes the manager steps in."""
        if self.has("mgr") and self.rng.random() < 0.35:
            return "mgr"
        return "rep"

    def f(self, text: str, **extra: Any) -> str:
        return text.format_map({**self.v, **extra})

    def render(self, text: str, **extra: Any) -> str:
        """The sentence as it would be said; placeholders filled in later stay as they are."""
        return text.format_map(_Keep({**self.v, **extra}))

    def clashes(self, option: object, **extra: Any) -> int:
        """How many long sentences of this option another call already said in a way that
        saying them here would break the repetition rule (corpus.yaml: long_sentence)."""
        return sum(self.clash(self.render(text, **extra)) for text in _strings(option))

    def clash(self, sentence: str, strict: bool = False) -> bool:
        """Whether saying this long sentence here would break the repetition rule, or, when
        strict, whether any other call already said it."""
        if not is_long(sentence):
            return False
        said = SAID.get(sentence_key(sentence), {})
        others = {call for call in said if call != self.call_id}
        if strict:
            return bool(others)
        return len(others) >= S.max_calls_per_sentence or any(
            said[call] != self.acct.name for call in others
        )

    def repeats(self, option: object) -> int:
        """Long sentences of this option that an earlier call of this account already said:
        allowed, but a person rarely says the same sentence in two meetings."""
        return sum(self.clash(self.render(text), strict=True) for text in _strings(option))

    def awkward(self, option: object) -> bool:
        """Talking about someone in the third person while they listen: the boss, or the only
        customer on the call."""
        for text in _strings(option):
            for token in PLACEHOLDER.findall(text):
                role = self.token_roles.get(token)
                if role and role in self.speakers and (token == "boss" or self.customers == [role]):
                    return True
        return False

    def staleness(self, option: object) -> int:
        """How often this call already heard the details an option would weave in: the same
        name or number five times in one meeting sounds like a template."""
        return sum(
            self.tokens[name] for text in _strings(option) for name in PLACEHOLDER.findall(text)
        )

    def open_alternatives(self, *alternatives: Sequence[object]) -> bool:
        """Whether each slot of a question-and-answer item still has a phrasing no other call
        has used up: a slot is a tuple of alternatives, any one of which will be said."""
        return all(any(not self.clashes(o) for o in slot) for slot in alternatives)

    def choose(
        self, options: Sequence[T], k: int, blocked: Callable[[T], bool] | None = None, **extra: Any
    ) -> list[T]:
        """k options. Never, if it can be helped, one whose long sentences other calls already
        said (corpus.yaml: long_sentence); then first those neither this call nor this account
        has used, then those this call has not used; within each tier the ones the corpus used
        least, so that calls rotate through the phrasings instead of repeating the same ones."""
        ranked = sorted(
            options,
            key=lambda o: (
                blocked(o) if blocked else self.clashes(o, **extra) > 0,
                self.awkward(o),
                repr(o) in self.used,
                self.repeats(o) > 0,
                repr(o) in self.seen,
                self.staleness(o),
                USES[repr(o)],
                self.rng.random(),
            ),
        )
        chosen = ranked[:k]
        for o in chosen:
            self.used.add(repr(o))
            USES[repr(o)] += 1
        return chosen

    def pick(self, options: Sequence[T], **extra: Any) -> T:
        """One option, preferring ones this call, this account and the corpus used least."""
        return self.choose(options, 1, **extra)[0]

    def pick_for(self, who: str, options: Sequence[T], **extra: Any) -> T:
        """Like pick, minus the options in which the speaker would name themselves."""
        own = re.compile(rf"\b{re.escape(self.name(who))}\b")
        mine = [o for o in options if not own.search(self.render(" ".join(_strings(o)), **extra))]
        return self.pick(mine or list(options), **extra)

    def say(self, who: str, *texts: Text, solid: bool = False, **extra: Any) -> None:
        if who != S.dialin and who not in self.speakers:
            raise ValueError(f"{who} is not speaking on {self.plan.account} {self.plan.kind}")
        sentences: list[str] = []
        marks: dict[int, Marked] = {}
        for item in _flatten(texts):
            if isinstance(item, Marked):
                marks[len(sentences)] = item
                sentences.append(item.text)
            else:
                text = self.f(item, **extra)
                sentences.append(text[:1].upper() + text[1:])
                self.tokens.update(PLACEHOLDER.findall(item))
        self.buf.append(Turn(who, sentences, self.topic, marks, solid))

    def ack(self, who: str) -> None:
        self.say(who, self.rng.choice(S.acks))

    def point(self, text: str, **extra: Any) -> None:
        self.key_points.append(self.f(text, **extra))


PLACEHOLDER = re.compile(r"\{(\w+)\}")


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _strings(option: object) -> Iterable[str]:
    """Every phrasing inside an option, however deeply its tuples nest."""
    if isinstance(option, str):
        yield option
    elif isinstance(option, tuple | list):
        for item in option:
            yield from _strings(item)


def _flatten(texts: Iterable[Any]) -> Iterable[str | Marked]:
    for item in texts:
        if isinstance(item, str | Marked):
            yield item
        else:
            yield from _flatten(item)


USES: Counter[str] = Counter()  # how often each phrasing has been used across the corpus


SAID: dict[str, dict[str, str]] = {}  # sentence_key of each long sentence -> {call id: account}
