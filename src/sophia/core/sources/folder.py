"""A folder of Gong API JSON as a call source.

Layout: `calls.json` (the `calls[]` of /v2/calls/extensive) and `transcripts.json` (the
`callTranscripts[]` of /v2/calls/transcript), each optionally gzipped, as a bare list or as
the API's response object, and any number of `*.call.json` files holding one call each
(`{"callData": ..., "transcript": ...}`, the webhook's shape): a new file is a new call.
Optional: `users.json` (the `users[]` of /v2/users) for speaker names, and `folder.json`
with `{"dates_relative_to": "YYYY-MM-DD"}`: the dates of `calls.json` are then shifted by
whole weeks so that this day falls in the current week — a demo corpus stays recent (and its
weekdays stay weekdays) however long ago it was written.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sophia.core.clock import Clock, SystemClock, today
from sophia.core.errors import SourceError
from sophia.core.gong.parsing import call_id_of, parse_call_details, parse_transcript, parse_users
from sophia.core.models import Call, CallDetails, Transcript
from sophia.core.quarantine import Quarantined
from sophia.core.sources.base import SourceBatch
from sophia.core.sources.join import join_calls

__all__ = ["FolderSource", "week_shift"]


@dataclass
class _Loaded:
    """What one read of the folder found."""

    calls: list[Call] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def refuse(self, record_id: str, reason: str) -> None:
        self.quarantined.append(Quarantined(record_id, "parse", reason))


class FolderSource:
    """Reads every call of a Gong-shaped folder; nothing is ever pending for later."""

    # Every run reads the whole folder: what it no longer refuses is fixed or gone.
    complete_listing = True

    def __init__(self, folder: Path, *, clock: Clock | None = None) -> None:
        if not folder.is_dir():
            raise SourceError(f"{folder} is not a folder")
        self.folder = folder
        # Absolute: `sophia quarantine --retry` may run from another directory.
        self.name = f"folder:{folder.absolute()}"
        self._clock = clock or SystemClock()
        self._pending = 0

    @property
    def pending_count(self) -> int:
        return self._pending

    async def batches(self, batch_size: int, since: datetime | None) -> AsyncIterator[SourceBatch]:
        """All calls (started at or after `since`), oldest first, `batch_size` at a time."""
        loaded = self._load()
        calls = loaded.calls
        if since is not None:
            calls = [c for c in calls if c.details.started >= since]
        self._pending = len(loaded.pending)
        # The first batch carries what the whole read found besides the calls.
        found = SourceBatch(
            [],
            pending=tuple(loaded.pending),
            quarantined=tuple(loaded.quarantined),
            duplicates=tuple(loaded.duplicates),
            seen=0,
            total=0,
        )
        if not calls:
            yield found
            return
        for start in range(0, len(calls), batch_size):
            part = calls[start : start + batch_size]
            seen = min(len(calls), start + batch_size)
            if start == 0:
                yield replace(found, calls=part, seen=seen, total=len(calls))
            else:
                yield SourceBatch(part, seen=seen, total=len(calls))

    async def commit(self, batch: SourceBatch) -> None:
        # Progress through a folder needs no checkpoint: stored calls are skipped by hash.
        return None

    def _load(self) -> _Loaded:
        loaded = _Loaded()
        users, skipped = parse_users(self._read_list("users", "users", required=False))
        for reason in skipped:
            item = reason.split(":", 1)[0].removeprefix("user ")
            loaded.refuse(f"users.json {item}", f"users.json {reason}")
        details: dict[str, CallDetails] = {}
        dropped, raw_calls, raw_transcripts = self._call_files(loaded)
        raw_calls[:0] = self._read_list("calls", "calls", required=not dropped)
        raw_transcripts[:0] = self._read_list("transcripts", "callTranscripts", required=False)
        for i, raw in enumerate(raw_calls):
            try:
                parsed = parse_call_details(raw, users)
            except SourceError as exc:
                loaded.refuse(
                    call_id_of(raw) or f"calls.json item {i}", f"calls.json item {i}: {exc}"
                )
                continue
            if parsed.call_id in details:
                loaded.duplicates.append(parsed.call_id)
            details[parsed.call_id] = parsed
        transcripts: dict[str, Transcript] = {}
        for i, raw in enumerate(raw_transcripts):
            try:
                transcript = parse_transcript(raw)
            except SourceError as exc:
                loaded.refuse(
                    call_id_of(raw) or f"transcripts.json item {i}",
                    f"transcripts.json item {i}: {exc}",
                )
                continue
            if transcript.call_id in transcripts:
                loaded.duplicates.append(transcript.call_id)
            transcripts[transcript.call_id] = transcript
        shift = self._shift()
        if shift:
            # A call dropped in as its own file is live: only the corpus' dates move.
            details = {k: d if k in dropped else _shifted(d, shift) for k, d in details.items()}
        refused = {q.record_id for q in loaded.quarantined}
        calls, pending = join_calls(
            {k: d for k, d in details.items() if k not in refused},
            {k: t for k, t in transcripts.items() if k not in refused},
        )
        loaded.calls, loaded.pending = calls, pending
        loaded.duplicates = sorted(set(loaded.duplicates))
        return loaded

    def _call_files(self, loaded: _Loaded) -> tuple[set[str], list[Any], list[Any]]:
        """The calls dropped in one file each (`*.call.json`: `{"callData": <a calls[]
        item>, "transcript": <a callTranscripts[] item>}`): their ids and raw items."""
        ids, calls, transcripts = set(), [], []
        for path in sorted(self.folder.glob("*.call.json")):
            data = _read_json(path)
            call = data.get("callData") if isinstance(data, dict) else None
            if not isinstance(call, dict) or call_id_of(call) is None:
                loaded.refuse(path.name, f"{path.name}: expected callData with metaData.id")
                continue
            ids.add(str(call_id_of(call)))
            calls.append(call)
            if isinstance(data.get("transcript"), dict):
                transcripts.append(data["transcript"])
        return ids, calls, transcripts

    def _read_list(self, stem: str, key: str, *, required: bool = True) -> list[Any]:
        for path in (self.folder / f"{stem}.json", self.folder / f"{stem}.json.gz"):
            if path.exists():
                data = _read_json(path)
                items = data.get(key) if isinstance(data, dict) else data
                if not isinstance(items, list):
                    raise SourceError(f"{path}: expected a list (or an object with '{key}')")
                return items
        if required:
            raise SourceError(f"{self.folder} has no {stem}.json (or {stem}.json.gz)")
        return []

    def _shift(self) -> timedelta:
        path = self.folder / "folder.json"
        if not path.exists():
            return timedelta(0)
        manifest = _read_json(path)
        anchor_raw = manifest.get("dates_relative_to") if isinstance(manifest, dict) else None
        try:
            anchor = date.fromisoformat(str(anchor_raw))
        except ValueError:
            raise SourceError(f"{path}: dates_relative_to must be YYYY-MM-DD") from None
        return week_shift(anchor, today(self._clock))


def week_shift(anchor: date, today: date) -> timedelta:
    """Whole weeks that move `anchor` into the week that ends with `today`."""
    return timedelta(weeks=max(0, (today - anchor).days // 7))


def _shifted(details: CallDetails, shift: timedelta) -> CallDetails:
    return details.model_copy(
        update={
            "started": details.started + shift,
            "opportunities": tuple(
                o.model_copy(update={"close_date": o.close_date + shift}) if o.close_date else o
                for o in details.opportunities
            ),
        }
    )


def _read_json(path: Path) -> Any:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return json.load(handle)
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        # zlib's own errors ("invalid distance too far back") do not name the file.
        raise SourceError(f"cannot read {path}: {exc}") from None
    except RecursionError:
        raise SourceError(f"cannot read {path}: JSON nested too deeply") from None
