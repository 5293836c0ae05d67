"""Hard limits with clear errors: dates outside what Sophia searches are 400s naming the
field, chunks and names are bounded, answers have a maximum size; account names compare
alike however they are spelled; X-Forwarded-For counts only from trusted proxies; duplicate
ids and empty transcripts are reported."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from sophia.api.schemas import SearchOut
from sophia.api.server import build_server
from sophia.cli.main import app
from sophia.core.config import Settings, load_settings
from sophia.core.errors import ConfigError
from sophia.core.limits import MAX_CHUNK_CHARS, MAX_NAME_CHARS
from sophia.core.models import Call
from sophia.core.query import account_key, build_request
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from tests.conftest import raw_call, raw_transcript, write_folder
from tests.fakes.sophia_api import api_client, assert_error, make_settings, open_sophia

pytest_plugins = ["tests.fakes.api_fixtures"]
runner = CliRunner()


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"from": "9999-12-31"}, "filters.from"), ({"to": "0001-01-01"}, "filters.to")],
)
async def test_a_date_outside_the_searchable_years_is_a_400_naming_the_field(
    api_data_dir: Path, filters: dict[str, str], field: str
) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        response = await http.post("/api/gong/search", json={"query": "x", "filters": filters})
    error = assert_error(response, 400, "bad_request")
    assert f"{field}: must be between 1990-01-01 and 2099-12-31" in error["message"]


@pytest.mark.parametrize(
    "question",
    ["pricing since 9999-12-31", "pricing on 9999-12-31", "pricing 0001-01-01 to 9999-12-31"],
)
async def test_a_question_naming_an_impossible_date_says_so_and_cites_nothing(
    api_data_dir: Path, question: str
) -> None:
    # A question has no field to name: the understanding step (core/insights/understanding.py)
    # quotes the date it could not read and answers from no call, never from all of them.
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        response = await http.post("/api/gong/ask", json={"question": question})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["citations"] == [] and answer["sections"] == []
    assert "could not read the date" in answer["notice"]
    assert "9999-12-31" in answer["notice"] or "0001-01-01" in answer["notice"]


def test_the_cli_names_the_option_with_an_impossible_date(api_data_dir: Path) -> None:
    env = {"SOPHIA_DATA_DIR": str(api_data_dir), "SOPHIA_EMBEDDER": "hashing"}
    search = runner.invoke(app, ["search", "pricing", "--to", "9999-12-31"], env=env)
    ask = runner.invoke(app, ["ask", "pricing since 9999-12-31"], env=env)
    assert (
        search.exit_code == 1 and "--to must be between 1990-01-01 and 2099-12-31" in search.output
    )
    assert ask.exit_code == 0 and "could not read the date in 'since 9999-12-31'" in ask.output
    assert "Traceback" not in search.output + ask.output


# --- sizes -----------------------------------------------------------------------------------


async def test_text_without_spaces_and_huge_names_make_bounded_chunks_and_answers(
    settings: Settings, tmp_path: Path
) -> None:
    call = raw_call("6700000000000000001", speakers=(("2002", "N" * 1_000_000, "External"),))
    call["metaData"]["title"] = "T" * 100_000
    wall = "pricing" + "x" * 5_000_006
    transcript = raw_transcript("6700000000000000001", [("2002", [wall])])
    folder = write_folder(tmp_path / "corpus", [call], [transcript])
    async with open_sophia(settings) as sophia:
        summary = await sophia.ingest_folder(folder)
        [stored] = await sophia.store.list_calls()
        async with api_client(sophia) as http:
            response = await http.post("/api/gong/search", json={"query": "pricing", "limit": 5})
    assert summary.indexed == 1 and summary.chunks > 1
    assert len(stored.details.title) <= 500
    assert len(stored.details.parties[0].name) <= MAX_NAME_CHARS
    hits = response.json()["hits"]
    assert response.status_code == 200 and hits
    assert all(len(hit["text"]) <= MAX_CHUNK_CHARS for hit in hits)
    assert all(len(hit["speaker"]) <= MAX_NAME_CHARS for hit in hits)
    assert len(response.content) < 50_000, "was 5 MB: one 5,000,013-character chunk"


async def test_an_answer_over_its_size_cap_leaves_out_its_last_hits_and_says_so(
    api_data_dir: Path,
) -> None:
    async with open_sophia(make_settings(api_data_dir)) as sophia:
        result = await sophia.search.search(build_request(query="pricing", limit=10))
    whole = SearchOut.of(result)
    capped = whole.within(len(whole.model_dump_json()) // 2)
    assert 0 < len(capped.hits) < len(whole.hits)
    assert len(capped.model_dump_json()) <= len(whole.model_dump_json()) // 2
    assert capped.notice and "left out" in capped.notice
    assert whole.within(10_000_000) is whole


# --- account names ---------------------------------------------------------------------------


def test_account_names_compare_alike_however_they_are_spelled() -> None:
    key = account_key("Olympus")
    for spelling in ["olympus", " OLYMPUS ", "Olym\u200bpus", "\ufeffOlympus", "Ｏｌｙｍｐｕｓ"]:
        assert account_key(spelling) == key, repr(spelling)
    assert account_key("Moss  &  Co") == account_key("moss & co")
    assert account_key("Olympia") != key


async def test_a_restricted_account_spelled_with_invisible_characters_stays_restricted(
    settings: Settings, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Olympus:\n    api_keys: [olympus-team]\n")
    hidden = ["6800000000000000001", "6800000000000000002"]
    calls = [
        raw_call(hidden[0], account="Olym\u200bpus"),  # a zero-width space in the CRM data
        raw_call(hidden[1], account="Ｏｌｙｍｐｕｓ"),  # full-width letters
        raw_call("6800000000000000003", account="Moss & Co"),
    ]
    transcripts = [
        raw_transcript(c["metaData"]["id"], [("2002", ["The pricing discount is too small."])])
        for c in calls
    ]
    configured = settings.model_copy(
        update={
            "access_policy": policy,
            "sophia_api_keys": SecretStr("olympus-team:k-1,reporting:k-2"),
        }
    )
    sophia = await Sophia.open(configured)
    try:
        await sophia.ingest_folder(write_folder(tmp_path / "corpus", calls, transcripts))
        request = build_request(query="pricing discount", limit=10)
        outsider = await sophia.session(Viewer("api", user="reporting")).search(request)
        team = await sophia.session(Viewer("api", user="olympus-team")).search(request)
        by_name = await sophia.session(Viewer("cli", user="ops")).search(
            build_request(query="pricing", limit=10, filters={"account": "olympus"})
        )
    finally:
        await sophia.aclose()
    assert {h.call_id for h in outsider.hits} == {"6800000000000000003"}
    assert set(hidden) <= {h.call_id for h in team.hits}
    assert {h.call_id for h in by_name.hits} == set(hidden), "the filter finds both spellings"


# --- forwarded-for ---------------------------------------------------------------------------


async def served_statuses(data_dir: Path, forwarded: list[str], **overrides: object) -> list[int]:
    """Statuses of searches sent over real TCP from 127.0.0.1 with these X-Forwarded-For."""
    settings = make_settings(data_dir, api_rate_limit=2, **overrides)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    async with open_sophia(settings) as sophia:
        server = build_server(sophia)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            base = f"http://127.0.0.1:{sock.getsockname()[1]}"
            async with httpx.AsyncClient(base_url=base) as http:
                statuses = [
                    (
                        await http.post(
                            "/api/gong/search",
                            json={"query": "pricing"},
                            headers={"X-Forwarded-For": address},
                        )
                    ).status_code
                    for address in forwarded
                ]
        finally:
            server.should_exit = True
            await asyncio.wait_for(serving, timeout=10)
    sock.close()
    return statuses


async def test_forwarded_for_is_ignored_unless_a_trusted_proxy_sent_it(
    api_data_dir: Path,
) -> None:
    clients = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    # Untrusted: every request is 127.0.0.1's, whatever the header says; the third is over.
    assert await served_statuses(api_data_dir, clients) == [200, 200, 429]
    # From a trusted proxy, the header names the client: three clients, one request each.
    trusted = await served_statuses(api_data_dir, clients, trusted_proxies="127.0.0.1")
    assert trusted == [200, 200, 200]
    same = await served_statuses(api_data_dir, clients[:1] * 3, trusted_proxies="127.0.0.0/8")
    assert same == [200, 200, 429]


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ConfigError, match=r"TRUSTED_PROXIES: 'proxy.internal' is not an IP"):
        load_settings(_env_file=None, trusted_proxies="10.0.0.0/8, proxy.internal")


# --- ingest reports --------------------------------------------------------------------------


def test_duplicate_ids_and_empty_transcripts_are_reported(
    settings: Settings, tmp_path: Path
) -> None:
    twice = raw_call("6900000000000000001", title="First title")
    again = raw_call("6900000000000000001", title="Second title")
    empty = raw_call("6900000000000000002")
    transcripts = [
        raw_transcript("6900000000000000001", [("2002", ["Pricing is fine."])]),
        {"callId": "6900000000000000002", "transcript": []},
    ]
    folder = write_folder(tmp_path / "corpus", [twice, again, empty], transcripts)
    env = {"SOPHIA_DATA_DIR": str(settings.sophia_data_dir), "SOPHIA_EMBEDDER": "hashing"}
    result = runner.invoke(app, ["ingest", "--from-dir", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 duplicate id" in result.output and "1 with an empty transcript" in result.output
    assert "6900000000000000001" in result.output and "6900000000000000002" in result.output

    async def stored() -> Call | None:
        async with open_sophia(settings) as sophia:
            return await sophia.store.get_call("6900000000000000001")

    call = asyncio.run(stored())
    assert call is not None and call.details.title == "Second title", "the last one counts"
