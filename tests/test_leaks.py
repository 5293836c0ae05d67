"""Leak tests on samples/ with planted data: PII never comes back or stays on disk, and a
restricted account never reaches anyone the policy keeps it from, on any surface.

Surfaces here: core `Session` as each kind of viewer (Slack user or group, API key name, the
scheduler) and the `sophia` command. Slack and REST drivers live beside the surfaces'
own fakes (tests/test_leaks_*.py) and reuse `tests/leak_harness.py`.

The corpus is samples/ indexed with the hashing embedder: the policy and the redaction act
inside the store queries and before indexing, whatever the embedder, and the matrix of
questions stays fast. Counts are printed and recorded as test properties.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from typer.testing import CliRunner

from sophia.cli.main import app
from sophia.core.config import Settings
from sophia.core.errors import AccessDenied, SophiaError
from sophia.core.insights.answer import Answer
from sophia.core.query import build_request
from sophia.core.search import SearchResult
from sophia.core.session import Session
from tests.disk_scan import found_on_disk
from tests.fakes.sophia_api import open_sophia
from tests.leak_harness import (
    API_KEYS,
    COMPETITORS,
    PERSONAS,
    Ask,
    AuditTail,
    LeakCheck,
    Persona,
    Record,
    Reply,
    SophiaDriver,
    check_surface,
)
from tests.leak_questions import RESTRICTED, Corpus, Question, questions

pytest_plugins = ["tests.fakes.leak_fixtures"]

# --- surface drivers ----------------------------------------------------------------------------


class SessionDriver(SophiaDriver):
    """Core `Session`, as the Slack bot, the REST API or the scheduler build it."""

    def __init__(self, settings: Settings, surface: str) -> None:
        super().__init__(settings)
        self.surface = surface

    @asynccontextmanager
    async def connect(self, persona: Persona) -> AsyncIterator[Ask]:
        async with open_sophia(self.settings) as sophia:
            viewer = persona.viewer(self.surface)  # type: ignore[arg-type]
            yield lambda question: self._ask(sophia.session(viewer), question)

    @staticmethod
    async def _ask(session: Session, q: Question) -> Reply:
        try:
            result: Answer | SearchResult
            match q.kind:
                case "search":
                    request = build_request(query=q.text, mode=q.mode, filters=q.filters)
                    result = await session.search(request)
                case "ask":
                    result = await session.ask(q.text)
                case "brief":
                    result = await session.brief(q.text)
                case "call":
                    result = await session.analyze_call(q.text)
                case "competitors":
                    result = await session.competitors(q.text)
                case "stalled":
                    result = await session.stalled()
                case "coaching":
                    result = await session.coaching(q.text)
                case "weekly_brief":
                    result = await session.weekly_brief()
        except AccessDenied as exc:
            return Reply(set(), str(exc), 0, denied=True)
        except SophiaError as exc:
            return Reply(set(), str(exc), 0, error=type(exc).__name__)
        if isinstance(result, SearchResult):
            return Reply({h.call_id for h in result.hits}, result.model_dump_json(), 0)
        return Reply({c.call_id for c in result.citations}, result.model_dump_json(), 0)


class CliDriver:
    """The `sophia` command with --json, run as its user: an operator who sees every account."""

    surface = "cli"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = {
            "SOPHIA_DATA_DIR": str(settings.sophia_data_dir),
            "SOPHIA_EMBEDDER": "hashing",
            "SOPHIA_SUMMARIZER": "extractive",
            "ACCESS_POLICY": str(settings.access_policy),
            "SOPHIA_API_KEYS": API_KEYS,
            "COMPETITORS": COMPETITORS,
            "AUDIT_MAX_BYTES": str(settings.audit_max_bytes),
        }

    def ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]:
        assert persona.surface == "cli", "the CLI is run by its shell user only"
        runner = CliRunner()
        replies = []
        audit = AuditTail(self.settings.sophia_data_dir)
        for q in questions:
            result = runner.invoke(app, [*self._args(q), "--json"], env=self.env)
            added = audit.added()
            if result.exit_code != 0:
                replies.append(Reply(set(), result.output, added, error=result.output.strip()))
                continue
            shown = json.loads(result.output)
            cited = shown.get("hits") or shown.get("citations") or []
            replies.append(Reply({c["call_id"] for c in cited}, result.output, added))
        return replies

    @staticmethod
    def _args(q: Question) -> list[str]:
        if q.kind == "search":
            args = ["search", q.text, "--mode", q.mode]
            if "account" in q.filters:
                args += ["--account", q.filters["account"]]
            for call_id in q.filters.get("call_ids", []):
                args += ["--call-id", call_id]
            if "side" in q.filters:
                args += ["--side", q.filters["side"]]
            return args
        if q.kind == "call":
            return ["analyze", q.text]
        return [q.kind, q.text] if q.text else [q.kind]


# --- the matrix -----------------------------------------------------------------------------------


def test_no_restricted_account_reaches_a_viewer_the_policy_keeps_it_from(
    indexed: tuple[Settings, Corpus], record_property: Record
) -> None:
    settings, corpus = indexed
    assert all(corpus.calls[a] for a in RESTRICTED)
    check = LeakCheck.under(settings, corpus)
    # Allowed people ask first: a cached answer must never cross over to anyone else.
    everything = questions(corpus)
    generic = [q for q in everything if q.about is None]
    # A Slack user id and an API key without rights are tried on their surfaces too
    # (test_leaks_slack.py, test_leaks_api.py).
    runs = [
        ("api", "moss", everything),  # a key name that may see Moss & Co
        ("slack", "halden", everything),  # a Slack group that may see Halden Energy
        ("slack", "outsider", everything),  # a Slack user who may see none of them
        ("scheduler", "scheduler", generic),  # sees only what everyone may see
    ]
    drivers = [(SessionDriver(settings, s), persona, asked) for s, persona, asked in runs]
    check_surface(check, "session", drivers, record_property)
    # Each restricted call asked for by id (analyze, and "analyze call N") by someone who may
    # not see it was denied.
    by_id = {a: len(ids) + 1 for a, ids in corpus.calls.items()}
    hidden_and_asked = {
        "api/moss": ["Halden Energy", "Brightwater Health"],
        "slack/halden": ["Moss & Co", "Brightwater Health"],
        "slack/outsider": list(RESTRICTED),
    }
    assert check.denials == sum(by_id[a] for hidden in hidden_and_asked.values() for a in hidden)


def test_the_cli_operator_sees_every_account_and_every_question_is_audited(
    indexed: tuple[Settings, Corpus], record_property: Record
) -> None:
    settings, corpus = indexed
    check = LeakCheck.under(settings, corpus)

    # What an allowed person must get, once per account (one call analysis, no search inside
    # a call), and the insights over everything. No weekly brief: the scheduler posts it.
    def wanted(q: Question) -> bool:
        if q.about is None:
            return q.kind in ("competitors", "stalled", "coaching")
        if q.kind == "call":
            return q.text == min(corpus.calls[q.about])
        return q.expects and "call_ids" not in q.filters

    asked = [q for q in questions(corpus) if wanted(q)]
    check_surface(check, "cli", [(CliDriver(settings), "operator", asked)], record_property)


# --- PII ------------------------------------------------------------------------------------------


def pii_variants(value: str) -> list[str]:
    """The planted value, and the ways someone might search for it."""
    digits = "".join(c for c in value if c.isdigit())
    variants = {value, value.lower(), digits, " ".join([digits[:3], digits[3:6], digits[6:]])}
    if "@" in value:
        local, domain = value.split("@")
        variants |= {local, local.replace(".", " "), f"{local} at {domain}", domain}
    return sorted(v for v in variants if v.strip())


def shows(value: str, text: str) -> bool:
    """True if `text` holds the value, also with its separators changed or dropped."""
    if "@" in value:
        return value.casefold() in text.casefold()
    digits = "".join(c for c in value if c.isdigit())
    squeezed = "".join(c for c in text if c.isdigit() or c.isspace())
    return digits in "".join(squeezed.split())


def test_planted_pii_is_not_found_by_any_search_nor_kept_on_disk(
    indexed: tuple[Settings, Corpus], expected: dict[str, Any], record_property: Record
) -> None:
    settings, _ = indexed
    planted = [item["value"] for item in expected["pii"]]
    assert len(planted) == 7

    async def search_all() -> tuple[int, list[str]]:
        tried, found = 0, []
        async with open_sophia(settings) as sophia:
            session = sophia.session(PERSONAS["operator"].viewer("cli"))
            for value in planted:
                for text in pii_variants(value):
                    for mode in ("hybrid", "semantic", "keyword"):
                        request = build_request(query=text, mode=mode, limit=20)
                        result = await session.search(request)
                        tried += 1
                        found += [f"{text!r} {mode}" for h in result.hits if shows(value, h.text)]
                    answer = await session.ask(f"who gave {text} on a call?")
                    tried += 1
                    # What the answer quotes from calls (its title echoes the question).
                    quoted = [c.quote for c in answer.citations]
                    quoted += [b.text for s in answer.sections for b in s.bullets]
                    if shows(value, "\n".join(quoted)):
                        found.append(f"ask {text!r}")
        return tried, found

    tried, found = asyncio.run(search_all())
    record_property("pii_queries_tried", tried)
    record_property("pii_found", len(found))
    print(f"\npii: queries tried: {tried}, planted values found: {len(found)}")
    assert found == []
    # Not on disk either: raw bytes of every file, and every row of every table version.
    assert found_on_disk(settings.sophia_data_dir, planted) == {}
    # The scan does see what is stored: a planted sentence near a redaction is found.
    placeholder = next(iter(expected["pii"]))
    assert found_on_disk(settings.sophia_data_dir, ["[PHONE]"]), placeholder
