"""Every failure of the `sophia` command as one line on stderr and an exit code: 2 for a
usage mistake (an unknown option or value), 1 for what went wrong running it, 130 for
Ctrl-C. Tracebacks only with --debug."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.markup import escape
from typer.core import TyperGroup
from typer.exceptions import TyperException

from sophia.cli.output import err
from sophia.core.errors import SophiaError

__all__ = ["OneLineErrors", "errors_as_messages", "usage_error"]


class OneLineErrors(TyperGroup):
    """The command group, with its usage errors said in one line instead of a box."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _usage_in_one_line():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _usage_in_one_line():
            return super().invoke(ctx)


@contextmanager
def _usage_in_one_line() -> Iterator[None]:
    try:
        yield
    except TyperException as exc:
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "sophia"
        message = exc.format_message().replace("Value error, ", "")
        err.print(f"[red]Error:[/red] {escape(message)} (see `{escape(command)} --help`)")
        raise typer.Exit(exc.exit_code) from None


def usage_error(message: str) -> NoReturn:
    """Stop with a usage mistake the options cannot express (exit code 2)."""
    err.print(f"[red]Error:[/red] {escape(message)}")
    raise typer.Exit(2)


@contextmanager
def errors_as_messages(*, debug: bool) -> Iterator[None]:
    """Core's errors, Ctrl-C and anything unexpected as one line and an exit code."""
    try:
        yield
    except SophiaError as exc:
        if debug:
            raise
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print(
            "[yellow]Interrupted.[/yellow] Finished batches are saved; run it again to continue."
        )
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            raise
        err.print(
            f"[red]Unexpected error:[/red] {escape(str(type(exc).__name__))}: {escape(str(exc))} "
            "(run with --debug for details)"
        )
        raise typer.Exit(1) from None
