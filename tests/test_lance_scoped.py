"""A search confined to calls (core/stores/lance_scoped.py) on the indexed samples, a real
on-disk LanceDB index: the same hits, scores and evidence as the general path finds for the
same rows, every filter still applied, and never a chunk from outside the calls asked for.

The general path is reached through a filter that selects the same single call without
naming it: the minute the call started."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from sophia.core.models import Affiliation, CallDetails
from sophia.core.query import SearchFilters, SearchMode, account_key
from sophia.core.services import Sophia
from sophia.core.stores.base import StoredChunk, StoreQuery
from sophia.core.stores.lance import LanceStore
from sophia.core.stores.lance_ahead import Ahead, StartedReads
from tests.fakes.sophia_api import make_settings, open_sophia
from tests.store_corpus import CALL_1, INFO, A, Q, call_1_rewritten, corpus, unit

pytest_plugins = ["tests.fakes.samples_fixtures"]

QUERIES = ("pricing and the discount", "security review and SSO", "when does the rollout start")
MODES = (SearchMode.HYBRID, SearchMode.SEMANTIC)


@pytest.fixture
async def sophia(sophia_dir: Path) -> AsyncIterator[Sophia]:
    async with open_sophia(make_settings(sophia_dir)) as opened:
        yield opened


async def search(
    sophia: Sophia, text: str, mode: SearchMode, filters: SearchFilters, limit: int = 100
) -> list[StoredChunk]:
    vector = await sophia.embedder.embed_query(text)
    return await sophia.store.search(StoreQuery(mode, text, vector, 0.5, limit, filters))


async def single_start_calls(sophia: Sophia) -> list[CallDetails]:
    """The sample calls no other call shares a start minute with."""
    details = [c.details for c in await sophia.store.list_calls(transcripts=False)]
    minutes = [d.started.replace(second=0, microsecond=0) for d in details]
    return [d for d, m in zip(details, minutes, strict=True) if minutes.count(m) == 1]


def same_call(details: CallDetails, **more: object) -> SearchFilters:
    """The call by its start minute alone: a filter the general path answers."""
    start = details.started.replace(second=0, microsecond=0)
    return SearchFilters(started_from=start, started_to=start + timedelta(minutes=1), **more)


def evidence(hits: list[StoredChunk]) -> list[tuple[str, float, float | None, float | None]]:
    return [(h.chunk_id, h.score, h.similarity, h.keyword) for h in hits]


def same_evidence(scoped: list[StoredChunk], general: list[StoredChunk]) -> bool:
    """The same chunks, scored alike, best first (cosines in float32 differ in their last
    bits between LanceDB's kernel and numpy's, and equal scores come in no set order)."""
    if not all(a.score >= b.score - 1e-6 for hits in (scoped, general) for a, b in pairwise(hits)):
        return False
    ours, theirs = (
        sorted(hits, key=lambda h: (-round(h.score, 4), h.chunk_id)) for hits in (scoped, general)
    )
    return [h.chunk_id for h in ours] == [h.chunk_id for h in theirs] and all(
        a == pytest.approx(b, abs=1e-5)
        for x, y in zip(evidence(ours), evidence(theirs), strict=True)
        for a, b in zip(x[1:], y[1:], strict=True)
    )


def unscored(hit: StoredChunk) -> StoredChunk:
    """The hit's citation: everything but the scores, which may differ in the last bits."""
    return replace(hit, score=0.0, similarity=None, keyword=None)


@pytest.mark.parametrize("mode", MODES)
async def test_a_call_scoped_search_finds_what_the_general_path_finds(
    sophia: Sophia, mode: SearchMode
) -> None:
    calls = await single_start_calls(sophia)
    assert len(calls) >= 30
    compared = 0
    for details in calls:
        for text in QUERIES:
            scoped = await search(sophia, text, mode, SearchFilters(call_ids=(details.call_id,)))
            general = await search(sophia, text, mode, same_call(details))
            assert same_evidence(scoped, general), (details.call_id, text)
            assert {unscored(h) for h in scoped} == {unscored(h) for h in general}
            compared += bool(scoped)
    assert compared >= 30 * len(QUERIES)


async def test_a_short_limit_keeps_the_best_of_the_call(sophia: Sophia) -> None:
    [details, *_] = await single_start_calls(sophia)
    scoped = await search(
        sophia, QUERIES[0], SearchMode.HYBRID, SearchFilters(call_ids=(details.call_id,)), 3
    )
    general = await search(sophia, QUERIES[0], SearchMode.HYBRID, same_call(details), 3)
    assert len(scoped) == 3 and same_evidence(scoped, general)


