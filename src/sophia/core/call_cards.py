"""Post-call cards: which channel gets a new call's card (ACCOUNT_CHANNELS), and what the
card holds, cut from the call analysis (core/insights/call_analysis.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sophia.core.errors import ConfigError
from sophia.core.insights.answer import Answer, Bullet, Section
from sophia.core.models import Affiliation, Call
from sophia.core.query import normalise_account

__all__ = ["AccountChannels", "card_of"]

# The analysis' sections a card keeps, with at most this many bullets each.
_CARD_SECTIONS = {
    "Summary": 5,
    "Objections raised": 3,
    "Competitors mentioned": 3,
    "Next steps and action items": 3,
}


@dataclass(frozen=True)
class AccountChannels:
    """Account → Slack channel for new calls' cards; `default` for any other account."""

    by_account: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    @classmethod
    def load(cls, path: Path | None) -> AccountChannels:
        """The ACCOUNT_CHANNELS file: `accounts: {Name: channel}` and an optional `default:`."""
        if path is None:
            return cls()
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"ACCOUNT_CHANNELS {path}: cannot read it ({exc})") from None
        known = isinstance(raw, dict) and not set(raw) - {"accounts", "default"}
        accounts = raw.get("accounts") or {} if known else None
        default = raw.get("default") if known else None
        if not isinstance(accounts, dict):
            raise ConfigError(
                f"ACCOUNT_CHANNELS {path}: expected `accounts:` (account: channel) and an "
                "optional `default:` channel"
            )
        pairs = {str(name): str(channel) for name, channel in accounts.items() if channel}
        return cls(
            {normalise_account(name): channel for name, channel in pairs.items()},
            str(default) if default else None,
        )

    @property
    def configured(self) -> bool:
        return bool(self.by_account) or self.default is not None

    def channel_for(self, account: str | None) -> str | None:
        """Where a call of `account` is carded (None: nowhere)."""
        if account is not None:
            channel = self.by_account.get(normalise_account(account))
            if channel is not None:
                return channel
        return self.default


def card_of(analysis: Answer, call: Call) -> Answer:
    """The card: who took part, then the summary, objections, competitors and next steps,
    each bullet still cited to its moment."""
    kept = [
        section.model_copy(update={"bullets": section.bullets[: _CARD_SECTIONS[section.title]]})
        for section in analysis.sections
        if section.title in _CARD_SECTIONS and section.bullets
    ]
    return analysis.model_copy(
        update={"sections": [_who(call), *kept], "tables": [], "notice": None}
    )


def _who(call: Call) -> Section:
    sides = {Affiliation.INTERNAL: "Us", Affiliation.EXTERNAL: "Them"}
    bullets = []
    for affiliation, label in sides.items():
        names = [p.name for p in call.details.parties if p.affiliation is affiliation and p.name]
        if names:
            bullets.append(Bullet(text=f"{label}: {', '.join(names)}"))
    return Section(title="Who", bullets=bullets or [Bullet(text="Participants not listed")])
