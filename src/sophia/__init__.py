"""Sophia: cited answers from a sales team's Gong calls, in Slack, over REST and on the CLI.

The public names are few and load lazily, so `import sophia` stays cheap for commands that
need neither the store nor the embedder:

    from sophia import SearchRequest, Settings, Sophia, Viewer

    app = await Sophia.open(Settings())
    try:
        session = app.session(Viewer("cli", user="me"))
        result = await session.search(SearchRequest(query="pricing objections"))
    finally:
        app.close()

Everything else lives in `sophia.core` (the product), `sophia.bot` (Slack), `sophia.api`
(REST) and `sophia.cli` (the `sophia` command).
"""

from __future__ import annotations

from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sophia.core.config import Settings
    from sophia.core.query import SearchRequest
    from sophia.core.services import Sophia
    from sophia.core.viewer import Viewer

__all__ = ["SearchRequest", "Settings", "Sophia", "Viewer", "__version__"]

__version__ = metadata.version("sophia")

_HOMES = {
    "SearchRequest": "sophia.core.query",
    "Settings": "sophia.core.config",
    "Sophia": "sophia.core.services",
    "Viewer": "sophia.core.viewer",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sophia' has no attribute {name!r}")
    return getattr(import_module(home), name)
