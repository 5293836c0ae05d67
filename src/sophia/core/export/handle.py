"""Where the call-insights table is, with SQLAlchemy loaded at first use: a command that never
touches the table (`sophia stats`, a search) does not pay for importing it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sophia.core.config import Settings

if TYPE_CHECKING:
    from sophia.core.export.table import InsightsTable

__all__ = ["TableHandle"]


class TableHandle:
    """The process's one `InsightsTable`, built from the settings when first asked for."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._table: InsightsTable | None = None
        self._lock = threading.Lock()

    def get(self) -> InsightsTable:
        """The table (not yet connected: it connects and migrates at its first read or write)."""
        with self._lock:
            if self._table is None:
                from sophia.core.export.table import InsightsTable

                self._table = InsightsTable.from_settings(self._settings)
            return self._table

    def crm_pending(self) -> int | None:
        """Calls CRM enrichment has still to write to Salesforce (its record lives in this
        database); None when enrichment is off."""
        if not self._settings.salesforce_configured:
            return None
        from sophia.core.crm.ledger import DUE, status_counts

        counts = status_counts(self.get())
        return sum(counts.get(status, 0) for status in DUE)

    def dispose(self) -> None:
        """Close the table's pooled connections, if it was ever opened."""
        with self._lock:
            if self._table is not None:
                self._table.dispose()
