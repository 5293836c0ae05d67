"""`build_server`: real uvicorn on loopback, serving the app over TCP, leaving signals alone."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import httpx

from sophia.api.server import build_server
from tests.fakes.sophia_api import make_settings, open_sophia

pytest_plugins = ["tests.fakes.api_fixtures"]


async def test_the_server_answers_over_tcp_and_installs_no_signal_handlers(
    api_data_dir: Path,
) -> None:
    settings = make_settings(api_data_dir, api_host="127.0.0.1", api_port=8765)
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    # A socket bound and listening before the server starts: connections wait in its backlog,
    # so the test needs no polling for "started".
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as uvicorn's own bind does
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    async with open_sophia(settings) as sophia:
        server = build_server(sophia)
        assert (server.config.host, server.config.port) == ("127.0.0.1", 8765)
        assert server.config.log_config is None and server.config.access_log is False
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                health = await http.get("/api/gong/health", headers={"X-Request-ID": "tcp-1"})
                search = await http.post("/api/gong/search", json={"query": "pricing"})
            during = {sig: signal.getsignal(sig) for sig in before}
        finally:
            server.should_exit = True
            await asyncio.wait_for(serving, timeout=10)
        # The app did not close what it was given.
        assert (await sophia.stats()).calls_indexed == 40
    sock.close()
    assert health.status_code == 200 and health.headers["x-request-id"] == "tcp-1"
    assert "server" not in health.headers
    assert search.status_code == 200 and search.json()["hits"]
    assert during == before, "sophia run owns SIGINT/SIGTERM"
