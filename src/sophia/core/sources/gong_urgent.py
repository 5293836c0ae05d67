"""`UrgentFetches`: Gong work that cannot wait for a long sync to end.

A sync holds the data dir's writer lock for its whole run, so a poll (or a webhook's call)
arriving during a long backfill would wait for all of it. Instead the running sync serves
them between its batches, through the same client and so the same throttle: the calls a
webhook named, and for a waiting poll the pending calls and the recent window. A poll that
finds no sync running in this process runs its own (`Sophia.poll`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["Urgent", "UrgentFetches"]


@dataclass
class Urgent:
    """What a running sync took from the queue: call ids to fetch, and polls to serve."""

    call_ids: list[str] = field(default_factory=list)
    polls: list[asyncio.Future[bool]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.call_ids or self.polls)


class UrgentFetches:
    """The process's queue of urgent Gong work, served by the sync that runs."""

    def __init__(self) -> None:
        self._call_ids: dict[str, None] = {}
        self._polls: list[asyncio.Future[bool]] = []
        self._wakers: list[Callable[[], None]] = []
        # A Gong sync of this process is reading Gong and will serve the queue.
        self.serving = False

    @property
    def call_ids(self) -> list[str]:
        """Call ids waiting for a fetch, oldest first."""
        return list(self._call_ids)

    def add_calls(self, call_ids: Iterable[str]) -> None:
        """Fetch these calls as soon as possible (a webhook named them): the running sync
        takes them at its next batch, else whoever `on_queued` registered starts one."""
        self._call_ids.update(dict.fromkeys(call_ids))
        for wake in self._wakers:
            wake()

    def on_queued(self, wake: Callable[[], None]) -> None:
        """Call `wake` whenever calls are queued (the scheduler runs its poll now)."""
        self._wakers.append(wake)

    def ask_poll(self) -> asyncio.Future[bool]:
        """A poll for the running sync to serve: True once served and stored, False if that
        sync ended without serving it (then the caller polls itself)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._polls.append(future)
        return future

    def take(self, *, polls: bool = True) -> Urgent:
        """What is queued now (the queue keeps the polls when `polls` is False)."""
        urgent = Urgent(list(self._call_ids))
        self._call_ids.clear()
        if polls:
            urgent.polls = [poll for poll in self._polls if not poll.done()]
            self._polls.clear()
        return urgent

    @staticmethod
    def served(urgent: Urgent) -> None:
        """The urgent work's calls are stored: its polls are done."""
        _resolve(urgent.polls, True)

    def stop_serving(self) -> None:
        """The sync ends: polls still queued were not served (their callers run their own)."""
        self.serving = False
        _resolve(self._polls, False)
        self._polls.clear()


def _resolve(polls: Iterable[asyncio.Future[bool]], result: bool) -> None:
    for poll in polls:
        if not poll.done():
            poll.set_result(result)
