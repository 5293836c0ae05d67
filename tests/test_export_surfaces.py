"""Exports of the call-insights table: `sophia export` (CSV, Parquet) and
GET /api/gong/export/calls (paged, the access policy applied, audited)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sophia.cli.main import app
from sophia.core.audit import read_audit
from tests.fakes.sophia_api import api_client, assert_error, make_settings, open_sophia

pytest_plugins = ["tests.fakes.samples_fixtures"]

KEYS = "reporting:sk-report-1234, ops:sk-ops-5678"
REPORTING = {"Authorization": "Bearer sk-report-1234"}
OPS = {"Authorization": "Bearer sk-ops-5678"}
COMPETITORS = "DealForge, Quotient AI, Pipestream, Ledgerly"

runner = CliRunner()


def cli_env(data_dir: Path) -> dict[str, str]:
    return {
        "SOPHIA_DATA_DIR": str(data_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
        "COMPETITORS": COMPETITORS,
    }


def test_export_csv_holds_every_call_with_its_competitors(
    sophia_dir: Path, tmp_path: Path, expected: dict[str, Any]
) -> None:
    result = runner.invoke(app, ["export", "--to", str(tmp_path / "out")], env=cli_env(sophia_dir))
    assert result.exit_code == 0, result.output
    assert "Wrote 40 calls" in result.output
    with (tmp_path / "out" / "call_insights.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40
    by_id = {r["call_id"]: r for r in rows}
    for mention in expected["competitor_mentions"]:
        assert mention["competitor"] in json.loads(by_id[mention["call_id"]]["competitors"])
    assert [r["started"] for r in rows] == sorted(r["started"] for r in rows)
    assert {r["restricted"] for r in rows} == {"false"}


def test_export_parquet_since_a_day(
    sophia_dir: Path, tmp_path: Path, expected: dict[str, Any]
) -> None:
    args = ["export", "--format", "parquet", "--to", str(tmp_path), "--since", "2026-10-01"]
    result = runner.invoke(app, args, env=cli_env(sophia_dir))
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "call_insights.parquet")
    later = {c["call_id"] for c in expected["calls"] if c["started"] >= "2026-10-01"}
    assert set(table.column("call_id").to_pylist()) == later
    assert table.schema.field("competitors").type.value_type == "string"
    kinds = [json.loads(k) for k in table.column("objections_by_kind").to_pylist()]
    assert sum(sum(k.values()) for k in kinds) == sum(table.column("objection_count").to_pylist())


def test_export_refuses_a_bad_day(sophia_dir: Path, tmp_path: Path) -> None:
    args = ["export", "--to", str(tmp_path), "--since", "yesterday"]
    result = runner.invoke(app, args, env=cli_env(sophia_dir))
    assert result.exit_code != 0
    assert "--since must be a date like" in result.output
    assert not (tmp_path / "call_insights.csv").exists()


async def test_api_pages_through_the_table(sophia_dir: Path) -> None:
    settings = make_settings(sophia_dir, competitors=COMPETITORS)
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        seen: list[str] = []
        offset: int | None = 0
        while offset is not None:
            page = await http.get("/api/gong/export/calls", params={"offset": offset, "limit": 15})
            assert page.status_code == 200, page.text
            body = page.json()
            assert body["total"] == 40 and body["offset"] == offset
            seen += [r["call_id"] for r in body["rows"]]
            offset = body["next_offset"]
        bad = await http.get("/api/gong/export/calls", params={"limit": 0})
    assert len(seen) == len(set(seen)) == 40
    assert "limit" in assert_error(bad, 400, "bad_request")["message"]


async def test_api_export_applies_the_policy_and_is_audited(
    sophia_dir: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Halden Energy:\n    api_keys: [ops]\n")
    settings = make_settings(sophia_dir, sophia_api_keys=KEYS, access_policy=policy)
    params = {"limit": 500, "since": "2026-09-01"}
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        hidden = (await http.get("/api/gong/export/calls", params=params, headers=REPORTING)).json()
        shown = (await http.get("/api/gong/export/calls", params=params, headers=OPS)).json()
    reporting = {r["account"] for r in hidden["rows"]}
    ops = [r for r in shown["rows"] if r["account"] == "Halden Energy"]
    assert "Halden Energy" not in reporting
    assert ops and all(r["restricted"] for r in ops)
    assert hidden["total"] == shown["total"] - len(ops)
    entries, _ = read_audit(sophia_dir / "audit")
    exports = [e for e in entries if e.kind == "export"]
    assert [e.user for e in exports] == ["reporting", "ops"]
    assert exports[0].excluded_accounts == 1 and exports[1].excluded_accounts == 0
    assert exports[0].call_ids == [r["call_id"] for r in hidden["rows"]]
    assert exports[0].filters is not None and exports[0].filters["limit"] == 500


@pytest.mark.parametrize("since", ["1989-12-31", "2026-13-01"])
async def test_api_refuses_days_outside_the_calendar_sophia_keeps(
    sophia_dir: Path, since: str
) -> None:
    async with open_sophia(make_settings(sophia_dir)) as sophia, api_client(sophia) as http:
        answer = await http.get("/api/gong/export/calls", params={"since": since})
    assert "since" in assert_error(answer, 400, "bad_request")["message"]
