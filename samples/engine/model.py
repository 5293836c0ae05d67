"""The story as Python values: people, accounts, plans, and the turns a call is made of."""

from __future__ import annotations

from dataclasses import dataclass, field

from .ids import gong_id, sf_id


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    title: str
    email: str
    internal: bool = False
    nick: str = ""  # what colleagues call them, where it is not their first name

    @property
    def first(self) -> str:
        """What colleagues call them on a call."""
        return self.nick or self.name.split()[0]


@dataclass(frozen=True)
class Opp:
    name: str
    stage: str
    amount: int
    close: str
    probability: int

    @property
    def object_id(self) -> str:
        return sf_id("006", self.name)

    @property
    def is_open(self) -> bool:
        return not self.stage.startswith("Closed")


@dataclass
class Account:
    name: str
    industry: str
    domain: str
    rep: str
    contacts: dict[str, Person]
    opp: Opp
    seats: int
    impl_fee: int
    budget: int
    comp: str
    comp2: str
    idp: str
    region: str  # where the customer needs its data hosted: "US" or "EU"
    golive: str
    admin_role: str
    process_by: str
    approval_by: str
    seat_mix: str
    lines: str
    peer: str
    process: tuple[str, ...]
    hours: str
    pains: tuple[str, ...]
    approval: tuple[str, ...]
    driver: str
    residency: str
    admin_busy: str
    renewal: Opp | None = None

    @property
    def account_id(self) -> str:
        return sf_id("001", self.name)

    @property
    def opps(self) -> tuple[Opp, ...]:
        return (self.opp,) if self.renewal is None else (self.renewal, self.opp)


@dataclass(frozen=True)
class Objection:
    role: str
    kind: str  # selects the rep's handling: budget, discount, term, competitor, ...
    text: str


@dataclass(frozen=True)
class Plan:
    account: str
    days_before: int
    kind: str  # discovery | demo | security | pricing | renewal
    attendees: tuple[str, ...]  # internal roles and customer roles, customers in speaking order
    hour: int = 16
    silent: tuple[str, ...] = ()  # invited, never speaks: listed as a party without speakerId
    specials: tuple[str, ...] = ()
    objections: tuple[Objection, ...] = ()
    outcome: str = "open"  # open | pending | success | stalled
    no_context: bool = False
    nameless: tuple[str, ...] = ()  # Gong knows only their email address


@dataclass(frozen=True)
class Marked:
    """A sentence that expected.json must point at."""

    text: str
    kind: str  # objection | blocker | pii | not_pii | injection
    detail: str = ""
    value: str = ""


@dataclass
class Turn:
    who: str
    sentences: list[str]
    topic: str | None
    marks: dict[int, Marked] = field(default_factory=dict)
    solid: bool = False  # a deliberate long monologue: no backchannel may break it up

    @property
    def words(self) -> int:
        return sum(len(s.split()) for s in self.sentences)


@dataclass
class Built:
    plan: Plan
    acct: Account
    call_id: str
    turns: list[Turn]
    key_points: list[str]


def call_id_for(plan: Plan) -> str:
    return gong_id("call", plan.account, str(plan.days_before))
