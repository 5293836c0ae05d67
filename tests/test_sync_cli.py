"""`sophia sync` end to end: the real CLI and Gong client against the local fake Gong."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from sophia.cli.main import app
from tests.conftest import NOW, raw_call, raw_transcript
from tests.fakes.gong_server import FakeGong

pytest_plugins = ["tests.fakes.gong_fixtures"]
runner = CliRunner()


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sync_indexes_new_calls_keeps_late_ones_pending_and_never_prints_secrets(
    gong_server: FakeGong, tmp_path: Path
) -> None:
    now = NOW
    for i, account in enumerate(["Moss & Co", "Olympus"]):
        call_id = f"600000000000000000{i}"
        gong_server.add_call(
            raw_call(call_id, account=account, started=iso(now - timedelta(days=1, hours=i))),
            raw_transcript(call_id, [("2002", [f"{account} is worried about the SOC 2 report."])]),
        )
    late = "6000000000000000009"
    gong_server.add_call(
        raw_call(late, account="Olympus", started=iso(now - timedelta(hours=5))),
        raw_transcript(late, [("2002", ["We signed the order form this morning."])]),
        hidden=True,
    )
    env = {
        "SOPHIA_DATA_DIR": str(tmp_path / "data"),
        "SOPHIA_EMBEDDER": "hashing",
        "GONG_RATE_LIMIT": "3",
        **gong_server.env(),
    }
    since = (now - timedelta(days=3)).date().isoformat()

    first = runner.invoke(app, ["sync", "--since", since], env=env)
    assert first.exit_code == 0, first.output
    assert "2 calls indexed" in first.output and "1 pending" in first.output
    assert gong_server.access_secret not in first.output

    found = runner.invoke(
        app, ["search", "SOC 2 report", "--account", "Olympus", "--json"], env=env
    )
    hits = json.loads(found.output)["hits"]
    assert [h["call_id"] for h in hits] == ["6000000000000000001"]

    gong_server.release(late)
    second = runner.invoke(app, ["sync", "--since", since], env=env)
    assert "1 call indexed" in second.output and "2 unchanged" in second.output
    assert "0 pending" in second.output

    stats = json.loads(runner.invoke(app, ["stats", "--json"], env=env).output)
    assert stats["calls_indexed"] == 3
    assert stats["last_sync_summary"]["source"] == "gong"


def test_sync_with_rejected_credentials_names_the_variables(
    gong_server: FakeGong, tmp_path: Path
) -> None:
    env = {
        "SOPHIA_DATA_DIR": str(tmp_path / "data"),
        "SOPHIA_EMBEDDER": "hashing",
        "GONG_BASE_URL": gong_server.url,
        "GONG_ACCESS_KEY": "wrong-key",
        "GONG_ACCESS_SECRET": "wrong-secret-value",
    }
    result = runner.invoke(app, ["sync", "--since", "2026-11-01"], env=env)
    assert result.exit_code == 1
    assert "GONG_ACCESS_KEY" in result.output and "GONG_ACCESS_SECRET" in result.output
    assert "wrong-secret-value" not in result.output and "Traceback" not in result.output
