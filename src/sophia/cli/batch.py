"""`sophia search --queries FILE`: one JSON line out per JSON line in.

Each line is `{"qid", "query", "call_id"?, "account"?}`; the command's own filters apply to
every line, and a line's `call_id` or `account` narrows it further. A bad line gets an error
line (with its qid and line number) and the rest still run; the exit code is 1 if any failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sophia.cli.output import err, json_line
from sophia.core.errors import BadQuery, SophiaError
from sophia.core.query import SearchRequest
from sophia.core.search_schema import HitOut
from sophia.core.session import Session

__all__ = ["AskFor", "run_batch"]

# The search a line asks for, from its query and its own call id and account (or None).
AskFor = Callable[[str, str | None, str | None], SearchRequest]


async def run_batch(session: Callable[[], Session], path: Path, ask_for: AskFor) -> int:
    """Search every line of `path`, each in a `session()` of its own; the exit code (1 when
    a line failed)."""
    failures = 0
    for number, line in enumerate(_lines(path), 1):
        qid: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise BadQuery("each line must be a JSON object")
            qid = item.get("qid", number)
            query, call_id, account = (item.get(k) for k in ("query", "call_id", "account"))
            if not isinstance(query, str):
                raise BadQuery("query: give the words to search for")
            request = ask_for(
                query,
                str(call_id) if call_id else None,
                str(account) if account else None,
            )
            result = await session().search(request)
            hits = [HitOut.of(hit).model_dump(mode="json") for hit in result.hits]
            json_line({"qid": qid, "hits": hits})
        except (json.JSONDecodeError, SophiaError) as exc:
            failures += 1
            json_line({"qid": qid, "line": number, "error": str(exc)})
    if failures:
        err.print(f"[red]{failures} query line(s) failed; see their error lines.[/red]")
    return 1 if failures else 0


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8") as handle:
            yield from (line for line in handle if line.strip())
    except OSError as exc:
        raise BadQuery(f"cannot read {path}: {exc.strerror}") from None
