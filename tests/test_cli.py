"""The `sophia` command: stable JSON, batch mode, one-line errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sophia.cli.main import app
from tests.conftest import raw_call, raw_transcript, write_folder

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "SOPHIA_DATA_DIR": str(tmp_path / "data"),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
        "COLUMNS": "120",
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    calls, transcripts = [], []
    for i, account in enumerate(["Moss & Co", "Olympus"]):
        call_id = f"400000000000000000{i}"
        calls.append(raw_call(call_id, account=account, title=f"{account} pricing review"))
        transcripts.append(
            raw_transcript(
                call_id,
                [
                    ("1001", ["Shall we talk about the renewal price?"]),
                    ("2002", [f"The renewal price is our main objection at {account}."]),
                ],
            )
        )
    return write_folder(tmp_path / "corpus", calls, transcripts)


def sophia(env: dict[str, str], *args: str):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def test_ingest_prints_a_summary_line(env, folder) -> None:
    result = sophia(env, "ingest", "--from-dir", str(folder))
    assert result.exit_code == 0, result.output
    assert "2 calls indexed" in result.output and "0 unchanged" in result.output
    again = sophia(env, "ingest", "--from-dir", str(folder))
    assert "0 calls indexed" in again.output and "2 unchanged" in again.output


def test_search_json_is_stable_and_cited(env, folder) -> None:
    sophia(env, "ingest", "--from-dir", str(folder))
    result = sophia(env, "search", "renewal price objection", "--account", "moss & co", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["mode"] == "hybrid" and payload["hits"]
    hit = payload["hits"][0]
    assert {
        "call_id",
        "chunk_id",
        "start_ms",
        "end_ms",
        "speaker",
        "account",
        "score",
        "text",
        "url",
        "title",
        "date",
        "snippet",
        "moment_ms",
    } <= set(hit)
    assert hit["account"] == "Moss & Co" and hit["call_id"] == "4000000000000000000"
    assert hit["url"].startswith("https://app.gong.io/call?id=4000000000000000000&highlights=")
    assert hit["start_ms"] <= hit["moment_ms"] <= hit["end_ms"]


def test_human_output_is_a_table_with_links(env, folder) -> None:
    sophia(env, "ingest", "--from-dir", str(folder))
    result = sophia(env, "search", "renewal price", "--side", "customer")
    assert result.exit_code == 0, result.output
    assert "Casey Buyer" in result.output and "Olympus" in result.output
    assert "00:0" in result.output  # mm:ss of the moment
    assert "https://app.gong.io/call?id=" in result.output


def test_batch_search_writes_one_line_per_input_and_survives_bad_lines(
    env, folder, tmp_path: Path
) -> None:
    sophia(env, "ingest", "--from-dir", str(folder))
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(
            [
                json.dumps({"qid": "a", "query": "renewal price"}),
                json.dumps(
                    {"qid": "b", "query": "renewal price", "call_id": "4000000000000000001"}
                ),
                "{broken json",
                json.dumps({"qid": "d", "query": "   "}),
                json.dumps({"qid": "e", "query": "objection", "account": "Olympus"}),
            ]
        )
    )
    result = sophia(env, "search", "--queries", str(queries), "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("qid") for line in lines] == ["a", "b", None, "d", "e"]
    assert {h["call_id"] for h in lines[1]["hits"]} == {"4000000000000000001"}
    assert "error" in lines[2] and "error" in lines[3] and "query" in lines[3]["error"]
    assert {h["account"] for h in lines[4]["hits"]} == {"Olympus"}
    assert result.exit_code == 1


def test_stats_reports_counts_and_query_timings(env, folder) -> None:
    sophia(env, "ingest", "--from-dir", str(folder))
    sophia(env, "search", "renewal", "--json")
    result = sophia(env, "stats", "--json")
    stats = json.loads(result.output)
    assert stats["total_chunks"] >= 2 and stats["calls_indexed"] == 2
    assert stats["queries_measured"] == 1 and set(stats["query_times"]) == {"cli"}
    cli = stats["query_times"]["cli"]
    assert cli["queries"] == 1 and 0 < cli["p50_ms"] == cli["p95_ms"] == cli["avg_ms"]
    assert stats["last_sync"] is not None and stats["embedder"] == "hashing:v1-256"
    table = sophia(env, "stats").output
    assert "Query time, CLI" in table and "p50" in table and "p95" in table


@pytest.mark.parametrize(
    ("args", "extra_env", "message"),
    [
        (["search", "x", "--from", "yesterday"], {}, "--from must be a date"),
        (["search", "x", "--from", "2026-11-02", "--to", "2026-11-01"], {}, "is after --to"),
        (["search", "x", "--call-id", "1; DROP"], {}, "not a Gong call id"),
        (["ingest", "--from-dir", "/no/such/folder"], {}, "is not a folder"),
        (["search", "x"], {"SEARCH_ALPHA": "7"}, "SEARCH_ALPHA"),
        (["sync"], {}, "GONG_ACCESS_KEY"),
    ],
)
def test_errors_are_one_clear_line(env, args, extra_env, message) -> None:
    result = sophia({**env, **extra_env}, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 3  # one message, wrapped at most


def test_search_needs_a_query_or_a_file(env) -> None:
    result = sophia(env, "search")
    assert result.exit_code == 2 and "QUERY" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x", "--side", "buyer"], "Invalid value for '--side': 'buyer' is not one of"),
        (["search", "x", "--limit", "many"], "Invalid value for '--limit'"),
        (["search", "x", "--acount", "Olympus"], "No such option: --acount"),
        (["serch", "x"], "No such command 'serch'"),
        (["analyze"], "Missing argument"),
        (["search"], "give either a QUERY or --queries FILE"),
    ],
)
def test_usage_mistakes_are_one_line(env, args, message) -> None:
    result = sophia(env, *args)
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.splitlines()) == 1, result.output


def test_ask_brief_and_analyze_print_cited_answers(env, folder) -> None:
    sophia(env, "ingest", "--from-dir", str(folder))
    asked = json.loads(
        sophia(env, "ask", "what objections came up with moss & co?", "--json").output
    )
    assert asked["intent"] == "topic_brief"
    assert asked["understood"] == "Briefing on Moss & Co calls for objections"
    assert {c["account"] for c in asked["citations"]} == {"Moss & Co"}

    url = "https://app.gong.io/call?id=4000000000000000001"
    analysed = sophia(env, "analyze", url)
    assert analysed.exit_code == 0, analysed.output
    assert "Olympus pricing review" in analysed.output and "Talk ratio" in analysed.output
    assert "Sources" in analysed.output and "[1]" in analysed.output

    brief = sophia(env, "brief", "Olympus")
    assert brief.exit_code == 0 and "Brief: Olympus" in brief.output


def test_insight_commands_explain_empty_answers(env, folder) -> None:
    sophia(env, "ingest", "--from-dir", str(folder))
    stalled = sophia(env, "stalled")
    assert "No open opportunity has gone 21 days without a call." in stalled.output
    unknown = sophia(env, "ask", "brief me on recent conversations with Olimpus")
    assert "No calls found for 'Olimpus'. Did you mean Olympus?" in unknown.output
    missing = sophia(env, "analyze", "1234")
    assert missing.exit_code == 1 and "No indexed call has the id 1234." in missing.output


def test_the_cli_loads_the_backends_only_for_commands_that_open_them() -> None:
    # `--help`, `audit` and usage mistakes must not pay for the store, the model or the insights.
    probe = (
        "import sys, sophia.cli.main; "
        "print(sorted(m for m in ('lancedb', 'numpy', 'torch', 'onnxruntime', "
        "'sophia.core.services', 'sophia.core.session') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


_STATS_PROBE = """
import sys
from sophia.cli.main import app
app(["stats"], standalone_mode=False)
print("heavy:", sorted(m for m in ("lancedb", "torch", "onnxruntime") if m in sys.modules))
"""


def test_stats_reads_the_index_without_importing_lancedb(env, folder) -> None:
    # Importing LanceDB alone costs about a second; `sophia stats` must answer in less
    # (benchmarks/cli_startup.py), so it counts through Lance and never opens a table.
    sophia(env, "ingest", "--from-dir", str(folder))
    done = subprocess.run(
        [sys.executable, "-c", _STATS_PROBE],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "heavy: []" in done.stdout, done.stdout
    assert "Calls indexed" in done.stdout and " 2 " in done.stdout, done.stdout
