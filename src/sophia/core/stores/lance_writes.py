"""Writing a LanceDB generation: calls in (appended when new, merged when changed), old
calls out, upkeep; each retried when another commit landed first.

Order matters for a write that stops half-way: chunks before the call rows that carry the
content hashes, so an interrupted call looks unindexed and is processed again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from sophia.core.errors import StoreError
from sophia.core.stores.base import IndexedCall
from sophia.core.stores.lance_generation import OpenGeneration
from sophia.core.stores.lance_indexes import ensure_indexes
from sophia.core.stores.lance_schema import call_rows, chunk_rows, in_list, read_rows
from sophia.core.stores.lance_upkeep import compact, fold_into_indexes, remove_old_versions
from sophia.core.stores.lance_visible import writing
from sophia.core.stores.records import to_ms

__all__ = ["delete_older_than", "optimize", "retrying_conflicts", "write_calls"]

_COMMIT_ATTEMPTS = 6

T = TypeVar("T")


def write_calls(gen: OpenGeneration, calls: Sequence[IndexedCall], now: datetime) -> None:
    """Store `calls` in `gen`, each call's previous chunks replaced."""
    ids = [c.call.call_id for c in calls]
    known = sorted(
        {
            row["call_id"]
            for row in read_rows(gen.calls, f"call_id IN ({in_list(ids)})", ["call_id"])
        }
    )
    fresh = [c for c in calls if c.call.call_id not in known]
    changed = [c for c in calls if c.call.call_id in known]
    fresh_rows = chunk_rows(fresh, gen.chunks.schema)
    changed_rows = chunk_rows(changed, gen.chunks.schema)
    new_call_rows = call_rows(calls, now)
    # Readers see neither commit until both are made (core/stores/lance_visible.py).
    with writing(gen.path, gen.latest()):
        # A call new to the index is appended: one new fragment, nothing rewritten, so
        # a sync's write costs what it adds however big the index is.
        if fresh_rows.num_rows:
            gen.chunks.add(fresh_rows)
        # One merge both inserts a changed call's chunks and deletes the ones that are
        # gone, so a re-ingested call never ends up with old and new chunks side by side.
        if changed_rows.num_rows:
            (
                gen.chunks.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .when_not_matched_by_source_delete(f"call_id IN ({in_list(known)})")
                .execute(changed_rows)
            )
        elif changed:
            gen.chunks.delete(f"call_id IN ({in_list(known)})")
        # The call row (with its content hash) goes last.
        if known:
            (
                gen.calls.merge_insert("call_id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute(new_call_rows)
            )
        else:
            gen.calls.add(new_call_rows)
    if not gen.has_fts and (fresh_rows.num_rows or changed_rows.num_rows):
        from lancedb.index import FTS  # lazily: see lance_generation

        gen.chunks.create_index("text", config=FTS(), replace=True)
        gen.has_fts = True


def delete_older_than(gen: OpenGeneration, cutoff: datetime) -> list[str]:
    """Remove the calls that started before `cutoff` with their chunks; their ids, sorted."""
    clause = f"started_ms < {to_ms(cutoff)}"
    ids = sorted({row["call_id"] for row in read_rows(gen.calls, clause, ["call_id"])})
    # Chunks first, the call rows last: if we stop in between, the next purge finds the
    # calls again.
    with writing(gen.path, gen.latest()):
        gen.chunks.delete(clause)
        gen.calls.delete(clause)
    return ids


def optimize(gen: OpenGeneration, *, full: bool, ann_min_rows: int) -> list[str]:
    """Fold recent writes into the indexes (`full`: also compact and merge); what it did."""
    # core/stores/lance_upkeep.py says what runs when, and why.
    done: list[str] = []
    if full:
        # Lance merges only files its index segments cover alike: one segment first.
        done.extend(fold_into_indexes(gen.chunks, merge_all=True))
    for table in (gen.chunks, gen.calls):
        compacted = compact(table, full=full)
        if compacted:
            done.append(f"{table.name}: {compacted}")
    # New indexes start from compacted files; existing ones take the new rows.
    made = ensure_indexes(gen.chunks, ann_min_rows=ann_min_rows)
    if made:
        done.append(f"built indexes: {', '.join(made)}")
    done.extend(fold_into_indexes(gen.chunks))
    for table in (gen.chunks, gen.calls):
        remove_old_versions(table)
    return done


def retrying_conflicts(work: Callable[..., T]) -> Callable[..., T]:
    """`work`, retried when LanceDB refuses its commit because another commit landed first.

    The writer lock (core/writer.py) keeps our own writers apart; this covers anything else
    writing the same table (a second machine on shared storage, a first start creating it).
    """

    def run(*args: Any) -> T:
        retrying = Retrying(
            retry=retry_if_exception(_is_conflict),
            stop=stop_after_attempt(_COMMIT_ATTEMPTS),
            wait=wait_exponential_jitter(multiplier=0.05, max=2.0, jitter=0.05),
            reraise=True,
        )
        try:
            return retrying(work, *args)
        except (OSError, RuntimeError, ValueError) as exc:
            if _is_conflict(exc):
                raise StoreError(
                    "the index kept changing under this write (another process writing it "
                    f"at the same time, {_COMMIT_ATTEMPTS} tries); run it again"
                ) from exc
            raise

    return run


def _is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, OSError | RuntimeError | ValueError) and "conflict" in str(exc).lower()
