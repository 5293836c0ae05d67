"""Opening Sophia for one command, as the shell user, and closing it again.

The backends (the store, the embedder) load here, only for the commands that run `work`:
`sophia --help`, `sophia audit` and usage mistakes never pay for them.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from sophia.cli.errors import errors_as_messages
from sophia.core.config import load_settings
from sophia.core.viewer import Viewer

if TYPE_CHECKING:
    from sophia.core.services import Sophia
    from sophia.core.session import Session

__all__ = ["run_with_sophia", "shell_session"]

T = TypeVar("T")


def run_with_sophia(
    ctx: typer.Context, work: Callable[[Sophia], Awaitable[T]], *, check_index: bool = True
) -> T:
    """Open Sophia, run `work`, close it; every failure becomes one line and an exit code."""
    options = ctx.obj or {}

    async def go() -> T:
        from sophia.core.services import Sophia

        overrides = {"sophia_data_dir": options["data_dir"]} if options.get("data_dir") else {}
        sophia = await Sophia.open(load_settings(**overrides), check_index=check_index)
        try:
            return await work(sophia)
        finally:
            await sophia.aclose()

    with errors_as_messages(debug=options.get("debug", False)):
        return asyncio.run(go())
    raise AssertionError("unreachable")  # pragma: no cover


def shell_session(sophia: Sophia) -> Session:
    """A session for whoever runs the command (the audit log names the shell user)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        user = "unknown"
    return sophia.session(Viewer("cli", user=user))
