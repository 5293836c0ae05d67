"""`Viewer`: who asks and from where, what the access policy and the audit log go by."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

__all__ = ["SURFACES", "SURFACE_NAMES", "Surface", "Viewer"]

Surface = Literal["cli", "slack", "api", "scheduler"]
SURFACES: tuple[Surface, ...] = get_args(Surface)
# How reports name each surface.
SURFACE_NAMES: dict[Surface, str] = {
    "slack": "Slack",
    "api": "REST API",
    "cli": "CLI",
    "scheduler": "Scheduler",
}


@dataclass(frozen=True)
class Viewer:
    """Who asks and from where.

    `user` is a Slack user id on Slack, an API key's name on REST, the shell user on the
    CLI, and None for the scheduler (which may see only unrestricted accounts). `groups`
    are the Slack user groups the user belongs to.
    """

    surface: Surface
    user: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    channel: str | None = None
