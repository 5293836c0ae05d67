"""The access policy: which accounts are restricted, and who may see each of them.

ACCESS_POLICY names a YAML file:

    restricted_accounts:
      Olympus:
        slack_users: [U04ABCDEF]      # Slack user ids
        slack_groups: [S05GHIJKL]     # Slack user-group ids
        api_keys: [revops-dashboard]  # names of keys in SOPHIA_API_KEYS, never the keys

Every account not listed is open to everyone. A viewer's exclusions (the keys of the accounts
they may not see) go into every store query through `core/scoped.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sophia.core.errors import ConfigError
from sophia.core.query import account_key
from sophia.core.viewer import Viewer

__all__ = ["AccessPolicy", "RestrictedAccount"]

_TOP_KEYS = frozenset({"restricted_accounts"})
_ENTRY_KEYS = ("slack_users", "slack_groups", "api_keys", "slack_channels")
# Slack ids: users start with U (W on Enterprise Grid), user groups with S.
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLACK_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")


@dataclass(frozen=True)
class RestrictedAccount:
    """One restricted account and who may see it."""

    name: str
    slack_users: frozenset[str] = frozenset()
    slack_groups: frozenset[str] = frozenset()
    api_keys: frozenset[str] = frozenset()
    # Channels the scheduler may post this account's call cards to (their members are
    # vouched for by whoever wrote the policy).
    slack_channels: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return account_key(self.name)

    def allows(self, viewer: Viewer) -> bool:
        """True if `viewer` may see this account's calls."""
        match viewer.surface:
            case "cli":
                # The CLI runs where the data dir is: its user can read the index anyway.
                return True
            case "slack":
                return viewer.user in self.slack_users or bool(viewer.groups & self.slack_groups)
            case "api":
                return viewer.user in self.api_keys
            case _:
                # The scheduler posts to channels whose members nobody has checked, unless
                # the policy lists the channel for this account.
                return viewer.channel is not None and viewer.channel in self.slack_channels


@dataclass(frozen=True)
class AccessPolicy:
    """Restricted accounts; an empty policy restricts nothing."""

    accounts: tuple[RestrictedAccount, ...] = ()
    source: Path | None = None
    _by_key: dict[str, RestrictedAccount] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {a.key: a for a in self.accounts})

    @classmethod
    def load(
        cls, path: Path | None, api_key_names: Mapping[str, str] | None = None
    ) -> AccessPolicy:
        """The policy in `path` (None: no policy). A bad file raises `ConfigError` naming it.

        `api_key_names` is SOPHIA_API_KEYS as {name: key}: entries must be names in it.
        """
        if path is None:
            return cls()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"ACCESS_POLICY {path}: cannot read it ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            at = f" at line {where.line + 1}" if where is not None else ""
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise ConfigError(f"ACCESS_POLICY {path}: {problem}{at}") from None
        try:
            accounts = _parse(raw, api_key_names)
        except ValueError as exc:
            raise ConfigError(f"ACCESS_POLICY {path}: {exc}") from None
        return cls(accounts, path)

    @property
    def restricted(self) -> bool:
        return bool(self.accounts)

    @property
    def slack_groups(self) -> frozenset[str]:
        """Every Slack user group the policy names: the only memberships a surface needs to
        look up to fill `Viewer.groups`."""
        return frozenset(group for a in self.accounts for group in a.slack_groups)

    def exclusions(self, viewer: Viewer) -> frozenset[str]:
        """Account keys of the restricted accounts `viewer` may not see."""
        return frozenset(key for key, a in self._by_key.items() if not a.allows(viewer))

    def names(self, keys: frozenset[str]) -> list[str]:
        """The account names of these keys, as the policy spells them (for the audit log)."""
        return sorted(self._by_key[k].name for k in keys if k in self._by_key)


def _parse(raw: Any, api_key_names: Mapping[str, str] | None) -> tuple[RestrictedAccount, ...]:
    if raw is None:
        return ()  # an empty file restricts nothing, like no file
    if not isinstance(raw, dict):
        raise ValueError("the top level must be a mapping with `restricted_accounts:`")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        # A misspelt key would otherwise silently leave every account open.
        raise ValueError(f"unknown key(s) {_listed(unknown)}; expected `restricted_accounts:`")
    entries = raw.get("restricted_accounts") or {}
    if not isinstance(entries, dict):
        raise ValueError("`restricted_accounts` must map account names to who may see them")
    accounts: dict[str, RestrictedAccount] = {}
    for name, entry in entries.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"account name {name!r} must be non-empty text")
        account = _account(name.strip(), entry, api_key_names)
        if account.key in accounts:
            raise ValueError(
                f"account {name!r} is listed twice (as {accounts[account.key].name!r} too; "
                "names compare ignoring case and spaces)"
            )
        accounts[account.key] = account
    return tuple(accounts.values())


def _account(name: str, entry: Any, api_key_names: Mapping[str, str] | None) -> RestrictedAccount:
    if entry is None:
        entry = {}  # restricted to nobody: only the CLI sees it
    if not isinstance(entry, dict):
        raise ValueError(f"account {name!r}: expected a mapping of {', '.join(_ENTRY_KEYS)}")
    unknown = set(entry) - set(_ENTRY_KEYS)
    if unknown:
        raise ValueError(
            f"account {name!r}: unknown key(s) {_listed(unknown)}; "
            f"expected {', '.join(_ENTRY_KEYS)}"
        )
    lists = {key: _strings(name, key, entry.get(key)) for key in _ENTRY_KEYS}
    for user in lists["slack_users"]:
        if not _SLACK_USER.match(user):
            raise ValueError(f"account {name!r}: {user!r} is not a Slack user id (U…)")
    for group in lists["slack_groups"]:
        if not _SLACK_GROUP.match(group):
            raise ValueError(f"account {name!r}: {group!r} is not a Slack user-group id (S…)")
    _check_key_names(name, lists["api_keys"], api_key_names or {})
    return RestrictedAccount(
        name,
        frozenset(lists["slack_users"]),
        frozenset(lists["slack_groups"]),
        frozenset(lists["api_keys"]),
        frozenset(lists["slack_channels"]),
    )


def _strings(name: str, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"account {name!r}: `{key}` must be a list of ids")
    return [v.strip() for v in value]


def _check_key_names(name: str, listed: list[str], keys: Mapping[str, str]) -> None:
    secrets = set(keys.values())
    for position, item in enumerate(listed, 1):
        if item in keys:
            continue
        # Never echo the entry: someone may have pasted a key where its name belongs.
        if item in secrets:
            raise ValueError(
                f"account {name!r}: api_keys entry {position} is an API key itself; list the "
                "key's name from SOPHIA_API_KEYS (name:key) instead, and rotate that key"
            )
        known = ", ".join(sorted(keys)) or "none: SOPHIA_API_KEYS is not set"
        raise ValueError(
            f"account {name!r}: api_keys entry {position} is not a key name in "
            f"SOPHIA_API_KEYS (names: {known})"
        )


def _listed(keys: set[Any]) -> str:
    return ", ".join(repr(k) for k in sorted(keys, key=str))
