"""CRM enrichment against a fake Salesforce (TLS on loopback, the real simple-salesforce
client): every new call gets exactly one Task, reruns add none even with the local record
lost, and auth failures, 429/REQUEST_LIMIT_EXCEEDED, deleted records and persistent
failures are retried, reported or left pending, never lost."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from sophia.core.crm.enrichment import CrmRun, enrich_crm
from sophia.core.export.schema import CrmTaskRow
from sophia.core.services import Sophia
from tests.fakes.loopback import serving
from tests.fakes.salesforce_server import Fault, SalesforceFake, self_signed
from tests.fakes.sophia_api import make_settings

pytest_plugins = ["tests.fakes.samples_fixtures"]

SAMPLES = Path(__file__).parents[1] / "samples"
# 40 sample calls; 2 have no CRM context (no Salesforce id): 38 Tasks.
WITH_IDS = 38
LIMITED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def salesforce(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[SalesforceFake]:
    yield from serving(SalesforceFake(*certificate), monkeypatch)


Opener = Callable[..., Any]


@pytest.fixture
async def opened(
    sophia_dir: Path, salesforce: SalesforceFake, certificate: tuple[Path, Path]
) -> AsyncIterator[Opener]:
    """Sophia on the indexed samples, with Salesforce enrichment on against the fake
    (retry waits of zero); keyword arguments update the settings."""
    apps: list[Sophia] = []

    async def open_one(**updates: Any) -> Sophia:
        fields: dict[str, Any] = {
            "competitors": "DealForge, Quotient AI, Pipestream, Ledgerly",
            "salesforce_login_url": salesforce.url,
            "salesforce_client_id": "sophia-app",
            "salesforce_client_secret": "app-secret",
            "salesforce_ca_bundle": certificate[0],
            "salesforce_max_age_days": 3650,
            "salesforce_backoff_s": 0,
            "salesforce_rate_limit": 100,
            "salesforce_account_fields": (
                "last_call=Last_Gong_Call__c, objections=Gong_Objections__c, "
                "competitors=Gong_Competitors__c"
            ),
            "salesforce_opportunity_fields": "competitors=Gong_Competitors__c",
        }
        settings = make_settings(sophia_dir, **{**fields, **updates})
        apps.append(await Sophia.open(settings))
        await apps[-1].refresh_table()
        return apps[-1]

    yield open_one
    for app in apps:
        await app.aclose()


async def enrich(sophia: Sophia) -> CrmRun:
    return await enrich_crm(sophia.table.get(), sophia.store, sophia.settings, sophia.clock)


def creates(fake: SalesforceFake) -> int:
    return sum(1 for method, path in fake.requests if method == "POST" and "/sobjects/" in path)


async def test_every_new_call_gets_exactly_one_task_and_its_records_fields(
    opened: Opener, salesforce: SalesforceFake
) -> None:
    sophia = await opened()
    run = await enrich(sophia)
    assert (run.tasks_created, run.tasks_found, run.no_crm_id, run.pending) == (WITH_IDS, 0, 2, 0)
    keys = Counter(t["CallObject"] for t in salesforce.tasks.values())
    assert len(keys) == WITH_IDS and set(keys.values()) == {1}
    rows = {r["call_id"]: r for r in sophia.table.get().calls()[0]}
    for task in salesforce.tasks.values():
        row = rows[task["CallObject"].removeprefix("gong:")]
        assert task["WhatId"] == row["opportunity_id"]
        assert task["ActivityDate"] == row["started"].date().isoformat()
        assert row["url"] in task["Description"] and row["title"] in task["Subject"]
        assert task["Status"] == "Completed"
    accounts = {i: r for i, r in salesforce.records.items() if r["type"] == "Account"}
    opportunities = [r for r in salesforce.records.values() if r["type"] == "Opportunity"]
    assert len(accounts) == 8 and opportunities
    assert all(a["Last_Gong_Call__c"] for a in accounts.values())
    for opportunity_id, record in salesforce.records.items():
        if record["type"] == "Opportunity":
            on_it = {
                c
                for r in rows.values()
                if r["opportunity_id"] == opportunity_id
                for c in r["competitors"]
            }
            assert record["Gong_Competitors__c"] == (", ".join(sorted(on_it)) or None)
    named = {c for r in rows.values() for c in r["competitors"]}
    assert named and named <= {
        c for a in accounts.values() for c in (a["Gong_Competitors__c"] or "").split(", ")
    }


async def test_a_sync_reruns_it_and_a_rerun_writes_nothing(
    opened: Opener, salesforce: SalesforceFake, caplog: pytest.LogCaptureFixture
) -> None:
    sophia = await opened()
    await enrich(sophia)
    written = len(salesforce.requests)
    with caplog.at_level(logging.INFO, logger="sophia.crm"):
        summary = await sophia.ingest_folder(SAMPLES)
    assert summary.unchanged == 40
    assert "Salesforce: 0 Tasks created, 0 already there, 0 records updated" in caplog.text
    assert len(salesforce.requests) == written and len(salesforce.tasks) == WITH_IDS


async def test_a_lost_local_record_makes_no_duplicate(
    opened: Opener, salesforce: SalesforceFake
) -> None:
    sophia = await opened()
    await enrich(sophia)
    with sophia.table.get().engine().begin() as db:
        db.execute(delete(CrmTaskRow))
    run = await enrich(sophia)
    assert (run.tasks_created, run.tasks_found, run.pending) == (0, WITH_IDS, 0)
    assert len(salesforce.tasks) == WITH_IDS


async def test_refused_credentials_are_reported_once_and_nothing_is_lost(
    opened: Opener, salesforce: SalesforceFake, caplog: pytest.LogCaptureFixture
) -> None:
    salesforce.refuse_login = "invalid_grant"
    sophia = await opened()
    with caplog.at_level(logging.INFO, logger="sophia.crm"):
        summary = await sophia.ingest_folder(SAMPLES)
    assert summary.unchanged == 40
    assert salesforce.token_requests == 1 and not salesforce.tasks
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and "invalid_grant" in failures[0].getMessage()
    assert f"{WITH_IDS} pending" in caplog.text
    salesforce.refuse_login = None
    run = await enrich(sophia)
    assert (run.tasks_created, run.pending, run.stopped) == (WITH_IDS, 0, None)


async def test_an_expired_session_signs_in_again(
    opened: Opener, salesforce: SalesforceFake
) -> None:
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    salesforce.faults.append(Fault("POST", "/sobjects/Task", 401, expired))
    sophia = await opened()
    run = await enrich(sophia)
    assert (run.tasks_created, run.pending, run.stopped) == (WITH_IDS, 0, None)
    assert salesforce.token_requests == 2


async def test_rate_limits_are_retried_then_written(
    opened: Opener, salesforce: SalesforceFake
) -> None:
    salesforce.faults += [
        Fault("POST", "/sobjects/Task", 429, [{"errorCode": "TOO_MANY", "message": "slow down"}]),
        Fault("POST", "/sobjects/Task", 403, LIMITED),
        Fault("GET", "/query", 503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "busy"}]),
    ]
    sophia = await opened()
    run = await enrich(sophia)
    assert (run.tasks_created, run.pending) == (WITH_IDS, 0)
    assert creates(salesforce) == WITH_IDS + 2  # two retried
    assert all(f.times == 0 for f in salesforce.faults)


async def test_a_deleted_record_is_skipped_and_reported_the_others_written(
    opened: Opener, salesforce: SalesforceFake, caplog: pytest.LogCaptureFixture
) -> None:
    sophia = await opened()
    rows = sophia.table.get().calls()[0]
    gone = next(r["opportunity_id"] for r in rows if r["opportunity_id"])
    on_it = sum(1 for r in rows if r["opportunity_id"] == gone)
    salesforce.deleted.add(gone)
    with caplog.at_level(logging.WARNING, logger="sophia.crm"):
        run = await enrich(sophia)
    assert run.tasks_created == WITH_IDS - on_it and len(salesforce.tasks) == WITH_IDS - on_it
    assert len(run.gone) == on_it and run.pending == 0
    assert "ENTITY_IS_DELETED" in caplog.text
    again = await enrich(sophia)
    assert (again.tasks_created, again.gone) == (0, [])


async def test_a_persistent_failure_stays_pending_and_is_written_next_time(
    opened: Opener, salesforce: SalesforceFake
) -> None:
    sophia = await opened()
    rows = sophia.table.get().calls()[0]
    stuck = next(r["opportunity_id"] for r in rows if r["opportunity_id"])
    on_it = sum(1 for r in rows if r["opportunity_id"] == stuck)
    attempts = sophia.settings.salesforce_max_attempts
    down = [{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}]
    salesforce.faults.append(
        Fault("POST", "/sobjects/Task", 503, down, times=attempts * on_it, where={"WhatId": stuck})
    )
    run = await enrich(sophia)
    assert (run.tasks_created, run.pending) == (WITH_IDS - on_it, on_it)
    # `sophia stats` (and GET /api/gong/stats) show what is left for the next sync.
    assert (await sophia.stats()).crm_pending == on_it
    again = await enrich(sophia)
    assert (again.tasks_created, again.pending) == (on_it, 0)
    assert len(salesforce.tasks) == WITH_IDS


async def test_restricted_accounts_go_only_where_the_policy_allows(
    opened: Opener, salesforce: SalesforceFake, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("restricted_accounts:\n  Olympus: {}\n", encoding="utf-8")
    sophia = await opened(access_policy=policy)
    run = await enrich(sophia)
    assert (run.tasks_created, run.restricted) == (WITH_IDS - 7, 7)
    rows = {r["call_id"]: r for r in sophia.table.get().calls()[0]}
    sent = [rows[t["CallObject"].removeprefix("gong:")] for t in salesforce.tasks.values()]
    assert not any(r["account"] == "Olympus" for r in sent)
    allowed = await opened(access_policy=policy, salesforce_restricted=True)
    run = await enrich(allowed)
    assert (run.tasks_created, run.restricted) == (7, 0)


async def test_an_unreachable_salesforce_stops_the_run_with_everything_pending(
    opened: Opener, salesforce: SalesforceFake
) -> None:
    sophia = await opened()
    salesforce.stop()
    run = await enrich(sophia)
    assert run.stopped is not None and "connection failed" in run.stopped
    assert (run.tasks_created, run.pending) == (0, WITH_IDS)


async def test_a_bad_field_setting_is_reported_and_nothing_sent(
    opened: Opener, salesforce: SalesforceFake, caplog: pytest.LogCaptureFixture
) -> None:
    sophia = await opened(salesforce_account_fields="last_call=Last Call")
    with caplog.at_level(logging.ERROR, logger="sophia.crm"):
        summary = await sophia.ingest_folder(SAMPLES)
    assert summary.unchanged == 40
    assert "SALESFORCE_ACCOUNT_FIELDS: expected insight=FieldApiName pairs" in caplog.text
    assert not salesforce.requests