@pytest.mark.parametrize("mode", MODES)
async def test_the_side_filter_applies_inside_the_call(sophia: Sophia, mode: SearchMode) -> None:
    checked = 0
    for details in (await single_start_calls(sophia))[:10]:
        for side in (Affiliation.EXTERNAL, Affiliation.INTERNAL):
            scoped = await search(
                sophia, QUERIES[2], mode, SearchFilters(call_ids=(details.call_id,), side=side)
            )
            general = await search(sophia, QUERIES[2], mode, same_call(details, side=side))
            assert same_evidence(scoped, general)
            assert all(any(line.affiliation is side for line in h.lines) for h in scoped)
            checked += len(scoped)
    assert checked


@pytest.mark.parametrize("mode", MODES)
async def test_never_a_chunk_from_outside_the_calls_asked_for(
    sophia: Sophia, mode: SearchMode
) -> None:
    first, second, *_ = await single_start_calls(sophia)
    asked = (first.call_id, second.call_id)
    hits = await search(sophia, QUERIES[1], mode, SearchFilters(call_ids=asked))
    assert {h.call_id for h in hits} == set(asked)
    alone = await search(sophia, QUERIES[1], mode, SearchFilters(call_ids=(first.call_id,)))
    assert {h.chunk_id for h in alone} < {h.chunk_id for h in hits}


@pytest.mark.parametrize("mode", MODES)
async def test_an_excluded_account_stays_out_of_a_call_scope(
    sophia: Sophia, mode: SearchMode
) -> None:
    first, second = [d for d in await single_start_calls(sophia) if d.account][:2]
    assert first.account and account_key(first.account) != account_key(second.account or "")
    hidden = SearchFilters(
        call_ids=(first.call_id, second.call_id), exclude_accounts=(account_key(first.account),)
    )
    hits = await search(sophia, QUERIES[0], mode, hidden)
    assert hits and {h.call_id for h in hits} == {second.call_id}
    only_hidden = SearchFilters(
        call_ids=(first.call_id,), exclude_accounts=(account_key(first.account),)
    )
    assert await search(sophia, QUERIES[0], mode, only_hidden) == []


@pytest.mark.parametrize("mode", MODES)
async def test_dates_and_accounts_still_narrow_a_call_scope(
    sophia: Sophia, mode: SearchMode
) -> None:
    [details, *_] = [d for d in await single_start_calls(sophia) if d.account]
    call = (details.call_id,)
    before = SearchFilters(call_ids=call, started_to=details.started - timedelta(days=1))
    assert await search(sophia, QUERIES[0], mode, before) == []
    elsewhere = SearchFilters(call_ids=call, account="an account no call has")
    assert await search(sophia, QUERIES[0], mode, elsewhere) == []
    around = SearchFilters(
        call_ids=call,
        account=details.account,
        started_from=details.started - timedelta(days=1),
        started_to=details.started + timedelta(days=1),
    )
    assert await search(sophia, QUERIES[0], mode, around)


# --- reads started while the query is embedded (core/stores/lance_ahead.py) ------------------


async def open_unit_store(path: Path) -> LanceStore:
    store = LanceStore(path)
    await store.ensure_index(INFO)
    await store.upsert(corpus())
    await store.optimize()
    return store


def unit_query(text: str, mode: SearchMode = SearchMode.HYBRID, **filters: object) -> StoreQuery:
    return StoreQuery(mode, text, None, 0.5, 10, SearchFilters.model_validate(filters))


@pytest.mark.parametrize("scope", [{}, {"call_ids": (CALL_1,)}])
async def test_reads_started_ahead_serve_only_their_own_search(
    tmp_path: Path, scope: dict[str, object]
) -> None:
    store = await open_unit_store(tmp_path / "index")
    asked, other = unit_query("pricing discount", **scope), unit_query("security review", **scope)
    plain = {q.text: await store.search(replace(q, vector=Q)) for q in (asked, other)}
    await store.read_ahead(asked)
    assert await store.search(replace(other, vector=Q)) == plain[other.text]
    assert await store.search(replace(asked, vector=Q)) == plain[asked.text]
    assert [h.chunk_id for h in plain[asked.text]][:1] == [A]  # the keyword half counted


async def test_a_write_after_a_read_ahead_is_searched(tmp_path: Path) -> None:
    store = await open_unit_store(tmp_path / "index")
    query = unit_query("pricing discount", call_ids=(CALL_1,))
    await store.read_ahead(query)
    rewritten = call_1_rewritten("A discount on pricing, finally.", unit(1, 0, 0, 0), "rewritten")
    await store.upsert([rewritten])
    await store.optimize()
    hits = await store.search(replace(query, vector=Q))
    assert [h.lines[0].text for h in hits] == ["A discount on pricing, finally."]


def test_reads_started_ahead_are_taken_once_by_their_own_table_version() -> None:
    started, version, newer = StartedReads(), object(), object()
    for n in range(10):
        started.keep(version, n, Ahead(None, None))
    # A search whose query failed to embed leaves its reads; newer ones push them out.
    assert started.take(version, 0) is None and started.take(version, 1) is None
    assert started.take(newer, 9) is None, "another version of the table reads again"
    assert started.take(version, 9) is not None
    assert started.take(version, 9) is None, "taken once"
