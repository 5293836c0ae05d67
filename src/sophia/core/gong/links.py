"""Links into Gong's call player (docs/gong-api.md §9)."""

from __future__ import annotations

import json
import math
from urllib.parse import quote

__all__ = ["moment_url"]


def moment_url(call_url: str, start_ms: int, end_ms: int) -> str:
    """The call page URL that opens the player at [start_ms, end_ms].

    Gong documents no public contract for `highlights=`; the plain call URL still opens the
    call if the player ignores it, so the parameter is only ever appended.
    """
    highlight = [{"type": "SHARE", "from": start_ms // 1000, "to": math.ceil(end_ms / 1000)}]
    encoded = quote(json.dumps(highlight, separators=(",", ":")), safe="")
    separator = "&" if "?" in call_url else "?"
    return f"{call_url}{separator}highlights={encoded}"
