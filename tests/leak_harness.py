"""What the leak tests share: the restricted policy and the personas, the surface drivers'
scaffolding, the check of every reply, and the index they all ask.

A surface driver asks through its surface (core `Session`, the `sophia` command, Slack,
REST) as a persona and returns what the person would have been shown. `LeakCheck` decides,
for each reply, whether a restricted account showed through (a leak), whether an allowed
person got what they asked for, and whether exactly one audit line was written. The
questions are in tests/leak_questions.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from sophia.core.access import AccessPolicy
from sophia.core.config import Settings
from sophia.core.query import account_key
from sophia.core.session import Viewer
from tests.leak_questions import RESTRICTED, Corpus, Question

__all__ = [
    "API_KEYS",
    "COMPETITORS",
    "PERSONAS",
    "AuditTail",
    "Driver",
    "LeakCheck",
    "Persona",
    "Reply",
    "SophiaDriver",
    "check_surface",
    "run_matrix",
]

# Three restricted accounts of samples/: one a user and a key may see, one a Slack group
# and a key may see, one nobody may see (but the CLI, whose user holds the data dir).
POLICY = """\
restricted_accounts:
  Moss & Co:
    slack_users: [U0MOSSREP]
    api_keys: [moss-team]
  Halden Energy:
    slack_groups: [S0HALDEN]
    api_keys: [halden-bi]
  Brightwater Health: {}
