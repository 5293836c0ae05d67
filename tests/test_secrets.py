"""Secrets never reach logs, error messages, command output or the data dir.

The whole flow runs with a known fake value in every secret setting, each one in real use
against a local fake (Gong, OpenAI embeddings and chat, Weaviate, an unreachable Redis with a
password): ingest, sync, search, ask, brief, a denied call, feedback, stats, `sophia audit`,
and the failures each backend can produce. Every log record at DEBUG (formatted as `sophia
run` formats it), every message and output, and every file under the data dir are then
searched for each value.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from sophia.cli.main import app
from sophia.core.config import Settings, load_settings
from sophia.core.errors import AccessDenied, SophiaError
from sophia.core.logs import JsonFormatter
from sophia.core.query import build_request
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from tests.conftest import NOW, raw_call, raw_transcript, write_folder
from tests.disk_scan import found_on_disk
from tests.fakes.gong_server import FakeGong
from tests.fakes.loopback import clear_proxies
from tests.fakes.weaviate_server import FakeWeaviate

if TYPE_CHECKING:
    from tests.fakes.openai_server import FakeOpenAI

SECRETS = {
    "GONG_ACCESS_KEY": "gongkey-4be1c07d9a",
    "GONG_ACCESS_SECRET": "gongsecret-7a1f3e88c2",
    "OPENAI_API_KEY": "sk-fake-openai-55d2e9a0b7c4",
    "WEAVIATE_API_KEY": "wv-fake-key-0c9d8e7f",
    "SLACK_BOT_TOKEN": "xoxb-1111-fake-bot-token",
    "SLACK_APP_TOKEN": "xapp-1-fake-app-token-2222",
    "SOPHIA_API_KEYS": "sk-api-fake-3f6b0e1d",  # the key; its name is `dashboard`
    "REDIS_URL": "redispw-9e8d7c6b5a",  # the password inside the URL
}


class Captured(logging.Handler):
    """Every record, formatted as `sophia run` logs it (JSON, `extra=` fields included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeGong, FakeOpenAI, FakeWeaviate]]:
    # Imported here: its tokenizer package warns on import, which the test run's filters
    # cover but collection does not.
    from tests.fakes.openai_server import FakeOpenAI

    clear_proxies(monkeypatch)
    gong = FakeGong(
        access_key=SECRETS["GONG_ACCESS_KEY"],
        access_secret=SECRETS["GONG_ACCESS_SECRET"],
        page_size=100,
    ).start()
    openai = FakeOpenAI(api_key=SECRETS["OPENAI_API_KEY"]).start()
    weaviate = FakeWeaviate(api_key=SECRETS["WEAVIATE_API_KEY"]).start()
    yield gong, openai, weaviate
    for server in (gong, openai, weaviate):
        server.stop()


