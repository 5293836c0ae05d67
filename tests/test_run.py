"""`sophia run` as a real process (the notice without tokens, Slack through the fake, a clean
stop on SIGTERM and Ctrl-C), and `sophia brief --post`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from sophia.bot.messages import BOT_DISABLED
from sophia.cli.main import app
from tests.fakes.slack_server import FakeSlack, running_in_thread

pytest_plugins = ["tests.fakes.slack_fixtures"]

SOPHIA = str(Path(sys.executable).with_name("sophia"))
READY = "sophia run: ready"


async def start_run(data_dir: Path, *args: str, **env: str) -> asyncio.subprocess.Process:
    variables = {
        **os.environ,
        "SOPHIA_DATA_DIR": str(data_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
        "LOG_FORMAT": "text",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        SOPHIA, "run", *args, env=variables, stderr=asyncio.subprocess.PIPE
    )


async def read_until(process: asyncio.subprocess.Process, marker: str) -> list[str]:
    """stderr lines up to and including the first that contains `marker` (30 s at most)."""
    assert process.stderr is not None
    lines: list[str] = []
    async with asyncio.timeout(30):
        while not lines or marker not in lines[-1]:
            line = await process.stderr.readline()
            assert line, f"sophia run ended before {marker!r}: {lines}"
            lines.append(line.decode().rstrip())
    return lines


async def stop(process: asyncio.subprocess.Process, signum: int) -> tuple[int, list[str]]:
    """Send `signum`; the exit code and the rest of stderr."""
    assert process.stderr is not None
    process.send_signal(signum)
    async with asyncio.timeout(15):
        rest = await process.stderr.read()
        code = await process.wait()
    return code, rest.decode().splitlines()


async def test_without_slack_tokens_one_line_says_how_and_ctrl_c_stops_cleanly(
    tmp_path: Path,
) -> None:
    process = await start_run(tmp_path / "data", "--no-api")
    lines = await read_until(process, READY)
    notices = [line for line in lines if "SLACK_BOT_TOKEN" in line]
    assert len(notices) == 1 and notices[0].endswith(BOT_DISABLED)
    code, rest = await stop(process, signal.SIGINT)
    assert code == 0, rest
    assert rest[-1].endswith("sophia run: stopped cleanly")
    assert not any("Traceback" in line for line in lines + rest)


async def test_the_bot_answers_through_the_fake_and_sigterm_stops_it_cleanly(
    sophia_dir: Path, slack: FakeSlack
) -> None:
    process = await start_run(sophia_dir, "--no-api", "--no-scheduler", **slack.env())
    lines = await read_until(process, READY)
    assert not any("SLACK_BOT_TOKEN" in line for line in lines)
    await slack.wait_connections(1)
    envelope = await slack.command("search pricing objections")
    await slack.wait_ack(envelope, within=3)
    [answer] = await slack.wait_responses(envelope)
    assert "app.gong.io/call?id=" in answer.text
    code, rest = await stop(process, signal.SIGTERM)
    assert code == 0, rest
    assert rest[-1].endswith("sophia run: stopped cleanly")
    # The socket was closed by the bot, not dropped: the fake saw the connection end.
    await slack.wait_for(lambda: slack.socket_mode.live() is None, what="the socket to close")
    for line in lines + rest:  # no token in any log line
        assert slack.bot_token not in line and slack.app_token not in line


def test_brief_post_puts_the_brief_in_the_channel(sophia_dir: Path) -> None:
    with running_in_thread(FakeSlack()) as slack:
        env = {"SOPHIA_DATA_DIR": str(sophia_dir), "SOPHIA_EMBEDDER": "hashing", **slack.env()}
        result = CliRunner().invoke(app, ["brief", "Olympus", "--post", "#sales-team"], env=env)
        assert result.exit_code == 0, result.output
        assert "Posted the brief to #sales-team (1 message)." in result.output
        [post] = slack.calls_to("chat.postMessage")
        assert post.args["channel"] == "#sales-team"
        assert post.args["blocks"][0]["text"]["text"] == "Brief: Olympus"
        assert slack.invalid == []


def test_brief_post_without_a_bot_token_is_a_clear_error(sophia_dir: Path) -> None:
    env = {"SOPHIA_DATA_DIR": str(sophia_dir), "SOPHIA_EMBEDDER": "hashing"}
    result = CliRunner().invoke(app, ["brief", "Olympus", "--post", "#sales-team"], env=env)
    assert result.exit_code == 1
    assert "SLACK_BOT_TOKEN is not set" in result.output
    assert "Traceback" not in result.output


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


async def test_the_rest_api_serves_with_the_rest_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = await start_run(tmp_path / "data", API_PORT=str(port))
    lines = await read_until(process, READY)
    assert any(f"REST API on http://127.0.0.1:{port}/docs" in line for line in lines)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        health = await client.get("/api/gong/health")
        stats = await client.get("/api/gong/stats")
        docs = await client.get("/docs")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert stats.status_code == 200 and stats.json()["calls_indexed"] == 0
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    code, rest = await stop(process, signal.SIGTERM)
    assert code == 0, rest
    assert rest[-1].endswith("sophia run: stopped cleanly")


async def test_a_busy_api_port_is_a_clear_error_at_start(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        process = await start_run(tmp_path / "data", "--no-scheduler", API_PORT=str(port))
        assert process.stderr is not None
        async with asyncio.timeout(30):
            output = (await process.stderr.read()).decode()
            code = await process.wait()
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in output and "API_PORT" in output
    assert "Traceback" not in output
