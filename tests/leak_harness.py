"""What the leak tests share: the restricted corpus, the questions, the surface drivers'
interface, the check of every reply, and the scan of a data dir.

A surface driver is a small class: given a persona and a question, it asks through its
surface (core `Session`, the `sophia` command, Slack, REST) and returns what the person would
have been shown. `LeakCheck` decides, for each reply, whether a restricted account showed
through (a leak), whether an allowed person got what they asked for, and whether exactly
one audit line was written.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import lancedb
import pyarrow as pa
from pydantic import SecretStr

from sophia.core.access import AccessPolicy
from sophia.core.config import Settings
from sophia.core.models import Affiliation, Call
from sophia.core.query import account_key
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from tests.conftest import SAMPLES

__all__ = [
    "PERSONAS",
    "POLICY",
    "AuditTail",
    "Corpus",
    "Driver",
    "LeakCheck",
    "Persona",
    "Question",
    "Reply",
    "found_on_disk",
    "generic_questions",
    "lance_text",
    "questions_about",
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
RESTRICTED = ("Moss & Co", "Halden Energy", "Brightwater Health")
# Help texts in the code that name a samples account as an example, whatever the data holds.
CODE_EXAMPLES = ("pricing objections with Moss & Co this quarter",)
COMPETITORS = "DealForge, Quotient AI, Pipestream, Ledgerly"


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


def build_index(root: Path) -> tuple[Settings, Corpus]:
    """samples/ indexed under `root` with the hashing embedder and the restricted policy."""
    policy = root / "policy.yaml"
    policy.write_text(POLICY)
    settings = Settings(
        _env_file=None,
        sophia_data_dir=root / "data",
        sophia_embedder="hashing",
        sophia_summarizer="extractive",
        retention_days=0,
        access_policy=policy,
        sophia_api_keys=SecretStr(API_KEYS),
        competitors=COMPETITORS,
        api_rate_limit=0,
        slack_rate_limit=0,
        audit_max_bytes=1_000_000_000,  # never rotates: drivers count lines in one file
    )

    async def build() -> Corpus:
        sophia = await Sophia.open(settings)
        try:
            await sophia.ingest_folder(SAMPLES)
            return Corpus.of(await sophia.store.list_calls(transcripts=False))
        finally:
            await sophia.aclose()

    return settings, asyncio.run(build())


def run_matrix(
    check: LeakCheck, driver: Driver, persona: Persona, asked: Sequence[Question]
) -> None:
    """Ask every question through `driver` as `persona` and judge each reply."""
    replies = driver.ask_all(persona, asked)
    viewer = persona.viewer(driver.surface)  # type: ignore[arg-type]
    for question, reply in zip(asked, replies, strict=True):
        check.check(driver.surface, viewer, question, reply)


def report(check: LeakCheck, record_property: Callable[[str, object], None], name: str) -> None:
    """The counts, as test properties (junit XML) and one printed line (pytest -s)."""
    record_property(f"{name}_queries_tried", check.tried)
    record_property(f"{name}_leaks_found", len(check.leaks))
    record_property(f"{name}_denials", check.denials)
    print(f"\n{name}: {check.summary()}")


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


# --- what is kept on disk -------------------------------------------------------------------


def found_on_disk(data_dir: Path, values: Iterable[str]) -> dict[str, list[str]]:
    """Each value (compared case-insensitively) with the places under `data_dir` it is in:
    the raw bytes of any file (a .gz also decompressed), or any row of any version of any
    LanceDB table (LanceDB compresses long strings, so bytes alone cannot see them)."""
    wanted = {value: value.casefold() for value in values}
    found: dict[str, list[str]] = {value: [] for value in wanted}
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        texts = [raw.decode("utf-8", "replace").casefold()]
        if path.suffix == ".gz":
            texts.append(gzip.decompress(raw).decode("utf-8", "replace").casefold())
        for value, folded in wanted.items():
            if any(folded in text for text in texts):
                found[value].append(str(path.relative_to(data_dir)))
    index = data_dir / "index"
    if index.is_dir():
        for where, text in lance_text(index):
            folded_text = text.casefold()
            for value, folded in wanted.items():
                if folded in folded_text:
                    found[value].append(where)
    return {value: places for value, places in found.items() if places}


def lance_text(index: Path) -> list[tuple[str, str]]:
    """(table@version, every string cell of that version joined) for each table version of
    every index generation (core/stores/generations.py)."""
    texts: list[tuple[str, str]] = []
    for database in [index, *sorted(p for p in index.glob("gen-*") if p.is_dir())]:
        texts.extend(_database_text(database))
    return texts


def _database_text(database: Path) -> list[tuple[str, str]]:
    db = lancedb.connect(database)
    texts: list[tuple[str, str]] = []
    for name in db.list_tables().tables:
        table = db.open_table(name)
        for version in table.list_versions():
            table.checkout(version["version"])
            data = table.to_arrow()
            cells = [
                str(cell)
                for column in data.schema
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                for cell in data.column(column.name).to_pylist()
                if cell is not None
            ]
            texts.append((f"{name}@v{version['version']}", "\n".join(cells)))
        table.checkout_latest()
    return texts