async def open_and_sync(settings: Settings, since: datetime) -> None:
    sophia = await Sophia.open(settings)
    try:
        await sophia.sync(since)
    finally:
        await sophia.aclose()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_no_secret_reaches_logs_messages_output_or_the_data_dir(
    fakes: tuple[FakeGong, FakeOpenAI, FakeWeaviate],
    captured: Captured,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gong, openai, weaviate = fakes
    now = NOW
    for n, account in enumerate(["Moss & Co", "Olympus"]):
        call_id = f"850000000000000000{n}"
        started = (now - timedelta(days=1, hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        gong.add_call(
            raw_call(call_id, account=account, started=started),
            raw_transcript(call_id, [("2002", [f"{account} asked about SOC 2 pricing."])]),
        )
    folder = write_folder(
        tmp_path / "corpus",
        [raw_call("8500000000000000009", account="Moss & Co")],
        [raw_transcript("8500000000000000009", [("2002", ["Pricing is too high for us."])])],
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Moss & Co:\n    api_keys: [dashboard]\n")
    env = {
        "SOPHIA_DATA_DIR": str(tmp_path / "data"),
        "GONG_BASE_URL": gong.url,
        "GONG_ACCESS_KEY": SECRETS["GONG_ACCESS_KEY"],
        "GONG_ACCESS_SECRET": SECRETS["GONG_ACCESS_SECRET"],
        "GONG_RATE_LIMIT": "3",
        "OPENAI_API_KEY": SECRETS["OPENAI_API_KEY"],
        "OPENAI_BASE_URL": openai.url,
        "EMBEDDING_DIMS": "64",
        "WEAVIATE_ENDPOINT": weaviate.url,
        "WEAVIATE_GRPC_PORT": str(weaviate.grpc_port),
        "WEAVIATE_API_KEY": SECRETS["WEAVIATE_API_KEY"],
        "SLACK_BOT_TOKEN": SECRETS["SLACK_BOT_TOKEN"],
        "SLACK_APP_TOKEN": SECRETS["SLACK_APP_TOKEN"],
        "SOPHIA_API_KEYS": f"dashboard:{SECRETS['SOPHIA_API_KEYS']}",
        "REDIS_URL": f"redis://:{SECRETS['REDIS_URL']}@127.0.0.1:{closed_port()}/0",
        "ACCESS_POLICY": str(policy),
    }
    settings = Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})
    messages: list[str] = []

    async def flow() -> None:
        sophia = await Sophia.open(settings)
        try:
            await sophia.ingest_folder(folder)
            await sophia.sync(now - timedelta(days=3))
            dashboard = sophia.session(Viewer("api", user="dashboard"))
            stranger = sophia.session(Viewer("api", user="reporting"))
            assert (await dashboard.search(build_request(query="SOC 2 pricing"))).hits
            answer = await dashboard.ask("what did Moss & Co say about pricing?")
            assert answer.citations
            await stranger.brief("pricing")  # the LLM summarizer has no chat endpoint: falls back
            with pytest.raises(AccessDenied):
                await stranger.analyze_call("8500000000000000009")
            await dashboard.feedback(dashboard.request_id, "up")
            openai.fail_next(401)
            degraded = await dashboard.search(build_request(query="SOC 2 report"))
            assert degraded.notice  # the query embedding failed: keyword fallback
            messages.append(str((await sophia.stats()).model_dump_json()))
        finally:
            await sophia.aclose()

        # Failures: wrong credentials for each backend, and a malformed setting.
        for wrong in (
            {"gong_access_secret": SecretStr("not-the-secret")},
            {"weaviate_api_key": SecretStr("not-the-key")},
        ):
            with pytest.raises(SophiaError) as failure:
                await open_and_sync(settings.model_copy(update=wrong), now - timedelta(days=3))
            messages.append(str(failure.value))
        with pytest.raises(SophiaError) as malformed:
            load_settings(redis_url=f"http://:{SECRETS['REDIS_URL']}@127.0.0.1/0")
        messages.append(str(malformed.value))
        weaviate.rejected.clear()  # the wrong key was refused on purpose

    asyncio.run(flow())

    runner = CliRunner()
    for args in (
        ["stats"],
        ["stats", "--json"],
        ["audit"],
        ["audit", "--json"],
        ["search", "SOC 2"],
    ):
        result = runner.invoke(app, args, env={**env, "COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        messages.append(result.output)
    messages.append(capsys.readouterr().out)

    # Each secret was in use: the fakes saw them, or the flow failed on them.
    assert any(r.headers.get("Authorization", "").startswith("Basic ") for r in gong.requests)
    assert openai.requests and any("Redis" in line for line in captured.lines)
    assert len(captured.lines) > 50

    everywhere = "\n".join([*captured.lines, *messages])
    leaked = {name: value for name, value in SECRETS.items() if value in everywhere}
    assert leaked == {}, f"secrets in logs or messages: {sorted(leaked)}"
    on_disk = found_on_disk(tmp_path / "data", SECRETS.values())
    assert on_disk == {}, f"secrets under the data dir: {on_disk}"
