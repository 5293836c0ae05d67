"""The two LanceDB tables of a generation: their schemas, the rows written to them, and the
SQL `where` clauses that filter them.

Every value in a clause is a hash, a validated id or a number, never the user's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa

from sophia.core.embedders.base import Vectors
from sophia.core.errors import StoreError
from sophia.core.query import SearchFilters
from sophia.core.stores.base import IndexedCall
from sophia.core.stores.records import SIDE_FIELD, call_record, check_vectors, chunk_record, to_ms

__all__ = [
    "CALL_SCHEMA",
    "call_rows",
    "chunk_rows",
    "chunk_schema",
    "in_list",
    "literal",
    "read_rows",
    "where",
    "where_for_calls",
]


def chunk_schema(dim: int) -> pa.Schema:
    """The `chunks` table: one row per chunk, with its vector of `dim` floats."""
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("call_id", pa.string(), nullable=False),
            pa.field("chunk_index", pa.int32()),
            pa.field("text", pa.string()),
            pa.field("text_hash", pa.string()),
            pa.field("lines", pa.string()),
            pa.field("vector", pa.list_(pa.float32(), dim)),
            pa.field("title", pa.string()),
            pa.field("account", pa.string()),
            pa.field("account_key", pa.string()),
            pa.field("started_ms", pa.int64()),
            pa.field("call_url", pa.string()),
            pa.field("start_ms", pa.int64()),
            pa.field("end_ms", pa.int64()),
            pa.field("has_internal", pa.bool_()),
            pa.field("has_external", pa.bool_()),
            pa.field("has_unknown", pa.bool_()),
        ]
    )


# The `calls` table: one row per indexed call, its transcript as JSON.
CALL_SCHEMA = pa.schema(
    [
        pa.field("call_id", pa.string(), nullable=False),
        pa.field("account", pa.string()),
        pa.field("account_key", pa.string()),
        pa.field("title", pa.string()),
        pa.field("started_ms", pa.int64()),
        pa.field("content_hash", pa.string()),
        pa.field("details", pa.string()),
        pa.field("monologues", pa.string()),
        pa.field("chunk_count", pa.int32()),
        pa.field("redactions", pa.int32()),
        pa.field("indexed_at_ms", pa.int64()),
    ]
)


def chunk_rows(calls: Sequence[IndexedCall], schema: pa.Schema) -> pa.Table:
    """The chunks of `calls` with their vectors, as rows of the `chunks` table."""
    rows: list[dict[str, Any]] = []
    vectors: list[Vectors] = []
    for indexed in calls:
        check_vectors(indexed)
        for chunk, vector in zip(indexed.chunks, indexed.vectors, strict=True):
            rows.append({"id": chunk.chunk_id, **chunk_record(indexed.call.details, chunk)})
            vectors.append(vector)
    dim = schema.field("vector").type.list_size
    columns = {name: [row[name] for row in rows] for name in schema.names if name != "vector"}
    flat = np.concatenate(vectors).astype(np.float32) if vectors else np.zeros(0, np.float32)
    if flat.size != len(rows) * dim:
        raise StoreError(f"vectors have the wrong dimension for this index ({dim})")
    columns["vector"] = pa.FixedSizeListArray.from_arrays(pa.array(flat), dim)
    return pa.table(columns, schema=schema)


def call_rows(calls: Sequence[IndexedCall], now: datetime) -> pa.Table:
    """`calls` as rows of the `calls` table, indexed at `now`."""
    records = [call_record(c, to_ms(now)) for c in calls]
    return pa.Table.from_pylist(records, schema=CALL_SCHEMA)


def read_rows(table: Any, where_clause: str | None, columns: list[str]) -> list[dict[str, Any]]:
    """Every row of `table` matching the clause, with these columns only."""
    query = table.search()
    if where_clause:
        query = query.where(where_clause)
    rows: list[dict[str, Any]] = query.select(columns).limit(None).to_list()
    return rows


def where(filters: SearchFilters) -> str | None:
    """The SQL clause for `filters` on the `chunks` table (None: no filter)."""
    clauses = [
        f"account_key = {literal(filters.account_key)}" if filters.account_key else "",
        f"call_id IN ({in_list(filters.call_ids)})" if filters.call_ids else "",
        f"started_ms >= {to_ms(filters.started_from)}" if filters.started_from else "",
        f"started_ms < {to_ms(filters.started_to)}" if filters.started_to else "",
        f"{SIDE_FIELD[filters.side]} = true" if filters.side else "",
        # A call without an account has a NULL key, and `NULL NOT IN (...)` is not true in
        # SQL: say explicitly that such calls stay visible.
        f"(account_key IS NULL OR account_key NOT IN ({in_list(filters.exclude_accounts)}))"
        if filters.exclude_accounts
        else "",
    ]
    return " AND ".join(clause for clause in clauses if clause) or None


def where_for_calls(filters: SearchFilters) -> str | None:
    """The clause for `filters` on the `calls` table: the side of the table is a property
    of chunks, not of whole calls."""
    return where(filters.model_copy(update={"side": None}))


def literal(value: str) -> str:
    """`value` as an SQL string literal."""
    # Values reaching here are hashes or validated ids; quoting is the second line of defence.
    return "'" + value.replace("'", "''") + "'"


def in_list(values: Any) -> str:
    """The values as the inside of an SQL `IN (...)`."""
    return ", ".join(literal(str(v)) for v in values)
