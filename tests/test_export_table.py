"""The call-insights table on real databases: SQLite on disk and a PostgreSQL server the
suite starts. After the samples are ingested it holds one row per call, with the planted
objections and competitors (samples/expected.json)."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select

from sophia.core.export.schema import Base, CallCompetitorRow, CallObjectionRow
from sophia.core.export.table import InsightsTable
from sophia.core.insights.objection_kinds import OBJECTION_KINDS
from sophia.core.query import account_key
from tests.fakes.loopback import free_port
from tests.fakes.sophia_api import make_settings, open_sophia

if TYPE_CHECKING:
    from tests.fakes.export_fixtures import Opener

pytest_plugins = [
    "tests.fakes.samples_fixtures",
    "tests.fakes.postgres_fixtures",
    "tests.fakes.export_fixtures",
]

# The samples' objection labels, as the table's kinds (a budget is often said as a price).
KINDS = {
    "competitor": {"competitor"},
    "discount": {"discount"},
    "term": {"contract_term"},
    "uplift": {"renewal_uplift"},
    "per_seat": {"per_seat"},
    "price_lock": {"price_lock"},
    "impl_fee": {"fees"},
    "budget": {"budget", "price"},
    "benchmark": {"budget", "price"},
}


def children(table: InsightsTable, row: type[Any]) -> list[Any]:
    with table.engine().connect() as db:
        return list(db.execute(select(row.__table__)).all())


async def test_one_row_per_sample_call_with_planted_objections_and_competitors(
    opened: Opener, expected: dict[str, Any]
) -> None:
    sophia = await opened()
    await sophia.refresh_table()
    rows, total = sophia.table.get().calls()
    assert total == len(expected["calls"]) == 40
    assert sorted(r["call_id"] for r in rows) == sorted(c["call_id"] for c in expected["calls"])
    by_id = {r["call_id"]: r for r in rows}
    for call in expected["calls"]:
        assert by_id[call["call_id"]]["account"] == call["account"], call["call_id"]

    planted = Counter((m["call_id"], m["competitor"]) for m in expected["competitor_mentions"])
    table = sophia.table.get()
    stored = {(c.call_id, c.competitor): c.mentions for c in children(table, CallCompetitorRow)}
    assert stored == dict(planted)
    for (call_id, competitor), count in planted.items():
        assert competitor in by_id[call_id]["competitors"]
        assert by_id[call_id]["competitor_mentions"] >= count

    objections = children(table, CallObjectionRow)
    assert {o.kind for o in objections} <= set(OBJECTION_KINDS)
    found = 0
    for plant in expected["pricing_objections"]:
        matches = [
            o for o in objections if o.call_id == plant["call_id"] and o.text == plant["text"]
        ]
        if matches:
            found += 1
            assert matches[0].kind in KINDS[plant["kind"]], (plant["text"], matches[0].kind)
            assert matches[0].start_ms == plant["start_ms"]
            row = by_id[plant["call_id"]]
            assert row["objections_by_kind"][matches[0].kind] >= 1
    # Call analysis finds 22 of the 25 planted price objections; the table must keep them.
    assert found >= 22, found


async def test_ingest_keeps_the_table_current_and_a_rerun_writes_nothing(
    opened: Opener, database: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    sophia = await opened()
    first = await sophia.refresh_table()
    # The samples' ingest already wrote the SQLite file; a new PostgreSQL database is empty.
    assert first is not None
    assert (first.written, first.unchanged) == ((40, 0) if database else (0, 40))
    again = await sophia.refresh_table()
    assert again is not None and (again.written, again.removed, again.unchanged) == (0, 0, 40)
    with caplog.at_level(logging.INFO, logger="sophia.export"):
        summary = await sophia.ingest_folder(Path(__file__).parents[1] / "samples")
    assert summary.indexed == 0
    assert "call-insights table: 0 written, 0 removed, 40 unchanged" in caplog.text


async def test_purged_calls_leave_the_table(opened: Opener, expected: dict[str, Any]) -> None:
    sophia = await opened()
    await sophia.refresh_table()
    purging = await opened(retention_days=60)
    removed = await purging.purge_expired()
    assert removed
    rows, total = purging.table.get().calls()
    assert total == 40 - len(removed)
    assert not {r["call_id"] for r in rows} & set(removed)
    assert {c.call_id for c in children(purging.table.get(), CallObjectionRow)}.isdisjoint(removed)
    weeks = purging.table.get().account_weeks()
    assert sum(w["calls"] for w in weeks) == total - sum(1 for r in rows if not r["account"])


async def test_restricted_accounts_by_the_policy(
    opened: Opener, database: dict[str, Any], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Olympus: {}\n", encoding="utf-8")
    sophia = await opened(access_policy=policy)
    await sophia.refresh_table()
    rows, _ = sophia.table.get().calls()
    olympus = [r for r in rows if r["account"] == "Olympus"]
    if database:
        # An external database gets no restricted rows unless EXPORT_RESTRICTED says so.
        assert olympus == []
        assert not any(w["account"] == "Olympus" for w in sophia.table.get().account_weeks())
    else:
        assert olympus and all(r["restricted"] for r in olympus)
        assert not any(r["restricted"] for r in rows if r["account"] != "Olympus")
    visible, total = sophia.table.get().calls(exclude=frozenset({account_key("Olympus")}))
    assert total == len(rows) - len(olympus)
    assert all(r["account"] != "Olympus" for r in visible)


async def test_export_restricted_writes_them_to_the_external_database(
    sophia_dir: Path, postgres_url: str, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Olympus: {}\n", encoding="utf-8")
    settings = make_settings(
        sophia_dir,
        export_database_url=postgres_url,
        access_policy=policy,
        export_restricted=True,
    )
    async with open_sophia(settings) as sophia:
        await sophia.refresh_table()
        rows, _ = sophia.table.get().calls()
    olympus = [r for r in rows if r["account"] == "Olympus"]
    assert len(rows) == 40
    assert olympus and all(r["restricted"] for r in olympus)


async def test_the_migrations_make_exactly_the_models_tables(opened: Opener) -> None:
    sophia = await opened()
    engine = sophia.table.get().engine()
    # A second table on the same database migrates again: nothing to do, nothing lost.
    other = InsightsTable(
        engine.url.render_as_string(hide_password=False), external=True, keep_restricted=True
    )
    with other.engine().connect() as db:
        diff = compare_metadata(MigrationContext.configure(db), Base.metadata)
    other.dispose()
    assert diff == []


async def test_an_unreachable_export_database_does_not_fail_the_sync(
    sophia_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql://sophia@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    async with open_sophia(make_settings(sophia_dir, export_database_url=url)) as sophia:
        with caplog.at_level(logging.WARNING, logger="sophia.export"):
            summary = await sophia.ingest_folder(Path(__file__).parents[1] / "samples")
    assert summary.unchanged == 40
    assert "call-insights table not updated" in caplog.text
    assert "127.0.0.1" in caplog.text and "cannot migrate" in caplog.text


def test_the_hashing_samples_ingest_wrote_the_sqlite_table(sophia_dir: Path) -> None:
    engine = create_engine(f"sqlite:///{sophia_dir / 'insights.sqlite'}")
    with engine.connect() as db:
        assert db.exec_driver_sql("select count(*) from call_insights").scalar_one() == 40
    engine.dispose()


async def test_a_bad_export_database_url_is_reported_not_fatal(
    sophia_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(sophia_dir, export_database_url="not a database")
    async with open_sophia(settings) as sophia:
        with caplog.at_level(logging.WARNING, logger="sophia.export"):
            assert await sophia.refresh_table() is None
    assert "EXPORT_DATABASE_URL is not a database URL" in caplog.text
