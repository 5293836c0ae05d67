"""`sophia export`: the call-insights table as a CSV or Parquet file, for a one-off pull."""

from __future__ import annotations

import csv
import json
from datetime import datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from sophia.cli.opening import run_with_sophia, shell_session
from sophia.cli.options import Since, parse_day
from sophia.cli.output import out

if TYPE_CHECKING:
    from sophia.core.export.page import CallExport
    from sophia.core.services import Sophia

__all__ = ["export"]

# Rows read per page: a bounded amount of memory per read, whatever the table's size.
_PAGE = 1000


class Format(StrEnum):
    csv = "csv"
    parquet = "parquet"


def export(
    ctx: typer.Context,
    to: Annotated[Path, typer.Option("--to", help="The directory to write the file into.")],
    fmt: Annotated[Format, typer.Option("--format", help="csv or parquet.")] = Format.csv,
    since: Since = None,
) -> None:
    """Write the call-insights table (one row per call) to DIR/call_insights.csv or .parquet."""

    async def run(sophia: Sophia) -> tuple[Path, int]:
        start = None
        if since:
            zone = ZoneInfo(sophia.settings.sophia_timezone)
            start = datetime.combine(parse_day("--since", since), time.min, zone)
        # The table follows every sync; bring it up to the index first (one writer at a time).
        async with sophia.writer.hold("export", wait=True):
            await sophia.refresh_table()
        session = shell_session(sophia)
        rows: list[CallExport] = []
        offset: int | None = 0
        while offset is not None:
            page = await session.export_calls(since=start, offset=offset, limit=_PAGE)
            rows.extend(page.rows)
            offset = page.next_offset
        to.mkdir(parents=True, exist_ok=True)
        target = to / f"call_insights.{fmt.value}"
        (_write_csv if fmt is Format.csv else _write_parquet)(target, rows)
        return target, len(rows)

    target, count = run_with_sophia(ctx, run)
    out.print(f"Wrote {count} call{'s' * (count != 1)} to {target}")


def _columns() -> list[str]:
    from sophia.core.export.page import CallExport

    return list(CallExport.model_fields)


def _write_csv(target: Path, rows: list[CallExport]) -> None:
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=_columns())
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.model_dump(mode="json").items()})


def _write_parquet(target: Path, rows: list[CallExport]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [row.model_dump() for row in rows]
    for record in records:
        # Kinds differ from row to row: a JSON object reads the same in every BI tool.
        record["objections_by_kind"] = json.dumps(record["objections_by_kind"], sort_keys=True)
    pq.write_table(pa.Table.from_pylist(records, schema=_schema(pa)), target)


def _schema(pa: Any) -> Any:
    text, number = pa.string(), pa.float64()
    return pa.schema(
        [
            ("call_id", text),
            ("account", text),
            ("account_key", text),
            ("restricted", pa.bool_()),
            ("opportunity_id", text),
            ("opportunity_name", text),
            ("opportunity_stage", text),
            ("title", text),
            ("url", text),
            ("started", pa.timestamp("ms", tz="UTC")),
            ("week", pa.date32()),
            ("duration_s", pa.int64()),
            ("talk_ratio_ours", number),
            ("talk_ratio_customer", number),
            ("objection_count", pa.int64()),
            ("objections_by_kind", text),
            ("competitors", pa.list_(text)),
            ("competitor_mentions", pa.int64()),
            ("next_steps", pa.list_(text)),
            ("customer_questions", pa.list_(text)),
            ("our_question_count", pa.int64()),
            ("customer_sentiment", number),
        ]
    )


def _cell(value: object) -> object:
    # Lists, objects and booleans as JSON, so a loader reads them back whole (not "False").
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict | bool) else value
