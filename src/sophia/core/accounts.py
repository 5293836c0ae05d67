"""Naming a call's account when Gong has no CRM context for it.

Without CRM context the parser falls back to the customer's email domain (docs/gong-api.md §6).
When other calls link that same domain to a CRM account, that account is the better name:
the call then shows up under "Brightwater Health", not "brightwaterhealth.example".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from sophia.core.models import Affiliation, Call

__all__ = ["AccountDomains"]


class AccountDomains:
    """Customer email domains seen on calls with a CRM account, and that account's name."""

    def __init__(self) -> None:
        self._votes: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def learn(self, calls: Iterable[Call]) -> None:
        """Remember which CRM account each customer domain was seen with."""
        for call in calls:
            details = call.details
            if details.account_id is None or not details.account:
                continue
            for party in details.parties:
                if party.affiliation is Affiliation.EXTERNAL and party.email_domain:
                    self._votes[party.email_domain][details.account] += 1

    def resolve(self, call: Call) -> Call:
        """The call, renamed to its CRM account when its name is only a known domain."""
        details, domain = call.details, call.details.account
        if details.account_id is not None or domain is None or domain not in self._votes:
            return call
        account = self._votes[domain].most_common(1)[0][0]
        return call.model_copy(update={"details": details.model_copy(update={"account": account})})
