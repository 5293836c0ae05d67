"""The access policy: the YAML file, who each viewer is, and what a session then sees.

The corpus is three hand-made calls (a restricted account, an open one, and a call without
an account) indexed with the hashing embedder; every question goes through `Session`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from sophia.core.access import AccessPolicy
from sophia.core.config import Settings
from sophia.core.errors import AccessDenied, BadQuery, CallNotFound, ConfigError
from sophia.core.query import account_key, build_request
from sophia.core.services import Sophia
from sophia.core.viewer import Viewer
from tests.conftest import raw_call, raw_transcript, write_folder

MOSS_CALL, OLYMPUS_CALL, LOOSE_CALL = (
    "8100000000000000001",
    "8100000000000000002",
    "8100000000000000003",
)
MISSING_CALL = "8100000000000000009"

POLICY = """\
restricted_accounts:
  Moss & Co:
    slack_users: [U0MOSS001]
    slack_groups: [S0DEALDESK]
    api_keys: [moss-dashboard]
"""

DANA = Viewer("slack", user="U0MOSS001")
DESK = Viewer("slack", user="U0OTHER01", groups=frozenset({"S0DEALDESK", "S0SALES"}))
STRANGER = Viewer("slack", user="U0OTHER01", groups=frozenset({"S0SALES"}))
DASHBOARD = Viewer("api", user="moss-dashboard")
REPORTING = Viewer("api", user="reporting")
SCHEDULER = Viewer("scheduler")
OPERATOR = Viewer("cli", user="ops")
ALLOWED = [DANA, DESK, DASHBOARD, OPERATOR]
DENIED = [STRANGER, REPORTING, SCHEDULER]


def write_policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load(tmp_path: Path, text: str, keys: dict[str, str] | None = None) -> AccessPolicy:
    return AccessPolicy.load(write_policy(tmp_path, text), keys)


# --- the policy file -------------------------------------------------------------------------


def test_a_policy_restricts_its_accounts_by_user_group_and_key_name(tmp_path: Path) -> None:
    policy = load(tmp_path, POLICY, {"moss-dashboard": "k-1", "reporting": "k-2"})
    moss = account_key("Moss & Co")
    for viewer in ALLOWED:
        assert policy.exclusions(viewer) == frozenset(), viewer
    for viewer in DENIED:
        assert policy.exclusions(viewer) == {moss}, viewer
    assert policy.names(frozenset({moss})) == ["Moss & Co"]
    assert policy.slack_groups == {"S0DEALDESK"}
    # An API viewer named like a Slack user, or the reverse, is not let in.
    assert policy.exclusions(Viewer("api", user="U0MOSS001")) == {moss}
    assert policy.exclusions(Viewer("slack", user="moss-dashboard")) == {moss}


def test_no_policy_and_an_empty_file_restrict_nothing(tmp_path: Path) -> None:
    for policy in (
        AccessPolicy.load(None),
        load(tmp_path, ""),
        load(tmp_path, "restricted_accounts:\n"),
    ):
        assert not policy.restricted
        assert policy.exclusions(SCHEDULER) == frozenset()


def test_an_account_nobody_is_listed_for_is_seen_only_on_the_cli(tmp_path: Path) -> None:
    policy = load(tmp_path, "restricted_accounts:\n  Olympus:\n")
    assert policy.exclusions(DANA) == {account_key("Olympus")}
    assert policy.exclusions(OPERATOR) == frozenset()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("restricted_accounts: [\n", "line 2"),
        ("- Olympus\n", "top level must be a mapping"),
        ("restricted_acounts:\n  Olympus: {}\n", "unknown key(s) 'restricted_acounts'"),
        ("restricted_accounts: [Olympus]\n", "must map account names"),
        ("restricted_accounts:\n  Olympus: [U0ABC]\n", "expected a mapping"),
        (
            "restricted_accounts:\n  Olympus:\n    slack_user: [U0ABC]\n",
            "unknown key(s) 'slack_user'",
        ),
        ("restricted_accounts:\n  Olympus:\n    slack_users: U0ABC\n", "must be a list of ids"),
        ("restricted_accounts:\n  Olympus:\n    slack_users: [dana]\n", "not a Slack user id"),
        ("restricted_accounts:\n  Olympus:\n    slack_groups: [U0ABC]\n", "user-group id"),
        ("restricted_accounts:\n  Olympus: {}\n  ' olympus ': {}\n", "listed twice"),
        ("restricted_accounts:\n  '': {}\n", "must be non-empty"),
        ("restricted_accounts:\n  Olympus:\n    api_keys: [nobody]\n", "not a key name"),
    ],
)
def test_a_bad_policy_names_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write_policy(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        AccessPolicy.load(path, {"reporting": "k-2"})
    assert str(path) in str(caught.value) and "ACCESS_POLICY" in str(caught.value)
    assert problem in str(caught.value)


def test_a_key_pasted_where_its_name_belongs_is_refused_without_echoing_it(
    tmp_path: Path,
) -> None:
    secret = "sk-live-0123456789abcdef"
    path = write_policy(tmp_path, f"restricted_accounts:\n  Olympus:\n    api_keys: [{secret}]\n")
    with pytest.raises(ConfigError, match="is an API key itself") as caught:
        AccessPolicy.load(path, {"reporting": secret})
    assert secret not in str(caught.value)


def test_a_missing_policy_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"ACCESS_POLICY .*missing\.yaml: cannot read it"):
        AccessPolicy.load(tmp_path / "missing.yaml")


async def test_sophia_does_not_open_with_a_bad_policy(settings: Settings, tmp_path: Path) -> None:
    bad = write_policy(tmp_path, "restricted_accounts:\n  Olympus:\n    api_key: [x]\n")
    with pytest.raises(ConfigError, match="unknown key"):
        await Sophia.open(settings.model_copy(update={"access_policy": bad}))


def test_exclusions_are_validated_account_keys() -> None:
    with pytest.raises(BadQuery, match="not an account key"):
        build_request(query="pricing", filters={"exclude_accounts": ["Moss & Co"]})
    request = build_request(
        query="pricing",
        filters={"exclude_accounts": [account_key("b"), account_key("a"), account_key("b")]},
    )
    assert request.filters.exclude_accounts == tuple(sorted({account_key("a"), account_key("b")}))


# --- what a session sees ---------------------------------------------------------------------


def corpus(folder: Path) -> Path:
    loose = raw_call(LOOSE_CALL, started="2026-11-04T16:00:00Z")
    del loose["context"]  # no CRM account and no customer email: a call without an account
    calls = [
        raw_call(MOSS_CALL, account="Moss & Co", started="2026-11-02T16:00:00Z"),
        raw_call(OLYMPUS_CALL, account="Olympus", started="2026-11-03T16:00:00Z"),
        loose,
    ]
    lines = {
        MOSS_CALL: "Moss pricing is too high; we are also evaluating DealForge.",
        OLYMPUS_CALL: "Olympus pricing works if the discount holds; DealForge was cheaper.",
        LOOSE_CALL: "Our pricing question is about seats; DealForge came up too.",
    }
    transcripts = [
        raw_transcript(call_id, [("2002", [text]), ("1001", ["Let us send the order form."])])
        for call_id, text in lines.items()
    ]
    return write_folder(folder, calls, transcripts)


@pytest.fixture
async def sophia(settings: Settings, tmp_path: Path) -> AsyncIterator[Sophia]:
    policy = write_policy(tmp_path, POLICY)
    configured = settings.model_copy(
        update={
            "access_policy": policy,
            "competitors": "DealForge",
            "sophia_api_keys": SecretStr("moss-dashboard:k-1,reporting:k-2"),
            "stalled_days": 1,
        }
    )
    app = await Sophia.open(configured)
    await app.ingest_folder(corpus(tmp_path / "corpus"))
    yield app
    await app.aclose()


def cited(answer: Any) -> set[str]:
    if hasattr(answer, "hits"):
        return {hit.call_id for hit in answer.hits}
    return {c.call_id for c in answer.citations}


@pytest.mark.parametrize("viewer", DENIED, ids=lambda v: f"{v.surface}-{v.user}")
async def test_a_denied_viewer_never_gets_the_restricted_account(
    sophia: Sophia, viewer: Viewer
) -> None:
    session = sophia.session(viewer)
    for mode in ("hybrid", "semantic", "keyword"):
        result = await session.search(build_request(query="Moss pricing DealForge", mode=mode))
        assert cited(result) == {OLYMPUS_CALL, LOOSE_CALL}, mode
    by_account = await session.search(
        build_request(query="pricing", filters={"account": "moss & co"})
    )
    by_id = await session.search(build_request(query="pricing", filters={"call_ids": [MOSS_CALL]}))
    assert by_account.hits == [] and by_id.hits == []
    # Questions that name the account may echo the name; nothing else of it may show.
    echoing = [
        await session.ask("what did Moss & Co say about pricing?"),
        await session.brief("Moss & Co"),
    ]
    silent = [
        await session.ask("pricing objections from Mos and Co"),
        await session.competitors(),
        await session.coaching("pricing"),
        await session.stalled(),
    ]
    for answer in echoing + silent:
        shown = answer.model_dump_json()
        assert MOSS_CALL not in shown and "too high" not in shown, answer.title
    for answer in silent:
        assert "Moss" not in answer.model_dump_json(), answer.title
    assert "Did you mean" not in (silent[0].notice or "")


@pytest.mark.parametrize("viewer", ALLOWED, ids=lambda v: f"{v.surface}-{v.user}")
async def test_an_allowed_viewer_gets_the_restricted_account(
    sophia: Sophia, viewer: Viewer
) -> None:
    session = sophia.session(viewer)
    result = await session.search(build_request(query="Moss pricing DealForge", mode="keyword"))
    assert MOSS_CALL in cited(result)
    answer = await session.analyze_call(MOSS_CALL)
    assert MOSS_CALL in cited(answer)
    brief = await session.brief("Moss & Co")
    assert cited(brief) == {MOSS_CALL}


@pytest.mark.parametrize("viewer", DENIED, ids=lambda v: f"{v.surface}-{v.user}")
async def test_a_restricted_call_by_id_is_denied_like_a_missing_one(
    sophia: Sophia, viewer: Viewer
) -> None:
    session = sophia.session(viewer)
    with pytest.raises(AccessDenied) as restricted:
        await session.analyze_call(MOSS_CALL)
    with pytest.raises(AccessDenied) as missing:
        await session.analyze_call(MISSING_CALL)
    assert str(restricted.value) == str(missing.value)
    assert "do not have access to this call" in str(restricted.value)
    # Through `ask` too, where the id is found in the question.
    with pytest.raises(AccessDenied):
        await session.ask(f"analyze call {MOSS_CALL}")
    assert (await session.analyze_call(OLYMPUS_CALL)).citations


async def test_a_viewer_who_sees_everything_is_told_a_call_is_missing(sophia: Sophia) -> None:
    with pytest.raises(CallNotFound):
        await sophia.session(OPERATOR).analyze_call(MISSING_CALL)


async def test_a_cached_answer_is_never_served_across_exclusions(sophia: Sophia) -> None:
    request = build_request(query="Moss pricing DealForge", mode="keyword")
    allowed = await sophia.session(DANA).search(request)
    denied = await sophia.session(STRANGER).search(request)
    again = await sophia.session(STRANGER).search(request)
    assert MOSS_CALL in cited(allowed)
    assert MOSS_CALL not in cited(denied) and not denied.cached
    assert again.cached and cited(again) == cited(denied)
    # The request a viewer gets back is theirs: no hashed names of hidden accounts in it.
    assert again.request == request
    assert account_key("Moss & Co") not in again.model_dump_json()
