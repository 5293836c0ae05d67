"""Every exception Sophia raises on purpose, in one tree.

Surfaces (CLI, Slack, REST) catch `SophiaError` and show `str(error)`: each message is
written for the person who has to act on it, and never carries a secret.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AlreadyRunning",
    "AuthFailed",
    "BadQuery",
    "CallNotFound",
    "ConfigError",
    "CrmAuthFailed",
    "CrmError",
    "CrmRecordGone",
    "CrmUnreachable",
    "EmbeddingError",
    "EmbeddingRefused",
    "ExportError",
    "ExtraNotInstalled",
    "IndexMismatch",
    "RankerError",
    "RateLimited",
    "SophiaError",
    "SourceError",
    "StateError",
    "StoreError",
    "SummaryUnavailable",
]


class SophiaError(Exception):
    """Base of every error Sophia reports to a user."""


class ConfigError(SophiaError):
    """A setting is missing, malformed or contradicts another one."""


class ExtraNotInstalled(ConfigError):
    """The configuration picks a part whose optional packages (a pip extra) are not installed."""


class SourceError(SophiaError):
    """The call source (Gong API or a folder) could not deliver calls."""


class AuthFailed(SourceError):
    """Gong rejected the credentials (401/403)."""


class RateLimited(SourceError):
    """Gong kept answering 429 past our retry budget."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class StoreError(SophiaError):
    """The vector store failed or holds data it cannot serve."""


class IndexMismatch(StoreError):
    """The index was built by another embedder or chunker; `sophia reindex` fixes it."""


class AlreadyRunning(SophiaError):
    """Another writer (sync, ingest, reindex, purge) holds the data dir's writer lock."""


class StateError(SophiaError):
    """The local state DB (checkpoints, quarantine) cannot be written."""


class ExportError(SophiaError):
    """The call-insights table (SQLite or EXPORT_DATABASE_URL) cannot be read or written."""


class CrmError(SophiaError):
    """Salesforce (CRM enrichment) could not be written; what was not written stays pending."""


class CrmAuthFailed(CrmError):
    """Salesforce refused the connected app's credentials or its session (invalid_grant,
    INVALID_SESSION_ID after signing in again): not retried until the next sync."""


class CrmUnreachable(CrmError):
    """Salesforce could not be reached (connection, TLS, timeout) past the retries: the run
    stops, everything not written stays pending."""


class CrmRecordGone(CrmError):
    """The Account, Opportunity or Task a write names is deleted (ENTITY_IS_DELETED,
    NOT_FOUND): that write is skipped, the others go on."""


class EmbeddingError(SophiaError):
    """The embedder could not turn text into vectors."""


class EmbeddingRefused(EmbeddingError):
    """The embedding service refused one input (a 400 about the text, not about us): the
    text's fault, so the call holding it is quarantined instead of stopping the run."""


class SummaryUnavailable(SophiaError):
    """The summary model kept failing past our retry budget; quotes answer instead."""


class SummaryModelError(SophiaError):
    """The call summary's scoring model file is missing, unreadable or made for other features."""


class RankerError(SophiaError):
    """The search ranking model file is missing, unreadable or made for other features."""


class BadQuery(SophiaError):
    """The user's query or filters cannot be run as given."""


class CallNotFound(SophiaError):
    """No indexed call has the requested id."""


class AccessDenied(SophiaError):
    """The viewer may not see what was asked for (a call of a restricted account).

    Its message is the same whether or not the thing exists, so it reveals nothing.
    """

    def __init__(
        self, message: str = "You do not have access to this call (or no call has that id)."
    ) -> None:
        super().__init__(message)