"""
API_KEYS = "moss-team:key-moss-0001,halden-bi:key-halden-0002,reporting:key-reporting-0003"
# Help texts in the code that name a samples account as an example, whatever the data holds.
CODE_EXAMPLES = ("pricing objections with Moss & Co this quarter",)
COMPETITORS = "DealForge, Quotient AI, Pipestream, Ledgerly"
Record = Callable[[str, object], None]


@dataclass(frozen=True)
class Persona:
    """Someone asking: who they are on each surface, and what the policy lets them see."""

    name: str
    slack_user: str | None = None
    slack_groups: frozenset[str] = frozenset()
    api_key: str | None = None  # the key's name
    surface: Literal["any", "scheduler", "cli"] = "any"

    def viewer(self, surface: Literal["slack", "api", "scheduler", "cli"]) -> Viewer:
        if surface == "slack":
            return Viewer(
                "slack", user=self.slack_user, groups=self.slack_groups, channel="C0SALES"
            )
        if surface == "api":
            return Viewer("api", user=self.api_key)
        return Viewer(surface, user="ops" if surface == "cli" else None)


PERSONAS = {
    "outsider": Persona("outsider", slack_user="U0OUTSIDE", api_key="reporting"),
    "moss": Persona("moss", slack_user="U0MOSSREP", api_key="moss-team"),
    "halden": Persona(
        "halden",
        slack_user="U0HALDEN1",
        slack_groups=frozenset({"S0HALDEN", "S0SALES"}),
        api_key="halden-bi",
    ),
    "scheduler": Persona("scheduler", surface="scheduler"),
    "operator": Persona("operator", surface="cli"),
}


@dataclass
class Reply:
    """What the person was shown: the calls it cites and all of its text."""

    call_ids: set[str]
    text: str
    audit_added: int  # audit lines the question added
    denied: bool = False
    error: str | None = None


class Driver(Protocol):
    """A surface: asks every question as `persona` and returns the replies in order."""

    surface: str

    def ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]: ...


Ask = Callable[[Question], Awaitable[Reply]]


class SophiaDriver:
    """A surface served by a `Sophia` in this process: `connect` opens it for a persona and
    gives how to ask one question; here each question is asked in turn and the audit lines
    it added are counted."""

    surface: str

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def connect(self, persona: Persona) -> AbstractAsyncContextManager[Ask]:
        raise NotImplementedError

    def ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]:
        return asyncio.run(self._ask_all(persona, questions))

    async def _ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]:
        async with self.connect(persona) as ask:
            audit = AuditTail(self.settings.sophia_data_dir)
            replies = []
            for question in questions:
                reply = await ask(question)
                reply.audit_added = audit.added()
                replies.append(reply)
            return replies


@dataclass
class LeakCheck:
    """Tallies every reply: leaks, misses (an allowed person not served), audit lines."""

    corpus: Corpus
    policy: AccessPolicy
    tried: int = 0
    leaks: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    denials: int = 0
    audit_problems: list[str] = field(default_factory=list)

    @classmethod
    def under(cls, settings: Settings, corpus: Corpus) -> LeakCheck:
        """A check of replies from the index `settings` point at, under its access policy."""
        return cls(corpus, AccessPolicy.load(settings.access_policy, settings.api_keys))

    def check(self, surface: str, viewer: Viewer, question: Question, reply: Reply) -> None:
        """Judge one reply to `question` from `viewer`."""
        self.tried += 1
        where = f"{surface}/{viewer.user or viewer.surface}: {question.label()}"
        if reply.audit_added != 1:
            self.audit_problems.append(f"{where}: {reply.audit_added} audit lines")
        hidden = self.policy.exclusions(viewer)
        asked = f"{question.text} {json.dumps(question.filters)}".casefold()
        said = reply.text
        for example in CODE_EXAMPLES:
            said = said.replace(example, "")
        for account in RESTRICTED:
            if account_key(account) not in hidden:
                continue
            cited = reply.call_ids & self.corpus.calls[account]
            # A marker the question itself contains may be echoed ("No calls found for ...").
            shown = sorted(
                m
                for m in self.corpus.markers[account]
                if m.casefold() not in asked and m.casefold() in said.casefold()
            )
            if cited or shown:
                self.leaks.append(f"{where}: {account} calls {sorted(cited)} markers {shown}")
        if question.about is None:
            return
        if account_key(question.about) in hidden:
            if question.kind == "call" or "analyze call" in question.text:
                if reply.denied:
                    self.denials += 1
                else:
                    self.leaks.append(f"{where}: a restricted call was not denied")
        elif question.expects and not reply.call_ids & self.corpus.calls[question.about]:
            self.misses.append(f"{where}: nothing of {question.about} ({reply.error})")

    def summary(self) -> str:
        return (
            f"queries tried: {self.tried}, leaks found: {len(self.leaks)}, "
            f"allowed answers missing: {len(self.misses)}, denials: {self.denials}, "
            f"audit problems: {len(self.audit_problems)}"
        )


def run_matrix(
    check: LeakCheck, driver: Driver, persona: Persona, asked: Sequence[Question]
) -> None:
    """Ask every question through `driver` as `persona` and judge each reply."""
    replies = driver.ask_all(persona, asked)
    viewer = persona.viewer(driver.surface)  # type: ignore[arg-type]
    for question, reply in zip(asked, replies, strict=True):
        check.check(driver.surface, viewer, question, reply)


def check_surface(
    check: LeakCheck,
    name: str,
    runs: Sequence[tuple[Driver, str, Sequence[Question]]],
    record: Record,
) -> None:
    """Ask each (driver, persona name, questions) run, report the counts as test properties
    (junit XML) and one printed line (pytest -s), and fail on any leak, any allowed answer
    missing, or any question not audited exactly once."""
    for driver, persona, asked in runs:
        run_matrix(check, driver, PERSONAS[persona], asked)
    record(f"{name}_queries_tried", check.tried)
    record(f"{name}_leaks_found", len(check.leaks))
    record(f"{name}_denials", check.denials)
    print(f"\n{name}: {check.summary()}")
    assert check.leaks == [], "\n".join(check.leaks[:20])
    assert check.misses == [], "\n".join(check.misses[:20])
    assert check.audit_problems == [], "\n".join(check.audit_problems[:20])


class AuditTail:
    """Counts the audit lines written since it last looked (the tests never let it rotate)."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "audit" / "audit.jsonl"
        self._seen = self._size()

    def added(self) -> int:
        """Lines appended since the previous call (or since it was made)."""
        size = self._size()
        with self._path.open("rb") as handle:
            handle.seek(self._seen)
            count = handle.read(size - self._seen).count(b"\n")
        self._seen = size
        return count

    def _size(self) -> int:
        return self._path.stat().st_size if self._path.exists() else 0
