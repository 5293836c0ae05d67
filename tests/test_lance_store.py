"""The embedded store: filters inside the query (hostile names included), idempotent writes."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sophia.core.config import Settings
from sophia.core.errors import BadQuery, IndexMismatch, StoreError
from sophia.core.models import Affiliation
from sophia.core.query import SearchMode, build_request
from sophia.core.services import Sophia
from sophia.core.stores.base import IndexInfo
from sophia.core.stores.lance import LanceStore
from tests.conftest import raw_call, raw_transcript, write_folder

HOSTILE = 'O\'Brien "Holdings"; DROP TABLE chunks; --'


def corpus(folder: Path) -> Path:
    """Three accounts saying nearly the same thing, so only filters can tell them apart."""
    calls, transcripts = [], []
    for call_id, account, started in [
        ("1000000000000000001", "Moss & Co", "2026-10-05T15:00:00Z"),
        ("1000000000000000002", HOSTILE, "2026-10-20T15:00:00Z"),
        ("1000000000000000003", "Olympus", "2026-11-10T15:00:00Z"),
    ]:
        calls.append(raw_call(call_id, account=account, started=started))
        transcripts.append(
            raw_transcript(
                call_id,
                [
                    ("1001", ["Let's go through the pricing for next year."]),
                    (
                        "2002",
                        [
                            f"Honestly the pricing is too high for {account}.",
                            "Our budget is frozen until January.",
                        ],
                    ),
                ],
            )
        )
    return write_folder(folder, calls, transcripts)


@pytest.fixture
async def sophia(settings: Settings, tmp_path: Path):
    app = await Sophia.open(settings)
    summary = await app.ingest_folder(corpus(tmp_path / "corpus"))
    assert summary.indexed == 3
    yield app
    app.close()


async def search(sophia: Sophia, query: str = "pricing too high", **filters):
    request = build_request(query=query, limit=10, filters=filters)
    return (await sophia.search.search(request)).hits


@pytest.mark.parametrize("mode", list(SearchMode))
async def test_hostile_account_name_is_just_a_name(sophia: Sophia, mode: SearchMode) -> None:
    request = build_request(query="pricing too high", mode=mode, filters={"account": HOSTILE})
    hits = (await sophia.search.search(request)).hits
    assert hits and {h.account for h in hits} == {HOSTILE}
    assert (await sophia.store.counts()).calls == 3, "nothing was dropped"


async def test_account_filter_is_case_and_space_insensitive(sophia: Sophia) -> None:
    hits = await search(sophia, account="  moss   &  CO ")
    assert {h.account for h in hits} == {"Moss & Co"}


async def test_filters_apply_before_ranking(sophia: Sophia) -> None:
    # With limit 1 a post-filter would usually find nothing of the wanted account.
    for account in ("Moss & Co", "Olympus", HOSTILE):
        request = build_request(query="pricing too high", limit=1, filters={"account": account})
        [hit] = (await sophia.search.search(request)).hits
        assert hit.account == account


async def test_call_id_date_and_side_filters(sophia: Sophia) -> None:
    assert {h.call_id for h in await search(sophia, call_ids=("1000000000000000003",))} == {
        "1000000000000000003"
    }
    october = await search(
        sophia,
        started_from=datetime(2026, 10, 1, tzinfo=UTC),
        started_to=datetime(2026, 10, 20, 15, tzinfo=UTC),  # exclusive: drops the 20th 15:00
    )
    assert {h.call_id for h in october} == {"1000000000000000001"}
    customer = await search(sophia, "budget frozen", side=Affiliation.EXTERNAL)
    assert customer and all(h.affiliation is Affiliation.EXTERNAL for h in customer)
    assert all(h.speaker == "Casey Buyer" for h in customer)


async def test_unknown_account_returns_nothing_rather_than_everything(sophia: Sophia) -> None:
    assert await search(sophia, account="Nobody Inc") == []


def test_malformed_call_id_is_a_bad_query() -> None:
    with pytest.raises(BadQuery, match="not a Gong call id"):
        build_request(query="x", filters={"call_ids": ("1' OR '1'='1",)})


@pytest.mark.parametrize(
    "text", ['"unbalanced', "AND OR NOT", "price:*", "(((", "pricing^10 ~2", "DROP TABLE chunks;"]
)
async def test_query_text_is_never_parsed_as_syntax(sophia: Sophia, text: str) -> None:
    request = build_request(query=text, mode=SearchMode.KEYWORD)
    await sophia.search.search(request)  # must not raise


async def test_reingesting_the_same_calls_changes_nothing(sophia: Sophia, tmp_path: Path) -> None:
    before = await sophia.store.counts()
    generation = await sophia.store.generation()
    summary = await sophia.ingest_folder(tmp_path / "corpus")
    assert summary.unchanged == 3 and summary.indexed == 0 and summary.embedded == 0
    assert await sophia.store.counts() == before
    assert await sophia.store.generation() == generation


async def test_a_changed_call_replaces_its_chunks(sophia: Sophia, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    call = raw_call("1000000000000000001", account="Moss & Co", started="2026-10-05T15:00:00Z")
    transcript = raw_transcript("1000000000000000001", [("2002", ["Only security questions now."])])
    others = raw_call("1000000000000000003", account="Olympus", started="2026-11-10T15:00:00Z")
    write_folder(folder, [call, others], [transcript])  # call ...3 loses its transcript
    summary = await sophia.ingest_folder(folder)
    assert summary.indexed == 1 and summary.pending == 1
    hits = await search(sophia, "pricing too high", call_ids=("1000000000000000001",))
    assert [h.snippet for h in hits] == ["Only security questions now."]


async def test_a_store_built_by_another_embedder_names_reindex(tmp_path: Path) -> None:
    store = LanceStore(tmp_path / "index")
    await store.ensure_index(IndexInfo("hashing:v1-256", 256))
    reopened = LanceStore(tmp_path / "index")
    with pytest.raises(IndexMismatch, match="sophia reindex"):
        await reopened.ensure_index(IndexInfo("local:all-MiniLM-L6-v2", 384))


@pytest.mark.model
async def test_reindex_moves_the_index_to_the_configured_embedder(
    settings: Settings, tmp_path: Path
) -> None:
    app = await Sophia.open(settings)
    await app.ingest_folder(corpus(tmp_path / "corpus"))
    app.close()
    local = settings.model_copy(update={"sophia_embedder": "local"})
    with pytest.raises(IndexMismatch, match="sophia reindex"):
        await Sophia.open(local)

    app = await Sophia.open(local, check_index=False)
    summary = await app.reindex()
    app.close()
    assert summary.indexed == 3 and summary.embedded > 0

    app = await Sophia.open(local)  # the check passes now
    try:
        assert (await app.store.counts()).calls == 3
        hits = await search(app, "the cost is more than we can afford", account="Olympus")
        assert hits and hits[0].account == "Olympus"
        assert not (settings.sophia_data_dir / "reindex-snapshot.jsonl.gz").exists()
    finally:
        app.close()


async def test_an_index_whose_files_vanish_fails_with_a_store_error(tmp_path: Path) -> None:
    store = LanceStore(tmp_path / "index")
    await store.ensure_index(IndexInfo("test:unit-4", 4))
    assert (await store.counts()).chunks == 0
    shutil.rmtree(tmp_path / "index")  # someone deleted the data dir under a running process
    with pytest.raises(StoreError, match=r"the index in .*index failed"):
        await store.counts()
    with pytest.raises(StoreError):
        await store.list_calls()
